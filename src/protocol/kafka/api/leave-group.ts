/**
 * LeaveGroup (key 13): members leave a group.
 *
 * Served: v0-v5. v3 replaces the single member id by a batch of members (static membership), v4 is
 * flexible, v5 adds a reason per member.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const LeaveGroup = defineApi({
  apiKey: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: 4,
  request: struct({
    groupId: field('string', '0+'),
    memberId: field('string', '0-2'),
    members: field(array(struct({
      memberId: field('string', '3+'),
      groupInstanceId: field('string', '3+', { nullable: '3+', default: null }),
      reason: field('string', '5+', { nullable: '5+', default: null }),
    })), '3+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '1+'),
    errorCode: field('int16', '0+'),
    members: field(array(struct({
      memberId: field('string', '3+'),
      groupInstanceId: field('string', '3+', { nullable: '3+' }),
      errorCode: field('int16', '3+'),
    })), '3+'),
  }),
});

export type LeaveGroupRequest = RequestOf<typeof LeaveGroup>;
export type LeaveGroupResponse = ResponseOf<typeof LeaveGroup>;
export type LeaveGroupResponseInput = ResponseInputOf<typeof LeaveGroup>;
