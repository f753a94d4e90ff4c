/**
 * DescribeGroups (key 15): state, protocol and members of groups.
 *
 * Served: v0-v5. v3 adds authorized operations, v4 member group instance ids, v5 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const DescribeGroups = defineApi({
  apiKey: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: 5,
  request: struct({
    groups: field(array('string'), '0+'),
    includeAuthorizedOperations: field('bool', '3+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '1+'),
    groups: field(array(struct({
      errorCode: field('int16', '0+'),
      groupId: field('string', '0+'),
      groupState: field('string', '0+'),
      protocolType: field('string', '0+'),
      protocolData: field('string', '0+'),
      members: field(array(struct({
        memberId: field('string', '0+'),
        groupInstanceId: field('string', '4+', { nullable: '4+', default: null }),
        clientId: field('string', '0+'),
        clientHost: field('string', '0+'),
        memberMetadata: field('bytes', '0+'),
        memberAssignment: field('bytes', '0+'),
      })), '0+'),
      authorizedOperations: field('int32', '3+', { default: -2147483648 }),
    })), '0+'),
  }),
});

export type DescribeGroupsRequest = RequestOf<typeof DescribeGroups>;
export type DescribeGroupsResponse = ResponseOf<typeof DescribeGroups>;
export type DescribeGroupsResponseInput = ResponseInputOf<typeof DescribeGroups>;
