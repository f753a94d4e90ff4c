/** CreatePartitions: partitions can only be added; assignments, if given, must name node 0. */
import { CreatePartitions } from '../api/create-partitions.js';
import { KafkaError } from '../codec/error-codes.js';
import { maxPartitions } from '../../../core/topic/topic.js';
import { defineHandler } from '../server/handler.js';
import { errorMessage, kafkaCode } from '../server/context.js';

export const createPartitionsHandler = defineHandler(CreatePartitions, async (req, { kafka, conn }) => {
  const results = [];
  for (const t of req.topics) {
    const out = { name: t.name, errorCode: KafkaError.NONE as number, errorMessage: null as string | null };
    results.push(out);
    const topic = kafka.topic(t.name);
    if (!topic) {
      out.errorCode = KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
      continue;
    }
    if (t.count <= topic.partitionCount || t.count > maxPartitions) {
      out.errorCode = KafkaError.INVALID_PARTITIONS;
      out.errorMessage = `topic has ${topic.partitionCount} partitions; the new count must be larger and at most ${maxPartitions}`;
      continue;
    }
    if (t.assignments !== null && t.assignments.some((a) => a.brokerIds.some((b) => b !== kafka.node.nodeId))) {
      out.errorCode = KafkaError.INVALID_REPLICA_ASSIGNMENT;
      continue;
    }
    if (req.validateOnly) continue;
    try {
      conn.session?.checkTopic(t.name, 'write');
      await kafka.vhost.addPartitions(t.name, t.count);
    } catch (e) {
      out.errorCode = kafkaCode(e);
      out.errorMessage = errorMessage(e);
    }
  }
  return { throttleTimeMs: 0, results };
});
