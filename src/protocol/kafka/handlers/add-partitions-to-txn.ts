/**
 * AddPartitionsToTxn (v0-v3): adds partitions to the producer's transaction, which starts it.
 * Every partition gets the same answer; an unknown topic or partition fails the whole request
 * (the others are answered OPERATION_NOT_ATTEMPTED), as Kafka does.
 */
import { AddPartitionsToTxn } from '../api/add-partitions-to-txn.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';
import { fencedAs, type TopicPartition } from '../txn/coordinator.js';
import { transactions } from '../txn/service.js';

export const addPartitionsToTxnHandler = defineHandler(AddPartitionsToTxn, async (req, { kafka, conn, version }) => {
  const bad = new Map<string, number>();
  const parts: TopicPartition[] = [];
  for (const t of req.v3AndBelowTopics) {
    const topic = kafka.topic(t.name);
    const denied = conn.session?.mayAccessTopic(t.name, 'write') === false;
    for (const p of t.partitions) {
      if (denied) bad.set(`${t.name}\u0000${p}`, KafkaError.TOPIC_AUTHORIZATION_FAILED);
      else if (!topic || p < 0 || p >= topic.partitionCount) bad.set(`${t.name}\u0000${p}`, KafkaError.UNKNOWN_TOPIC_OR_PARTITION);
      else parts.push({ topic: t.name, partition: p });
    }
  }
  let code: number;
  if (bad.size > 0) code = KafkaError.OPERATION_NOT_ATTEMPTED;
  else {
    try {
      const { coordinator } = await transactions(kafka);
      code = fencedAs(await coordinator.addPartitions(req.v3AndBelowTransactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch, parts), version, 2);
    } catch (e) {
      code = kafkaCode(e);
    }
  }
  return {
    throttleTimeMs: 0,
    resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: bad.get(`${t.name}\u0000${p}`) ?? code })),
    })),
  };
});
