/**
 * AddPartitionsToTxn (key 24): add partitions to a producer's transaction.
 *
 * Served: v0-v3, the versions clients send. v4+ batches several transactions and is for brokers
 * verifying transactions among themselves (KIP-890); Hopper has no peer brokers to serve it to.
 * kafkajs 2.2.4 sends v1 at most; v3 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const AddPartitionsToTxn = defineApi({
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 3,
  request: struct({
    v3AndBelowTransactionalId: field('string', '0-3'),
    v3AndBelowProducerId: field('int64', '0-3'),
    v3AndBelowProducerEpoch: field('int16', '0-3'),
    v3AndBelowTopics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array('int32'), '0+'),
    })), '0-3'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    resultsByTopicV3AndBelow: field(array(struct({
      name: field('string', '0+'),
      resultsByPartition: field(array(struct({
        partitionIndex: field('int32', '0+'),
        partitionErrorCode: field('int16', '0+'),
      })), '0+'),
    })), '0-3'),
  }),
});

export type AddPartitionsToTxnRequest = RequestOf<typeof AddPartitionsToTxn>;
export type AddPartitionsToTxnResponse = ResponseOf<typeof AddPartitionsToTxn>;
export type AddPartitionsToTxnResponseInput = ResponseInputOf<typeof AddPartitionsToTxn>;
