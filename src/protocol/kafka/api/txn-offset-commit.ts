/**
 * TxnOffsetCommit (key 28): commit group offsets inside a transaction.
 *
 * Served: v0-v4. v2 adds leader epochs, v3 is flexible and adds group generation/member/instance
 * ids (KIP-447), v4 may answer TRANSACTION_ABORTABLE.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const TxnOffsetCommit = defineApi({
  apiKey: 28,
  name: 'TxnOffsetCommit',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 3,
  request: struct({
    transactionalId: field('string', '0+'),
    groupId: field('string', '0+'),
    producerId: field('int64', '0+'),
    producerEpoch: field('int16', '0+'),
    generationId: field('int32', '3+', { default: -1 }),
    memberId: field('string', '3+', { default: '' }),
    groupInstanceId: field('string', '3+', { nullable: '3+', default: null }),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        committedOffset: field('int64', '0+'),
        committedLeaderEpoch: field('int32', '2+', { default: -1 }),
        committedMetadata: field('string', '0+', { nullable: '0+' }),
      })), '0+'),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        errorCode: field('int16', '0+'),
      })), '0+'),
    })), '0+'),
  }),
});

export type TxnOffsetCommitRequest = RequestOf<typeof TxnOffsetCommit>;
export type TxnOffsetCommitResponse = ResponseOf<typeof TxnOffsetCommit>;
export type TxnOffsetCommitResponseInput = ResponseInputOf<typeof TxnOffsetCommit>;
