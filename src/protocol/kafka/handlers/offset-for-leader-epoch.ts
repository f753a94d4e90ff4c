/**
 * OffsetForLeaderEpoch: every partition has had one leader epoch, 0, since it was created, so
 * the end offset of epoch 0 (or of any later epoch asked about) is the log end offset; an
 * epoch below 0 is unknown.
 */
import { OffsetForLeaderEpoch } from '../api/offset-for-leader-epoch.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const offsetForLeaderEpochHandler = defineHandler(OffsetForLeaderEpoch, (req, { kafka }) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => {
    const topic = kafka.topic(t.topic);
    return {
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        if (!topic || p.partition < 0 || p.partition >= topic.partitionCount) {
          return { errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, partition: p.partition, leaderEpoch: -1, endOffset: -1 };
        }
        if (p.currentLeaderEpoch > 0) return { errorCode: KafkaError.FENCED_LEADER_EPOCH, partition: p.partition, leaderEpoch: -1, endOffset: -1 };
        return { errorCode: KafkaError.NONE, partition: p.partition, leaderEpoch: 0, endOffset: topic.partition(p.partition).nextOffset };
      }),
    };
  }),
}));
