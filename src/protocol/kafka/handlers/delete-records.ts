/** DeleteRecords: advances a partition's log start; -1 means up to the high watermark. */
import { DeleteRecords } from '../api/delete-records.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';

export const deleteRecordsHandler = defineHandler(DeleteRecords, async (req, { kafka, conn }) => {
  const topics = [];
  for (const t of req.topics) {
    const topic = kafka.topic(t.name);
    const partitions = [];
    for (const p of t.partitions) {
      const out = { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: KafkaError.NONE as number };
      partitions.push(out);
      if (!topic || p.partitionIndex < 0 || p.partitionIndex >= topic.partitionCount) {
        out.errorCode = KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
        continue;
      }
      const log = topic.partition(p.partitionIndex);
      const offset = p.offset === -1 ? log.nextOffset : p.offset;
      if (offset < 0 || offset > log.nextOffset) {
        out.errorCode = KafkaError.OFFSET_OUT_OF_RANGE;
        continue;
      }
      try {
        conn.session?.checkTopic(t.name, 'write');
        if (offset > log.logStartOffset) await log.deleteRecordsBefore(offset);
        out.lowWatermark = log.logStartOffset;
      } catch (e) {
        out.errorCode = kafkaCode(e);
      }
    }
    topics.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
});
