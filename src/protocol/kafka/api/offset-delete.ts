/**
 * OffsetDelete (key 47): deletes a group's committed offsets for some partitions (KIP-496).
 *
 * Served: v0 (its only version; not flexible).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const OffsetDelete = defineApi({
  apiKey: 47,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: null,
  request: struct({
    groupId: field('string', '0+'),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
      })), '0+'),
    })), '0+'),
  }),
  response: struct({
    errorCode: field('int16', '0+'),
    throttleTimeMs: field('int32', '0+'),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        errorCode: field('int16', '0+'),
      })), '0+'),
    })), '0+'),
  }),
});

export type OffsetDeleteRequest = RequestOf<typeof OffsetDelete>;
export type OffsetDeleteResponse = ResponseOf<typeof OffsetDelete>;
export type OffsetDeleteResponseInput = ResponseInputOf<typeof OffsetDelete>;
