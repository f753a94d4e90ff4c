/**
 * DescribeConfigs (key 32): topic and broker configuration.
 *
 * Served: v1-v4 (v0 removed by KIP-896). kafkajs 2.2.4 sends v2 at most. v1 adds synonyms and
 * config sources, v3 documentation and types, v4 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const DescribeConfigs = defineApi({
  apiKey: 32,
  name: 'DescribeConfigs',
  minVersion: 1,
  maxVersion: 4,
  flexibleFrom: 4,
  request: struct({
    resources: field(array(struct({
      resourceType: field('int8', '0+'),
      resourceName: field('string', '0+'),
      configurationKeys: field(array('string'), '0+', { nullable: '0+' }),
    })), '0+'),
    includeSynonyms: field('bool', '1+', { default: false }),
    includeDocumentation: field('bool', '3+', { default: false }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    results: field(array(struct({
      errorCode: field('int16', '0+'),
      errorMessage: field('string', '0+', { nullable: '0+' }),
      resourceType: field('int8', '0+'),
      resourceName: field('string', '0+'),
      configs: field(array(struct({
        name: field('string', '0+'),
        value: field('string', '0+', { nullable: '0+' }),
        readOnly: field('bool', '0+'),
        configSource: field('int8', '1+', { default: -1 }),
        isSensitive: field('bool', '0+'),
        synonyms: field(array(struct({
          name: field('string', '1+'),
          value: field('string', '1+', { nullable: '0+' }),
          source: field('int8', '1+'),
        })), '1+'),
        configType: field('int8', '3+', { default: 0 }),
        documentation: field('string', '3+', { nullable: '0+' }),
      })), '0+'),
    })), '0+'),
  }),
});

export type DescribeConfigsRequest = RequestOf<typeof DescribeConfigs>;
export type DescribeConfigsResponse = ResponseOf<typeof DescribeConfigs>;
export type DescribeConfigsResponseInput = ResponseInputOf<typeof DescribeConfigs>;
