/**
 * DescribeTopicPartitions: like Metadata's topic part (this node leads every partition and is its
 * only replica and ISR), in topic name order, paged as Kafka pages it: at most
 * min(ResponsePartitionLimit, 2000) partitions per answer, with a cursor to the next partition
 * when more remain. No topics asked for means every topic the client may see.
 */
import { DescribeTopicPartitions } from '../api/describe-topic-partitions.js';
import { KafkaError } from '../codec/error-codes.js';
import { ZERO_UUID } from '../codec/schema.js';
import type { Session } from '../../../core/broker/session.js';
import { validateTopicName } from '../../../core/names.js';
import { defineHandler } from '../server/handler.js';

/** Kafka's max.request.partition.size.limit default. */
const MAX_PARTITIONS_PER_RESPONSE = 2000;

function canDescribe(session: Session | null, name: string): boolean {
  if (!session) return true;
  for (const p of ['read', 'write'] as const) {
    try {
      session.checkTopic(name, p);
      return true;
    } catch {
      // try the other
    }
  }
  return false;
}

const missing = (name: string, errorCode: number) => ({ errorCode, name, topicId: ZERO_UUID, isInternal: false, partitions: [] });

export const describeTopicPartitionsHandler = defineHandler(DescribeTopicPartitions, (req, { kafka, conn }) => {
  const all = req.topics.length === 0;
  const from = req.cursor?.topicName ?? '';
  const names = (all ? kafka.vhost.topicNames().filter((n) => canDescribe(conn.session, n)) : [...new Set(req.topics.map((t) => t.name))])
    .filter((n) => n >= from).sort();
  let remaining = Math.max(1, Math.min(req.responsePartitionLimit, MAX_PARTITIONS_PER_RESPONSE));
  const topics = [];
  let nextCursor: { topicName: string; partitionIndex: number } | null = null;
  for (const name of names) {
    if (remaining === 0) {
      nextCursor = { topicName: name, partitionIndex: 0 };
      break;
    }
    const topic = kafka.topic(name);
    if (!topic || !canDescribe(conn.session, name)) {
      if (all) continue;
      let errorCode: number = topic ? KafkaError.TOPIC_AUTHORIZATION_FAILED : KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
      try {
        validateTopicName(name);
      } catch {
        errorCode = KafkaError.INVALID_TOPIC_EXCEPTION;
      }
      topics.push(missing(name, errorCode));
      continue;
    }
    const first = name === req.cursor?.topicName ? Math.max(0, req.cursor.partitionIndex) : 0;
    const last = Math.min(topic.partitionCount, first + remaining);
    const partitions = [];
    for (let p = first; p < last; p++) {
      const node = kafka.node.nodeId;
      partitions.push({
        errorCode: KafkaError.NONE, partitionIndex: p, leaderId: node, leaderEpoch: 0, replicaNodes: [node], isrNodes: [node],
        eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas: [],
      });
    }
    topics.push({ errorCode: KafkaError.NONE, name, topicId: kafka.topicId(name), isInternal: false, partitions });
    remaining -= partitions.length;
    if (last < topic.partitionCount) {
      nextCursor = { topicName: name, partitionIndex: last };
      break;
    }
  }
  return { throttleTimeMs: 0, topics, nextCursor };
});
