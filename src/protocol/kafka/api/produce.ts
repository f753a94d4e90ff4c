/**
 * Produce (key 0): append record batches to partitions.
 *
 * Served: v3-v11. v0-v2 carry message sets of magic 0/1, which Hopper never stores (its log is
 * RecordBatch v2 only) and which Kafka 4.0 removed (KIP-896); v3 is the first version whose records
 * are RecordBatch v2 and that carries the transactional id. ApiVersions still reports a minimum of 0:
 * librdkafka derives its message-format features from that minimum (KAFKA-18659), as Kafka 4.0 does.
 * kafkajs 2.2.4 sends v7 at most. v8 adds per-record errors to the response; v9 is flexible; v10 adds
 * the tagged current leader and node endpoints (KIP-951); v11 may answer TRANSACTION_ABORTABLE.
 * With acks=0 the broker sends no response at all.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const Produce = defineApi({
  apiKey: 0,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 11,
  flexibleFrom: 9,
  advertisedMinVersion: 0,
  request: struct({
    transactionalId: field('string', '3+', { nullable: '3+', default: null }),
    acks: field('int16', '0+'),
    timeoutMs: field('int32', '0+'),
    topicData: field(array(struct({
      name: field('string', '0+'),
      partitionData: field(array(struct({
        index: field('int32', '0+'),
        records: field('records', '0+', { nullable: '0+' }),
      })), '0+'),
    })), '0+'),
  }),
  response: struct({
    responses: field(array(struct({
      name: field('string', '0+'),
      partitionResponses: field(array(struct({
        index: field('int32', '0+'),
        errorCode: field('int16', '0+'),
        baseOffset: field('int64', '0+'),
        logAppendTimeMs: field('int64', '2+', { default: -1 }),
        logStartOffset: field('int64', '5+', { default: -1 }),
        recordErrors: field(array(struct({
          batchIndex: field('int32', '8+'),
          batchIndexErrorMessage: field('string', '8+', { nullable: '8+', default: null }),
        })), '8+'),
        errorMessage: field('string', '8+', { nullable: '8+', default: null }),
        currentLeader: field(struct({
          leaderId: field('int32', '10+', { default: -1 }),
          leaderEpoch: field('int32', '10+', { default: -1 }),
        }), '10+', { tag: 0 }),
      })), '0+'),
    })), '0+'),
    throttleTimeMs: field('int32', '1+', { default: 0 }),
    nodeEndpoints: field(array(struct({
      nodeId: field('int32', '10+'),
      host: field('string', '10+'),
      port: field('int32', '10+'),
      rack: field('string', '10+', { nullable: '10+', default: null }),
    })), '10+', { tag: 0 }),
  }),
});

export type ProduceRequest = RequestOf<typeof Produce>;
export type ProduceResponse = ResponseOf<typeof Produce>;
export type ProduceResponseInput = ResponseInputOf<typeof Produce>;
