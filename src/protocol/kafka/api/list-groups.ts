/**
 * ListGroups (key 16): the groups a broker coordinates.
 *
 * Served: v0-v5. v3 is flexible, v4 filters by state (KIP-518), v5 by type (KIP-848).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const ListGroups = defineApi({
  apiKey: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: 3,
  request: struct({
    statesFilter: field(array('string'), '4+'),
    typesFilter: field(array('string'), '5+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '1+'),
    errorCode: field('int16', '0+'),
    groups: field(array(struct({
      groupId: field('string', '0+'),
      protocolType: field('string', '0+'),
      groupState: field('string', '4+'),
      groupType: field('string', '5+'),
    })), '0+'),
  }),
});

export type ListGroupsRequest = RequestOf<typeof ListGroups>;
export type ListGroupsResponse = ResponseOf<typeof ListGroups>;
export type ListGroupsResponseInput = ResponseInputOf<typeof ListGroups>;
