/**
 * CreatePartitions (key 37): add partitions to topics.
 *
 * Served: v0-v3. v2 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const CreatePartitions = defineApi({
  apiKey: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 2,
  request: struct({
    topics: field(array(struct({
      name: field('string', '0+'),
      count: field('int32', '0+'),
      assignments: field(array(struct({
        brokerIds: field(array('int32'), '0+'),
      })), '0+', { nullable: '0+' }),
    })), '0+'),
    timeoutMs: field('int32', '0+'),
    validateOnly: field('bool', '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    results: field(array(struct({
      name: field('string', '0+'),
      errorCode: field('int16', '0+'),
      errorMessage: field('string', '0+', { nullable: '0+', default: null }),
    })), '0+'),
  }),
});

export type CreatePartitionsRequest = RequestOf<typeof CreatePartitions>;
export type CreatePartitionsResponse = ResponseOf<typeof CreatePartitions>;
export type CreatePartitionsResponseInput = ResponseInputOf<typeof CreatePartitions>;
