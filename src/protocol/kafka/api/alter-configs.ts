/**
 * AlterConfigs (key 33): replace a resource's whole configuration.
 *
 * Served: v0-v2. v2 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const AlterConfigs = defineApi({
  apiKey: 33,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: 2,
  request: struct({
    resources: field(array(struct({
      resourceType: field('int8', '0+'),
      resourceName: field('string', '0+'),
      configs: field(array(struct({
        name: field('string', '0+'),
        value: field('string', '0+', { nullable: '0+' }),
      })), '0+'),
    })), '0+'),
    validateOnly: field('bool', '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    responses: field(array(struct({
      errorCode: field('int16', '0+'),
      errorMessage: field('string', '0+', { nullable: '0+' }),
      resourceType: field('int8', '0+'),
      resourceName: field('string', '0+'),
    })), '0+'),
  }),
});

export type AlterConfigsRequest = RequestOf<typeof AlterConfigs>;
export type AlterConfigsResponse = ResponseOf<typeof AlterConfigs>;
export type AlterConfigsResponseInput = ResponseInputOf<typeof AlterConfigs>;
