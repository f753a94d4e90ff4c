/**
 * OffsetFetch (key 9): read a consumer group's committed offsets.
 *
 * Served: v1-v9 (v0 read from ZooKeeper; KIP-896 removed it). kafkajs 2.2.4 sends v4 at most. v2
 * allows null topics (all) and a top-level error, v6 is flexible, v7 adds require-stable, v8 batches
 * several groups in one request (the single-group fields are then absent), v9 adds member id/epoch.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const OffsetFetch = defineApi({
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 9,
  flexibleFrom: 6,
  request: struct({
    groupId: field('string', '0-7'),
    topics: field(array(struct({
      name: field('string', '0-7'),
      partitionIndexes: field(array('int32'), '0-7'),
    })), '0-7', { nullable: '2-7' }),
    groups: field(array(struct({
      groupId: field('string', '8+'),
      memberId: field('string', '9+', { nullable: '9+', default: null }),
      memberEpoch: field('int32', '9+', { default: -1 }),
      topics: field(array(struct({
        name: field('string', '8+'),
        partitionIndexes: field(array('int32'), '8+'),
      })), '8+', { nullable: '8+' }),
    })), '8+'),
    requireStable: field('bool', '7+', { default: false }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '3+'),
    topics: field(array(struct({
      name: field('string', '0-7'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0-7'),
        committedOffset: field('int64', '0-7'),
        committedLeaderEpoch: field('int32', '5-7', { default: -1 }),
        metadata: field('string', '0-7', { nullable: '0-7' }),
        errorCode: field('int16', '0-7'),
      })), '0-7'),
    })), '0-7'),
    errorCode: field('int16', '2-7', { default: 0 }),
    groups: field(array(struct({
      groupId: field('string', '8+'),
      topics: field(array(struct({
        name: field('string', '8+'),
        partitions: field(array(struct({
          partitionIndex: field('int32', '8+'),
          committedOffset: field('int64', '8+'),
          committedLeaderEpoch: field('int32', '8+', { default: -1 }),
          metadata: field('string', '8+', { nullable: '8+' }),
          errorCode: field('int16', '8+'),
        })), '8+'),
      })), '8+'),
      errorCode: field('int16', '8+', { default: 0 }),
    })), '8+'),
  }),
});

export type OffsetFetchRequest = RequestOf<typeof OffsetFetch>;
export type OffsetFetchResponse = ResponseOf<typeof OffsetFetch>;
export type OffsetFetchResponseInput = ResponseInputOf<typeof OffsetFetch>;
