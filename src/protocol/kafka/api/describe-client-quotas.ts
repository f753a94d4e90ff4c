/**
 * DescribeClientQuotas (key 48): the quotas of the entities (user, client-id, ip) that match
 * a filter (KIP-546).
 *
 * Served: v0-v1. v1 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const DescribeClientQuotas = defineApi({
  apiKey: 48,
  name: 'DescribeClientQuotas',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 1,
  request: struct({
    components: field(array(struct({
      entityType: field('string', '0+'),
      matchType: field('int8', '0+'),
      match: field('string', '0+', { nullable: '0+' }),
    })), '0+'),
    strict: field('bool', '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
    errorMessage: field('string', '0+', { nullable: '0+' }),
    entries: field(array(struct({
      entity: field(array(struct({
        entityType: field('string', '0+'),
        entityName: field('string', '0+', { nullable: '0+' }),
      })), '0+'),
      values: field(array(struct({
        key: field('string', '0+'),
        value: field('float64', '0+'),
      })), '0+'),
    })), '0+', { nullable: '0+' }),
  }),
});

export type DescribeClientQuotasRequest = RequestOf<typeof DescribeClientQuotas>;
export type DescribeClientQuotasResponse = ResponseOf<typeof DescribeClientQuotas>;
export type DescribeClientQuotasResponseInput = ResponseInputOf<typeof DescribeClientQuotas>;
