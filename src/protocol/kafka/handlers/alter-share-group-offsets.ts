/**
 * AlterShareGroupOffsets: sets the start offsets of an empty share group's partitions; each
 * starts over there (records from it on available, delivery counts reset), durably. An offset
 * past the log end starts the partition at the log end.
 */
import { AlterShareGroupOffsets } from '../api/alter-share-group-offsets.js';
import { KafkaError } from '../codec/error-codes.js';
import { ZERO_UUID } from '../codec/schema.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';

export const alterShareGroupOffsetsHandler = defineHandler(AlterShareGroupOffsets, async (req, { kafka, conn }) => {
  const share = kafka.share;
  const refused = await share.refuseOffsetChange(req.groupId);
  if (refused !== null) return { throttleTimeMs: 0, ...refused, responses: [] };
  const responses = [];
  for (const t of req.topics) {
    const topic = kafka.topic(t.topicName);
    const partitions = [];
    for (const p of t.partitions) {
      let errorCode: number = KafkaError.NONE;
      let errorMessage: string | null = null;
      if (conn.session?.mayAccessTopic(t.topicName, 'read') === false) errorCode = KafkaError.TOPIC_AUTHORIZATION_FAILED;
      else if (topic === undefined || p.partitionIndex < 0 || p.partitionIndex >= topic.partitionCount) errorCode = KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
      else if (!Number.isSafeInteger(p.startOffset) || p.startOffset < 0) {
        errorCode = KafkaError.INVALID_REQUEST;
        errorMessage = `Invalid start offset ${p.startOffset}.`;
      } else {
        try {
          await share.states.alter(req.groupId, t.topicName, p.partitionIndex, p.startOffset, share.settings(req.groupId));
        } catch (e) {
          errorCode = kafkaCode(e);
        }
      }
      partitions.push({ partitionIndex: p.partitionIndex, errorCode, errorMessage });
    }
    responses.push({ topicName: t.topicName, topicId: topic ? kafka.topicId(t.topicName) : ZERO_UUID, partitions });
  }
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, responses };
}, { releasesRequest: true });
