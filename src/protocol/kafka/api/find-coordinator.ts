/**
 * FindCoordinator (key 10): which broker coordinates a group or a transactional id.
 *
 * Served: v0-v5. KIP-896 lets brokers drop v0, but Debian's librdkafka (2.0.2, kcat) enables
 * consumer groups and lz4 only when the broker serves FindCoordinator v0, so v0 stays.
 * kafkajs 2.2.4 sends v2 at most. v1 adds the key type
 * (0 group, 1 transaction), v3 is flexible, v4 batches keys (KIP-699: the single key fields of the
 * request and response are replaced by lists), v5 may answer TRANSACTION_ABORTABLE.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const FindCoordinator = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: 3,
  request: struct({
    key: field('string', '0-3'),
    keyType: field('int8', '1+', { default: 0 }),
    coordinatorKeys: field(array('string'), '4+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '1+'),
    errorCode: field('int16', '0-3'),
    errorMessage: field('string', '1-3', { nullable: '1-3' }),
    nodeId: field('int32', '0-3'),
    host: field('string', '0-3'),
    port: field('int32', '0-3'),
    coordinators: field(array(struct({
      key: field('string', '4+'),
      nodeId: field('int32', '4+'),
      host: field('string', '4+'),
      port: field('int32', '4+'),
      errorCode: field('int16', '4+'),
      errorMessage: field('string', '4+', { nullable: '4+' }),
    })), '4+'),
  }),
});

export type FindCoordinatorRequest = RequestOf<typeof FindCoordinator>;
export type FindCoordinatorResponse = ResponseOf<typeof FindCoordinator>;
export type FindCoordinatorResponseInput = ResponseInputOf<typeof FindCoordinator>;
