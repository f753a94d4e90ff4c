/**
 * DeleteTopics (key 20).
 *
 * Served: v1-v6 (KIP-896 floor). kafkajs 2.2.4 sends v1. v4 is flexible, v5 adds error messages,
 * v6 deletes by name or topic id.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const DeleteTopics = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  minVersion: 1,
  maxVersion: 6,
  flexibleFrom: 4,
  request: struct({
    topics: field(array(struct({
      name: field('string', '6+', { nullable: '6+', default: null }),
      topicId: field('uuid', '6+'),
    })), '6+'),
    topicNames: field(array('string'), '0-5'),
    timeoutMs: field('int32', '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '1+'),
    responses: field(array(struct({
      name: field('string', '0+', { nullable: '6+' }),
      topicId: field('uuid', '6+'),
      errorCode: field('int16', '0+'),
      errorMessage: field('string', '5+', { nullable: '5+', default: null }),
    })), '0+'),
  }),
});

export type DeleteTopicsRequest = RequestOf<typeof DeleteTopics>;
export type DeleteTopicsResponse = ResponseOf<typeof DeleteTopics>;
export type DeleteTopicsResponseInput = ResponseInputOf<typeof DeleteTopics>;
