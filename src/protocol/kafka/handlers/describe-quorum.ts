/**
 * DescribeQuorum: Hopper's metadata is its catalogue, kept by this one node, so the KRaft quorum
 * it reports is that node alone: the leader and only voter of __cluster_metadata-0, with no
 * observers, its log end and high watermark the catalogue's save count. Any other partition
 * is INVALID_REQUEST, as Kafka answers while it serves one metadata partition.
 */
import { DescribeQuorum } from '../api/describe-quorum.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { topicIdOf } from '../server/topic-ids.js';
import { mayDescribeCluster } from './cluster-access.js';

const METADATA_TOPIC = '__cluster_metadata';

export const describeQuorumHandler = defineHandler(DescribeQuorum, (req, { kafka, conn }) => {
  const fail = (errorCode: number, errorMessage: string | null) => ({ errorCode, errorMessage, topics: [], nodes: [] });
  if (!mayDescribeCluster(conn)) return fail(KafkaError.CLUSTER_AUTHORIZATION_FAILED, null);
  const t = req.topics;
  if (t.length !== 1 || t[0]!.topicName !== METADATA_TOPIC || t[0]!.partitions.length !== 1 || t[0]!.partitions[0]!.partitionIndex !== 0) {
    return fail(KafkaError.INVALID_REQUEST, `Only ${METADATA_TOPIC} partition 0 has a quorum`);
  }
  const node = kafka.node;
  const offset = kafka.broker.catalogue.generation;
  const now = kafka.broker.ctx.clock.now();
  const self = { replicaId: node.nodeId, replicaDirectoryId: topicIdOf('', METADATA_TOPIC, kafka.broker.dataDir), logEndOffset: offset, lastFetchTimestamp: now, lastCaughtUpTimestamp: now };
  return {
    errorCode: KafkaError.NONE,
    errorMessage: null,
    topics: [{
      topicName: METADATA_TOPIC,
      partitions: [{ partitionIndex: 0, errorCode: KafkaError.NONE, errorMessage: null, leaderId: node.nodeId, leaderEpoch: 1, highWatermark: offset, currentVoters: [self], observers: [] }],
    }],
    nodes: [{ nodeId: node.nodeId, listeners: kafka.listeners.map((l) => ({ name: l.name, host: l.node.host, port: l.node.port })) }],
  };
});
