/**
 * JoinGroup (key 11): join a consumer group and take part in a rebalance (classic protocol).
 *
 * Served: v2-v9 (KIP-896 floor). kafkajs 2.2.4 sends v5 at most. From v4 a new member is first
 * answered MEMBER_ID_REQUIRED with its assigned id; v5 adds the group instance id (static
 * membership), v6 is flexible, v7 adds the protocol type/name to the response, v8 the reason.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const JoinGroup = defineApi({
  apiKey: 11,
  name: 'JoinGroup',
  minVersion: 2,
  maxVersion: 9,
  flexibleFrom: 6,
  request: struct({
    groupId: field('string', '0+'),
    sessionTimeoutMs: field('int32', '0+'),
    rebalanceTimeoutMs: field('int32', '1+', { default: -1 }),
    memberId: field('string', '0+'),
    groupInstanceId: field('string', '5+', { nullable: '5+', default: null }),
    protocolType: field('string', '0+'),
    protocols: field(array(struct({
      name: field('string', '0+'),
      metadata: field('bytes', '0+'),
    })), '0+'),
    reason: field('string', '8+', { nullable: '8+', default: null }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '2+'),
    errorCode: field('int16', '0+'),
    generationId: field('int32', '0+', { default: -1 }),
    protocolType: field('string', '7+', { nullable: '7+', default: null }),
    protocolName: field('string', '0+', { nullable: '7+' }),
    leader: field('string', '0+'),
    skipAssignment: field('bool', '9+', { default: false }),
    memberId: field('string', '0+'),
    members: field(array(struct({
      memberId: field('string', '0+'),
      groupInstanceId: field('string', '5+', { nullable: '5+', default: null }),
      metadata: field('bytes', '0+'),
    })), '0+'),
  }),
});

export type JoinGroupRequest = RequestOf<typeof JoinGroup>;
export type JoinGroupResponse = ResponseOf<typeof JoinGroup>;
export type JoinGroupResponseInput = ResponseInputOf<typeof JoinGroup>;
