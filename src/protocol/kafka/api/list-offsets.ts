/**
 * ListOffsets (key 2): the offset for a timestamp, or the earliest (-2) / latest (-1) offset.
 *
 * Served: v1-v8 (v0, with its list of old-style offsets, was removed by KIP-896). kafkajs 2.2.4 sends
 * v3 at most. v2 adds the isolation level, v4 the current leader epoch, v6 is flexible, v7 allows
 * max-timestamp (-3, KIP-734), v8 local log start (-4, KIP-405).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const ListOffsets = defineApi({
  apiKey: 2,
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 8,
  flexibleFrom: 6,
  request: struct({
    replicaId: field('int32', '0+'),
    isolationLevel: field('int8', '2+'),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        currentLeaderEpoch: field('int32', '4+', { default: -1 }),
        timestamp: field('int64', '0+'),
      })), '0+'),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '2+'),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        errorCode: field('int16', '0+'),
        timestamp: field('int64', '1+', { default: -1 }),
        offset: field('int64', '1+', { default: -1 }),
        leaderEpoch: field('int32', '4+', { default: -1 }),
      })), '0+'),
    })), '0+'),
  }),
});

export type ListOffsetsRequest = RequestOf<typeof ListOffsets>;
export type ListOffsetsResponse = ResponseOf<typeof ListOffsets>;
export type ListOffsetsResponseInput = ResponseInputOf<typeof ListOffsets>;
