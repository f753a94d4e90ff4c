/**
 * IncrementalAlterConfigs (key 44): set, delete, append or subtract single config entries.
 *
 * Served: v0-v1. v1 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const IncrementalAlterConfigs = defineApi({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 1,
  request: struct({
    resources: field(array(struct({
      resourceType: field('int8', '0+'),
      resourceName: field('string', '0+'),
      configs: field(array(struct({
        name: field('string', '0+'),
        configOperation: field('int8', '0+'),
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

export type IncrementalAlterConfigsRequest = RequestOf<typeof IncrementalAlterConfigs>;
export type IncrementalAlterConfigsResponse = ResponseOf<typeof IncrementalAlterConfigs>;
export type IncrementalAlterConfigsResponseInput = ResponseInputOf<typeof IncrementalAlterConfigs>;
