/**
 * CreateTopics (key 19).
 *
 * Served: v2-v7 (KIP-896 floor). kafkajs 2.2.4 sends v3 at most. v4 allows default partition count
 * and replication factor (-1), v5 is flexible and returns the topic configs, v7 topic ids.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const CreateTopics = defineApi({
  apiKey: 19,
  name: 'CreateTopics',
  minVersion: 2,
  maxVersion: 7,
  flexibleFrom: 5,
  request: struct({
    topics: field(array(struct({
      name: field('string', '0+'),
      numPartitions: field('int32', '0+'),
      replicationFactor: field('int16', '0+'),
      assignments: field(array(struct({
        partitionIndex: field('int32', '0+'),
        brokerIds: field(array('int32'), '0+'),
      })), '0+'),
      configs: field(array(struct({
        name: field('string', '0+'),
        value: field('string', '0+', { nullable: '0+' }),
      })), '0+'),
    })), '0+'),
    timeoutMs: field('int32', '0+', { default: 60000 }),
    validateOnly: field('bool', '1+', { default: false }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '2+'),
    topics: field(array(struct({
      name: field('string', '0+'),
      topicId: field('uuid', '7+'),
      errorCode: field('int16', '0+'),
      errorMessage: field('string', '1+', { nullable: '0+' }),
      topicConfigErrorCode: field('int16', '5+', { tag: 0 }),
      numPartitions: field('int32', '5+', { default: -1 }),
      replicationFactor: field('int16', '5+', { default: -1 }),
      configs: field(array(struct({
        name: field('string', '5+'),
        value: field('string', '5+', { nullable: '5+' }),
        readOnly: field('bool', '5+'),
        configSource: field('int8', '5+', { default: -1 }),
        isSensitive: field('bool', '5+'),
      })), '5+', { nullable: '5+' }),
    })), '0+'),
  }),
});

export type CreateTopicsRequest = RequestOf<typeof CreateTopics>;
export type CreateTopicsResponse = ResponseOf<typeof CreateTopics>;
export type CreateTopicsResponseInput = ResponseInputOf<typeof CreateTopics>;
