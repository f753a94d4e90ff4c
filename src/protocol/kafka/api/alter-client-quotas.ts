/**
 * AlterClientQuotas (key 49): sets or removes quotas of client entities (KIP-546).
 *
 * Served: v0-v1. v1 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

const entity = field(array(struct({
  entityType: field('string', '0+'),
  entityName: field('string', '0+', { nullable: '0+' }),
})), '0+');

export const AlterClientQuotas = defineApi({
  apiKey: 49,
  name: 'AlterClientQuotas',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 1,
  request: struct({
    entries: field(array(struct({
      entity,
      ops: field(array(struct({
        key: field('string', '0+'),
        value: field('float64', '0+'),
        remove: field('bool', '0+'),
      })), '0+'),
    })), '0+'),
    validateOnly: field('bool', '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    entries: field(array(struct({
      errorCode: field('int16', '0+'),
      errorMessage: field('string', '0+', { nullable: '0+' }),
      entity,
    })), '0+'),
  }),
});

export type AlterClientQuotasRequest = RequestOf<typeof AlterClientQuotas>;
export type AlterClientQuotasResponse = ResponseOf<typeof AlterClientQuotas>;
export type AlterClientQuotasResponseInput = ResponseInputOf<typeof AlterClientQuotas>;
