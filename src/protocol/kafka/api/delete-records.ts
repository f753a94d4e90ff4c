/**
 * DeleteRecords (key 21): move partitions' log start offsets forward.
 *
 * Served: v0-v2. v2 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const DeleteRecords = defineApi({
  apiKey: 21,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: 2,
  request: struct({
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        offset: field('int64', '0+'),
      })), '0+'),
    })), '0+'),
    timeoutMs: field('int32', '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        lowWatermark: field('int64', '0+'),
        errorCode: field('int16', '0+'),
      })), '0+'),
    })), '0+'),
  }),
});

export type DeleteRecordsRequest = RequestOf<typeof DeleteRecords>;
export type DeleteRecordsResponse = ResponseOf<typeof DeleteRecords>;
export type DeleteRecordsResponseInput = ResponseInputOf<typeof DeleteRecords>;
