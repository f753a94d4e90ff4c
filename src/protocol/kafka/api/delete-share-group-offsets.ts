/**
 * DeleteShareGroupOffsets (key 92): deletes an empty share group's state for whole topics (the
 * next member to fetch them starts per share.auto.offset.reset). Served: v0 (Kafka 4.1/4.2).
 */
import { defineApi, type RequestOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const DeleteShareGroupOffsets = defineApi({
  apiKey: 92,
  name: 'DeleteShareGroupOffsets',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  request: struct({
    groupId: field('string', '0+'),
    topics: field(array(struct({
      topicName: field('string', '0+'),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
    errorMessage: field('string', '0+', { nullable: '0+', default: null }),
    responses: field(array(struct({
      topicName: field('string', '0+'),
      topicId: field('uuid', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        errorCode: field('int16', '0+'),
        errorMessage: field('string', '0+', { nullable: '0+', default: null }),
      })), '0+'),
    })), '0+'),
  }),
});

export type DeleteShareGroupOffsetsRequest = RequestOf<typeof DeleteShareGroupOffsets>;
export type DeleteShareGroupOffsetsResponse = ResponseOf<typeof DeleteShareGroupOffsets>;
