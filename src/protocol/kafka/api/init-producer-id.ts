/**
 * InitProducerId (key 22): a producer id and epoch for idempotent or transactional producers.
 *
 * Served: v0-v5. v2 is flexible, v3 lets a producer bump its epoch by sending its current id and
 * epoch (KIP-360), v4 and v5 add error codes only.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { field, struct } from '../codec/schema.js';

export const InitProducerId = defineApi({
  apiKey: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: 2,
  request: struct({
    transactionalId: field('string', '0+', { nullable: '0+' }),
    transactionTimeoutMs: field('int32', '0+'),
    producerId: field('int64', '3+', { default: -1 }),
    producerEpoch: field('int16', '3+', { default: -1 }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
    producerId: field('int64', '0+', { default: -1 }),
    producerEpoch: field('int16', '0+'),
  }),
});

export type InitProducerIdRequest = RequestOf<typeof InitProducerId>;
export type InitProducerIdResponse = ResponseOf<typeof InitProducerId>;
export type InitProducerIdResponseInput = ResponseInputOf<typeof InitProducerId>;
