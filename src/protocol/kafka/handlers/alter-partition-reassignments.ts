/**
 * AlterPartitionReassignments: the only replica set a partition can have on one node is this
 * node alone, which is where it already is: that "move" completes at once. Other replica sets
 * are refused as Kafka's controller refuses them (INVALID_REPLICA_ASSIGNMENT: empty, repeated,
 * negative or unregistered brokers); cancelling (null replicas) finds no reassignment in
 * progress; unknown partitions are UNKNOWN_TOPIC_OR_PARTITION.
 */
import { AlterPartitionReassignments } from '../api/alter-partition-reassignments.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { mayAlterCluster } from './cluster-access.js';

function check(replicas: readonly number[] | null, nodeId: number): [number, string | null] {
  if (replicas === null) return [KafkaError.NO_REASSIGNMENT_IN_PROGRESS, null];
  if (replicas.length === 0) return [KafkaError.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.'];
  const seen = new Set<number>();
  for (const r of replicas) {
    if (r < 0) return [KafkaError.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes an invalid broker id ${r}.`];
    if (seen.has(r)) return [KafkaError.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${r} more than once.`];
    seen.add(r);
    if (r !== nodeId) return [KafkaError.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${r}, but no such broker is registered.`];
  }
  return [KafkaError.NONE, null];
}

export const alterPartitionReassignmentsHandler = defineHandler(AlterPartitionReassignments, (req, { kafka, conn }) => {
  if (!mayAlterCluster(conn)) return { throttleTimeMs: 0, errorCode: KafkaError.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, responses: [] };
  return {
    throttleTimeMs: 0,
    errorCode: KafkaError.NONE,
    errorMessage: null,
    responses: req.topics.map((t) => {
      const topic = kafka.topic(t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((p) => {
          const exists = topic !== undefined && p.partitionIndex >= 0 && p.partitionIndex < topic.partitionCount;
          const [errorCode, errorMessage] = exists ? check(p.replicas, kafka.node.nodeId) : [KafkaError.UNKNOWN_TOPIC_OR_PARTITION, null];
          return { partitionIndex: p.partitionIndex, errorCode, errorMessage };
        }),
      };
    }),
  };
});
