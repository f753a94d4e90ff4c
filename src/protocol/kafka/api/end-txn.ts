/**
 * EndTxn (key 26): commit or abort a transaction.
 *
 * Served: v0-v4. v3 is flexible, v4 may answer TRANSACTION_ABORTABLE. v5 belongs to transactions
 * v2 (KIP-890 part 2: the epoch bumps on every commit) which Hopper does not advertise.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { field, struct } from '../codec/schema.js';

export const EndTxn = defineApi({
  apiKey: 26,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 3,
  request: struct({
    transactionalId: field('string', '0+'),
    producerId: field('int64', '0+'),
    producerEpoch: field('int16', '0+'),
    committed: field('bool', '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
  }),
});

export type EndTxnRequest = RequestOf<typeof EndTxn>;
export type EndTxnResponse = ResponseOf<typeof EndTxn>;
export type EndTxnResponseInput = ResponseInputOf<typeof EndTxn>;
