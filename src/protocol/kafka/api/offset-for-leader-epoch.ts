/**
 * OffsetForLeaderEpoch (key 23): the end offset of a leader epoch, for log truncation detection.
 *
 * Served: v2-v4 (KIP-896 floor; v2 adds the current leader epoch for fencing). v3 adds the replica
 * id (-1 for consumers), v4 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const OffsetForLeaderEpoch = defineApi({
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  minVersion: 2,
  maxVersion: 4,
  flexibleFrom: 4,
  request: struct({
    replicaId: field('int32', '3+', { default: -2 }),
    topics: field(array(struct({
      topic: field('string', '0+'),
      partitions: field(array(struct({
        partition: field('int32', '0+'),
        currentLeaderEpoch: field('int32', '2+', { default: -1 }),
        leaderEpoch: field('int32', '0+'),
      })), '0+'),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '2+'),
    topics: field(array(struct({
      topic: field('string', '0+'),
      partitions: field(array(struct({
        errorCode: field('int16', '0+'),
        partition: field('int32', '0+'),
        leaderEpoch: field('int32', '1+', { default: -1 }),
        endOffset: field('int64', '0+', { default: -1 }),
      })), '0+'),
    })), '0+'),
  }),
});

export type OffsetForLeaderEpochRequest = RequestOf<typeof OffsetForLeaderEpoch>;
export type OffsetForLeaderEpochResponse = ResponseOf<typeof OffsetForLeaderEpoch>;
export type OffsetForLeaderEpochResponseInput = ResponseInputOf<typeof OffsetForLeaderEpoch>;
