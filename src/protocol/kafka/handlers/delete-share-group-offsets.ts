/**
 * DeleteShareGroupOffsets: deletes an empty share group's state for whole topics; the next
 * member to fetch them starts per share.auto.offset.reset.
 */
import { DeleteShareGroupOffsets } from '../api/delete-share-group-offsets.js';
import { KafkaError } from '../codec/error-codes.js';
import { ZERO_UUID } from '../codec/schema.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';

export const deleteShareGroupOffsetsHandler = defineHandler(DeleteShareGroupOffsets, async (req, { kafka, conn }) => {
  const share = kafka.share;
  const refused = await share.refuseOffsetChange(req.groupId);
  if (refused !== null) return { throttleTimeMs: 0, ...refused, responses: [] };
  const responses = [];
  for (const t of req.topics) {
    const topic = kafka.topic(t.topicName);
    if (topic === undefined || conn.session?.mayAccessTopic(t.topicName, 'read') === false) {
      const errorCode = topic === undefined ? KafkaError.UNKNOWN_TOPIC_OR_PARTITION : KafkaError.TOPIC_AUTHORIZATION_FAILED;
      responses.push({ topicName: t.topicName, topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, errorCode, errorMessage: null }] });
      continue;
    }
    const partitions = [];
    for (let p = 0; p < topic.partitionCount; p++) {
      if (!(await share.states.has(req.groupId, t.topicName, p))) continue;
      let errorCode: number = KafkaError.NONE;
      try {
        await share.states.drop(req.groupId, t.topicName, p);
      } catch (e) {
        errorCode = kafkaCode(e);
      }
      partitions.push({ partitionIndex: p, errorCode, errorMessage: null });
    }
    responses.push({ topicName: t.topicName, topicId: kafka.topicId(t.topicName), partitions });
  }
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, responses };
}, { releasesRequest: true });
