/**
 * OffsetCommit (key 8): commit a consumer group's offsets.
 *
 * Served: v2-v9 (KIP-896 floor). kafkajs 2.2.4 sends v5 at most. v2-v4 carry a retention time that
 * v5 drops, v6 adds leader epochs, v7 the group instance id, v8 is flexible, v9 serves KIP-848 groups.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const OffsetCommit = defineApi({
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 9,
  flexibleFrom: 8,
  request: struct({
    groupId: field('string', '0+'),
    generationIdOrMemberEpoch: field('int32', '1+', { default: -1 }),
    memberId: field('string', '1+'),
    groupInstanceId: field('string', '7+', { nullable: '7+', default: null }),
    retentionTimeMs: field('int64', '2-4', { default: -1 }),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        committedOffset: field('int64', '0+'),
        committedLeaderEpoch: field('int32', '6+', { default: -1 }),
        committedMetadata: field('string', '0+', { nullable: '0+' }),
      })), '0+'),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '3+'),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        errorCode: field('int16', '0+'),
      })), '0+'),
    })), '0+'),
  }),
});

export type OffsetCommitRequest = RequestOf<typeof OffsetCommit>;
export type OffsetCommitResponse = ResponseOf<typeof OffsetCommit>;
export type OffsetCommitResponseInput = ResponseInputOf<typeof OffsetCommit>;
