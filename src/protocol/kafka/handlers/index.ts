/** Every Kafka API handler, by api key. APIs in the registry without a handler close the connection. */
import type { HandlerEntry } from '../server/handler.js';
import { addOffsetsToTxnHandler } from './add-offsets-to-txn.js';
import { addPartitionsToTxnHandler } from './add-partitions-to-txn.js';
import { alterConfigsHandler } from './alter-configs.js';
import { apiVersionsHandler } from './api-versions.js';
import { consumerGroupDescribeHandler } from './consumer-group-describe.js';
import { consumerGroupHeartbeatHandler } from './consumer-group-heartbeat.js';
import { createPartitionsHandler } from './create-partitions.js';
import { createTopicsHandler } from './create-topics.js';
import { deleteGroupsHandler } from './delete-groups.js';
import { deleteRecordsHandler } from './delete-records.js';
import { deleteTopicsHandler } from './delete-topics.js';
import { describeClusterHandler } from './describe-cluster.js';
import { describeConfigsHandler } from './describe-configs.js';
import { describeGroupsHandler } from './describe-groups.js';
import { endTxnHandler } from './end-txn.js';
import { fetchHandler } from './fetch.js';
import { findCoordinatorHandler } from './find-coordinator.js';
import { heartbeatHandler } from './heartbeat.js';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.js';
import { initProducerIdHandler } from './init-producer-id.js';
import { joinGroupHandler } from './join-group.js';
import { leaveGroupHandler } from './leave-group.js';
import { listGroupsHandler } from './list-groups.js';
import { listOffsetsHandler } from './list-offsets.js';
import { metadataHandler } from './metadata.js';
import { offsetCommitHandler } from './offset-commit.js';
import { offsetFetchHandler } from './offset-fetch.js';
import { offsetForLeaderEpochHandler } from './offset-for-leader-epoch.js';
import { produceHandler } from './produce.js';
import { saslAuthenticateHandler } from './sasl-authenticate.js';
import { saslHandshakeHandler } from './sasl-handshake.js';
import { syncGroupHandler } from './sync-group.js';
import { txnOffsetCommitHandler } from './txn-offset-commit.js';
// Admin APIs of issue 12.
import { offsetDeleteHandler } from './offset-delete.js';
import { describeLogDirsHandler } from './describe-log-dirs.js';
import { alterReplicaLogDirsHandler } from './alter-replica-log-dirs.js';
import { electLeadersHandler } from './elect-leaders.js';
import { alterPartitionReassignmentsHandler } from './alter-partition-reassignments.js';
import { listPartitionReassignmentsHandler } from './list-partition-reassignments.js';
import { describeTopicPartitionsHandler } from './describe-topic-partitions.js';
import { describeQuorumHandler } from './describe-quorum.js';
import { listConfigResourcesHandler } from './list-config-resources.js';
import { describeUserScramCredentialsHandler } from './describe-user-scram-credentials.js';
import { alterUserScramCredentialsHandler } from './alter-user-scram-credentials.js';
import { describeClientQuotasHandler } from './describe-client-quotas.js';
import { alterClientQuotasHandler } from './alter-client-quotas.js';
// Share groups (issue 12 item 12).
import { shareGroupHeartbeatHandler } from './share-group-heartbeat.js';
import { shareGroupDescribeHandler } from './share-group-describe.js';
import { shareFetchHandler } from './share-fetch.js';
import { shareAcknowledgeHandler } from './share-acknowledge.js';
import { describeShareGroupOffsetsHandler } from './describe-share-group-offsets.js';
import { alterShareGroupOffsetsHandler } from './alter-share-group-offsets.js';
import { deleteShareGroupOffsetsHandler } from './delete-share-group-offsets.js';

const all: HandlerEntry[] = [
  produceHandler, fetchHandler, listOffsetsHandler, metadataHandler, offsetCommitHandler, offsetFetchHandler,
  findCoordinatorHandler, joinGroupHandler, heartbeatHandler, leaveGroupHandler, syncGroupHandler, describeGroupsHandler,
  listGroupsHandler, saslHandshakeHandler, apiVersionsHandler, createTopicsHandler, deleteTopicsHandler, deleteRecordsHandler,
  initProducerIdHandler, offsetForLeaderEpochHandler, describeConfigsHandler, alterConfigsHandler, saslAuthenticateHandler,
  createPartitionsHandler, deleteGroupsHandler, incrementalAlterConfigsHandler, describeClusterHandler,
  addPartitionsToTxnHandler, addOffsetsToTxnHandler, endTxnHandler, txnOffsetCommitHandler,
  consumerGroupHeartbeatHandler, consumerGroupDescribeHandler,
  offsetDeleteHandler, describeLogDirsHandler, alterReplicaLogDirsHandler, electLeadersHandler, alterPartitionReassignmentsHandler,
  listPartitionReassignmentsHandler, describeTopicPartitionsHandler, describeQuorumHandler, listConfigResourcesHandler,
  describeUserScramCredentialsHandler, alterUserScramCredentialsHandler, describeClientQuotasHandler, alterClientQuotasHandler,
  shareGroupHeartbeatHandler, shareGroupDescribeHandler, shareFetchHandler, shareAcknowledgeHandler,
  describeShareGroupOffsetsHandler, alterShareGroupOffsetsHandler, deleteShareGroupOffsetsHandler,
];

export const kafkaHandlers: ReadonlyMap<number, HandlerEntry> = new Map(all.map((h) => [h.api.apiKey, h]));
