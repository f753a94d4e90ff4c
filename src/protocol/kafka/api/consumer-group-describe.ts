/**
 * ConsumerGroupDescribe (key 69): KIP-848 groups with their epochs, assignor and members, each
 * with its current and target assignment.
 *
 * Served: v0-v1. v1 adds each member's type (KIP-1099: 0 classic protocol, 1 consumer protocol).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

const Assignment = struct({
  topicPartitions: field(array(struct({
    topicId: field('uuid', '0+'),
    topicName: field('string', '0+'),
    partitions: field(array('int32'), '0+'),
  })), '0+'),
});

export const ConsumerGroupDescribe = defineApi({
  apiKey: 69,
  name: 'ConsumerGroupDescribe',
  minVersion: 0,
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
        instanceId: field('string', '0+', { nullable: '0+', default: null }),
        rackId: field('string', '0+', { nullable: '0+', default: null }),
        memberEpoch: field('int32', '0+'),
        clientId: field('string', '0+'),
        clientHost: field('string', '0+'),
        subscribedTopicNames: field(array('string'), '0+'),
        subscribedTopicRegex: field('string', '0+', { nullable: '0+', default: null }),
        assignment: field(Assignment, '0+'),
        targetAssignment: field(Assignment, '0+'),
        memberType: field('int8', '1+', { default: -1 }),
      })), '0+'),
      authorizedOperations: field('int32', '0+', { default: -2147483648 }),
    })), '0+'),
  }),
});

export type ConsumerGroupDescribeRequest = RequestOf<typeof ConsumerGroupDescribe>;
export type ConsumerGroupDescribeResponse = ResponseOf<typeof ConsumerGroupDescribe>;
export type ConsumerGroupDescribeResponseInput = ResponseInputOf<typeof ConsumerGroupDescribe>;
