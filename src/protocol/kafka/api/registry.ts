/**
 * Every Kafka API Hopper serves, in one place. The framer classifies requests against it and
 * ApiVersions answers are generated from it, so adding an API or a version is a change to its
 * own file plus one line here.
 */
import type { ApiDef } from '../codec/api-def.js';
import { AddOffsetsToTxn } from './add-offsets-to-txn.js';
import { AddPartitionsToTxn } from './add-partitions-to-txn.js';
import { AlterConfigs } from './alter-configs.js';
import { ApiVersions } from './api-versions.js';
import { ConsumerGroupDescribe } from './consumer-group-describe.js';
import { ConsumerGroupHeartbeat } from './consumer-group-heartbeat.js';
import { CreatePartitions } from './create-partitions.js';
import { CreateTopics } from './create-topics.js';
import { DeleteGroups } from './delete-groups.js';
import { DeleteRecords } from './delete-records.js';
import { DeleteTopics } from './delete-topics.js';
import { DescribeCluster } from './describe-cluster.js';
import { DescribeConfigs } from './describe-configs.js';
import { DescribeGroups } from './describe-groups.js';
import { EndTxn } from './end-txn.js';
import { Fetch } from './fetch.js';
import { FindCoordinator } from './find-coordinator.js';
import { Heartbeat } from './heartbeat.js';
import { IncrementalAlterConfigs } from './incremental-alter-configs.js';
import { InitProducerId } from './init-producer-id.js';
import { JoinGroup } from './join-group.js';
import { LeaveGroup } from './leave-group.js';
import { ListGroups } from './list-groups.js';
import { ListOffsets } from './list-offsets.js';
import { Metadata } from './metadata.js';
import { OffsetCommit } from './offset-commit.js';
import { OffsetFetch } from './offset-fetch.js';
import { OffsetForLeaderEpoch } from './offset-for-leader-epoch.js';
import { Produce } from './produce.js';
import { SaslAuthenticate } from './sasl-authenticate.js';
import { SaslHandshake } from './sasl-handshake.js';
import { SyncGroup } from './sync-group.js';
import { TxnOffsetCommit } from './txn-offset-commit.js';
// Admin APIs of issue 12.
import { OffsetDelete } from './offset-delete.js';
import { DescribeLogDirs } from './describe-log-dirs.js';
import { AlterReplicaLogDirs } from './alter-replica-log-dirs.js';
import { DescribeClientQuotas } from './describe-client-quotas.js';
import { AlterClientQuotas } from './alter-client-quotas.js';
import { ElectLeaders } from './elect-leaders.js';
import { AlterPartitionReassignments } from './alter-partition-reassignments.js';
import { ListPartitionReassignments } from './list-partition-reassignments.js';
import { DescribeTopicPartitions } from './describe-topic-partitions.js';
import { DescribeQuorum } from './describe-quorum.js';
import { ListConfigResources } from './list-config-resources.js';
import { DescribeUserScramCredentials } from './describe-user-scram-credentials.js';
import { AlterUserScramCredentials } from './alter-user-scram-credentials.js';
import { ShareGroupHeartbeat } from './share-group-heartbeat.js';
import { ShareGroupDescribe } from './share-group-describe.js';
import { ShareFetch } from './share-fetch.js';
import { ShareAcknowledge } from './share-acknowledge.js';
import { DescribeShareGroupOffsets } from './describe-share-group-offsets.js';
import { AlterShareGroupOffsets } from './alter-share-group-offsets.js';
import { DeleteShareGroupOffsets } from './delete-share-group-offsets.js';

export interface ApiRegistry {
  /** In api key order. */
  readonly all: readonly ApiDef[];
  get(apiKey: number): ApiDef | undefined;
}

export function createRegistry(apis: readonly ApiDef[]): ApiRegistry {
  const byKey = new Map<number, ApiDef>();
  for (const api of apis) {
    if (byKey.has(api.apiKey)) throw new Error(`api key ${api.apiKey} registered twice`);
    byKey.set(api.apiKey, api);
  }
  const all = Object.freeze([...apis].sort((a, b) => a.apiKey - b.apiKey));
  return { all, get: (apiKey) => byKey.get(apiKey) };
}

export const kafkaApis: ApiRegistry = createRegistry([
  Produce, Fetch, ListOffsets, Metadata, OffsetCommit, OffsetFetch, FindCoordinator, JoinGroup, Heartbeat,
  LeaveGroup, SyncGroup, DescribeGroups, ListGroups, SaslHandshake, ApiVersions, CreateTopics, DeleteTopics,
  DeleteRecords, InitProducerId, OffsetForLeaderEpoch, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
  TxnOffsetCommit, DescribeConfigs, AlterConfigs, SaslAuthenticate, CreatePartitions, DeleteGroups,
  IncrementalAlterConfigs, DescribeCluster, ConsumerGroupHeartbeat, ConsumerGroupDescribe,
  OffsetDelete, DescribeLogDirs, AlterReplicaLogDirs, DescribeClientQuotas, AlterClientQuotas, ElectLeaders, AlterPartitionReassignments,
  ListPartitionReassignments, DescribeTopicPartitions, DescribeQuorum, ListConfigResources, DescribeUserScramCredentials, AlterUserScramCredentials,
  ShareGroupHeartbeat, ShareGroupDescribe, ShareFetch, ShareAcknowledge,
  DescribeShareGroupOffsets, AlterShareGroupOffsets, DeleteShareGroupOffsets,
]);
