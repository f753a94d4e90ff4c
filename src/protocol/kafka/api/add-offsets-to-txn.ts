/**
 * AddOffsetsToTxn (key 25): add a group's offsets topic partition to a transaction.
 *
 * Served: v0-v4. v3 is flexible, v4 may answer TRANSACTION_ABORTABLE.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { field, struct } from '../codec/schema.js';

export const AddOffsetsToTxn = defineApi({
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 3,
  request: struct({
    transactionalId: field('string', '0+'),
    producerId: field('int64', '0+'),
    producerEpoch: field('int16', '0+'),
    groupId: field('string', '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
  }),
});

export type AddOffsetsToTxnRequest = RequestOf<typeof AddOffsetsToTxn>;
export type AddOffsetsToTxnResponse = ResponseOf<typeof AddOffsetsToTxn>;
export type AddOffsetsToTxnResponseInput = ResponseInputOf<typeof AddOffsetsToTxn>;
