/**
 * Heartbeat (key 12): a group member is alive; the answer says whether a rebalance is under way.
 *
 * Served: v0-v4. v3 adds the group instance id, v4 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { field, struct } from '../codec/schema.js';

export const Heartbeat = defineApi({
  apiKey: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 4,
  request: struct({
    groupId: field('string', '0+'),
    generationId: field('int32', '0+'),
    memberId: field('string', '0+'),
    groupInstanceId: field('string', '3+', { nullable: '3+', default: null }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '1+'),
    errorCode: field('int16', '0+'),
  }),
});

export type HeartbeatRequest = RequestOf<typeof Heartbeat>;
export type HeartbeatResponse = ResponseOf<typeof Heartbeat>;
export type HeartbeatResponseInput = ResponseInputOf<typeof Heartbeat>;
