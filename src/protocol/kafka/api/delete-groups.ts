/**
 * DeleteGroups (key 42).
 *
 * Served: v1-v2 (v0 removed by KIP-896). kafkajs 2.2.4 sends v1; v2 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const DeleteGroups = defineApi({
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 1,
  maxVersion: 2,
  flexibleFrom: 2,
  request: struct({
    groupsNames: field(array('string'), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    results: field(array(struct({
      groupId: field('string', '0+'),
      errorCode: field('int16', '0+'),
    })), '0+'),
  }),
});

export type DeleteGroupsRequest = RequestOf<typeof DeleteGroups>;
export type DeleteGroupsResponse = ResponseOf<typeof DeleteGroups>;
export type DeleteGroupsResponseInput = ResponseInputOf<typeof DeleteGroups>;
