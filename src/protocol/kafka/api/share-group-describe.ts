/**
 * ShareGroupDescribe (key 77): share groups' members and assignments. Served: v1 (Kafka 4.1/4.2).
 */
import { defineApi, type RequestOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

const TopicPartitions = struct({
  topicId: field('uuid', '0+'),
  topicName: field('string', '0+'),
  partitions: field(array('int32'), '0+'),
});

export const ShareGroupDescribe = defineApi({
  apiKey: 77,
  name: 'ShareGroupDescribe',
  minVersion: 1,
  maxVersion: 1,
  flexibleFrom: 0,
  request: struct({
    groupIds: field(array('string'), '0+'),
    includeAuthorizedOperations: field('bool', '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    groups: field(array(struct({
      errorCode: field('int16', '0+'),
      errorMessage: field('string', '0+', { nullable: '0+', default: null }),
      groupId: field('string', '0+'),
      groupState: field('string', '0+'),
      groupEpoch: field('int32', '0+'),
      assignmentEpoch: field('int32', '0+'),
      assignorName: field('string', '0+'),
      members: field(array(struct({
        memberId: field('string', '0+'),
        rackId: field('string', '0+', { nullable: '0+', default: null }),
        memberEpoch: field('int32', '0+'),
        clientId: field('string', '0+'),
        clientHost: field('string', '0+'),
        subscribedTopicNames: field(array('string'), '0+'),
        assignment: field(struct({ topicPartitions: field(array(TopicPartitions), '0+') }), '0+'),
      })), '0+'),
      authorizedOperations: field('int32', '0+', { default: -2147483648 }),
    })), '0+'),
  }),
});

export type ShareGroupDescribeRequest = RequestOf<typeof ShareGroupDescribe>;
export type ShareGroupDescribeResponse = ResponseOf<typeof ShareGroupDescribe>;
