/**
 * SyncGroup (key 14): the leader hands out assignments; every member receives its own.
 *
 * Served: v0-v5. v3 adds the group instance id, v4 is flexible, v5 adds the protocol type/name.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const SyncGroup = defineApi({
  apiKey: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: 4,
  request: struct({
    groupId: field('string', '0+'),
    generationId: field('int32', '0+'),
    memberId: field('string', '0+'),
    groupInstanceId: field('string', '3+', { nullable: '3+', default: null }),
    protocolType: field('string', '5+', { nullable: '5+', default: null }),
    protocolName: field('string', '5+', { nullable: '5+', default: null }),
    assignments: field(array(struct({
      memberId: field('string', '0+'),
      assignment: field('bytes', '0+'),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '1+'),
    errorCode: field('int16', '0+'),
    protocolType: field('string', '5+', { nullable: '5+', default: null }),
    protocolName: field('string', '5+', { nullable: '5+', default: null }),
    assignment: field('bytes', '0+'),
  }),
});

export type SyncGroupRequest = RequestOf<typeof SyncGroup>;
export type SyncGroupResponse = ResponseOf<typeof SyncGroup>;
export type SyncGroupResponseInput = ResponseInputOf<typeof SyncGroup>;
