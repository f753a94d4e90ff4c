/**
 * DescribeLogDirs (key 35): the broker's log directories and the size of each partition in them.
 *
 * Served: v1-v4 (v0 removed by KIP-896). v2 is flexible, v3 adds the top-level error code, v4
 * the volume's total and usable bytes.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const DescribeLogDirs = defineApi({
  apiKey: 35,
  name: 'DescribeLogDirs',
  minVersion: 1,
  maxVersion: 4,
  flexibleFrom: 2,
  request: struct({
    topics: field(array(struct({
      topic: field('string', '0+'),
      partitions: field(array('int32'), '0+'),
    })), '0+', { nullable: '0+' }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '3+', { default: 0 }),
    results: field(array(struct({
      errorCode: field('int16', '0+'),
      logDir: field('string', '0+'),
      topics: field(array(struct({
        name: field('string', '0+'),
        partitions: field(array(struct({
          partitionIndex: field('int32', '0+'),
          partitionSize: field('int64', '0+'),
          offsetLag: field('int64', '0+'),
          isFutureKey: field('bool', '0+'),
        })), '0+'),
      })), '0+'),
      totalBytes: field('int64', '4+', { default: -1 }),
      usableBytes: field('int64', '4+', { default: -1 }),
    })), '0+'),
  }),
});

export type DescribeLogDirsRequest = RequestOf<typeof DescribeLogDirs>;
export type DescribeLogDirsResponse = ResponseOf<typeof DescribeLogDirs>;
export type DescribeLogDirsResponseInput = ResponseInputOf<typeof DescribeLogDirs>;
