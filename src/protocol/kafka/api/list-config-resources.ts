/**
 * ListConfigResources (key 74): the resources that have configs. v0 was ListClientMetricsResources
 * (KIP-1000: client-metrics subscriptions only); v1 (Kafka 4.1, KIP-1142) lists any resource type.
 *
 * Served: v0-v1 (both flexible).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const ListConfigResources = defineApi({
  apiKey: 74,
  name: 'ListConfigResources',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 0,
  request: struct({
    resourceTypes: field(array('int8'), '1+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
    configResources: field(array(struct({
      resourceName: field('string', '0+'),
      resourceType: field('int8', '1+', { default: 16 }),
    })), '0+'),
  }),
});

export type ListConfigResourcesRequest = RequestOf<typeof ListConfigResources>;
export type ListConfigResourcesResponse = ResponseOf<typeof ListConfigResources>;
export type ListConfigResourcesResponseInput = ResponseInputOf<typeof ListConfigResources>;
