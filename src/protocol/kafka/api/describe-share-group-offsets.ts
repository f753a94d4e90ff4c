/**
 * DescribeShareGroupOffsets (key 90): each share partition's start offset (KIP-932), and from v1
 * its lag (records at or past the start offset not yet acknowledged or archived).
 * Served: v0-v1 (Kafka 4.1/4.2).
 */
import { defineApi, type RequestOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const DescribeShareGroupOffsets = defineApi({
  apiKey: 90,
  name: 'DescribeShareGroupOffsets',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 0,
  request: struct({
    groups: field(array(struct({
      groupId: field('string', '0+'),
      topics: field(array(struct({
        topicName: field('string', '0+'),
        partitions: field(array('int32'), '0+'),
      })), '0+', { nullable: '0+' }),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    groups: field(array(struct({
      groupId: field('string', '0+'),
      topics: field(array(struct({
        topicName: field('string', '0+'),
        topicId: field('uuid', '0+'),
        partitions: field(array(struct({
          partitionIndex: field('int32', '0+'),
          startOffset: field('int64', '0+'),
          leaderEpoch: field('int32', '0+'),
          lag: field('int64', '1+', { default: -1 }),
          errorCode: field('int16', '0+'),
          errorMessage: field('string', '0+', { nullable: '0+', default: null }),
        })), '0+'),
      })), '0+'),
      errorCode: field('int16', '0+'),
      errorMessage: field('string', '0+', { nullable: '0+', default: null }),
    })), '0+'),
  }),
});

export type DescribeShareGroupOffsetsRequest = RequestOf<typeof DescribeShareGroupOffsets>;
export type DescribeShareGroupOffsetsResponse = ResponseOf<typeof DescribeShareGroupOffsets>;
