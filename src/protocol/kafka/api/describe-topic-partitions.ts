/**
 * DescribeTopicPartitions (key 75): topics' partitions, leaders and replicas, paged by a cursor
 * (KIP-966).
 *
 * Served: v0 (its only version; flexible).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

const cursor = struct({
  topicName: field('string', '0+'),
  partitionIndex: field('int32', '0+'),
});

export const DescribeTopicPartitions = defineApi({
  apiKey: 75,
  name: 'DescribeTopicPartitions',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  request: struct({
    topics: field(array(struct({
      name: field('string', '0+'),
    })), '0+'),
    responsePartitionLimit: field('int32', '0+', { default: 2000 }),
    cursor: field(cursor, '0+', { nullable: '0+', default: null }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    topics: field(array(struct({
      errorCode: field('int16', '0+'),
      name: field('string', '0+', { nullable: '0+' }),
      topicId: field('uuid', '0+'),
      isInternal: field('bool', '0+', { default: false }),
      partitions: field(array(struct({
        errorCode: field('int16', '0+'),
        partitionIndex: field('int32', '0+'),
        leaderId: field('int32', '0+'),
        leaderEpoch: field('int32', '0+', { default: -1 }),
        replicaNodes: field(array('int32'), '0+'),
        isrNodes: field(array('int32'), '0+'),
        eligibleLeaderReplicas: field(array('int32'), '0+', { nullable: '0+', default: null }),
        lastKnownElr: field(array('int32'), '0+', { nullable: '0+', default: null }),
        offlineReplicas: field(array('int32'), '0+'),
      })), '0+'),
      topicAuthorizedOperations: field('int32', '0+', { default: -2147483648 }),
    })), '0+'),
    nextCursor: field(cursor, '0+', { nullable: '0+', default: null }),
  }),
});

export type DescribeTopicPartitionsRequest = RequestOf<typeof DescribeTopicPartitions>;
export type DescribeTopicPartitionsResponse = ResponseOf<typeof DescribeTopicPartitions>;
export type DescribeTopicPartitionsResponseInput = ResponseInputOf<typeof DescribeTopicPartitions>;
