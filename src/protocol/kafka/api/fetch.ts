/**
 * Fetch (key 1): read record batches from partitions (consumers; followers in Kafka).
 *
 * Served: v4-v17 (KIP-896 floor: v4 is the first version with isolation level and aborted
 * transactions; v0-v3 return magic 0/1 message sets). kafkajs 2.2.4 sends v11 at most. v5 adds log
 * start offsets, v7 fetch sessions (KIP-227), v9 the current leader epoch, v11 the rack id and
 * preferred read replica, v12 is flexible with tagged diverging epoch / current leader / snapshot id,
 * v13 replaces topic names by topic ids (KIP-516), v15 moves the replica id into a tagged replica
 * state, v16 adds node endpoints (KIP-951), v17 the replica directory id (KIP-853).
 * Response records are opaque bytes, encoded by reference (a list of batch buffers is accepted).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const Fetch = defineApi({
  apiKey: 1,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 17,
  flexibleFrom: 12,
  request: struct({
    clusterId: field('string', '12+', { nullable: '12+', tag: 0, default: null }),
    replicaId: field('int32', '0-14', { default: -1 }),
    replicaState: field(struct({
      replicaId: field('int32', '15+', { default: -1 }),
      replicaEpoch: field('int64', '15+', { default: -1 }),
    }), '15+', { tag: 1 }),
    maxWaitMs: field('int32', '0+'),
    minBytes: field('int32', '0+'),
    maxBytes: field('int32', '3+', { default: 0x7fffffff }),
    isolationLevel: field('int8', '4+', { default: 0 }),
    sessionId: field('int32', '7+', { default: 0 }),
    sessionEpoch: field('int32', '7+', { default: -1 }),
    topics: field(array(struct({
      topic: field('string', '0-12'),
      topicId: field('uuid', '13+'),
      partitions: field(array(struct({
        partition: field('int32', '0+'),
        currentLeaderEpoch: field('int32', '9+', { default: -1 }),
        fetchOffset: field('int64', '0+'),
        lastFetchedEpoch: field('int32', '12+', { default: -1 }),
        logStartOffset: field('int64', '5+', { default: -1 }),
        partitionMaxBytes: field('int32', '0+'),
        replicaDirectoryId: field('uuid', '17+', { tag: 0 }),
      })), '0+'),
    })), '0+'),
    forgottenTopicsData: field(array(struct({
      topic: field('string', '7-12'),
      topicId: field('uuid', '13+'),
      partitions: field(array('int32'), '7+'),
    })), '7+'),
    rackId: field('string', '11+', { default: '' }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '1+'),
    errorCode: field('int16', '7+'),
    sessionId: field('int32', '7+', { default: 0 }),
    responses: field(array(struct({
      topic: field('string', '0-12'),
      topicId: field('uuid', '13+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        errorCode: field('int16', '0+'),
        highWatermark: field('int64', '0+'),
        lastStableOffset: field('int64', '4+', { default: -1 }),
        logStartOffset: field('int64', '5+', { default: -1 }),
        divergingEpoch: field(struct({
          epoch: field('int32', '12+', { default: -1 }),
          endOffset: field('int64', '12+', { default: -1 }),
        }), '12+', { tag: 0 }),
        currentLeader: field(struct({
          leaderId: field('int32', '12+', { default: -1 }),
          leaderEpoch: field('int32', '12+', { default: -1 }),
        }), '12+', { tag: 1 }),
        snapshotId: field(struct({
          endOffset: field('int64', '0+', { default: -1 }),
          epoch: field('int32', '0+', { default: -1 }),
        }), '12+', { tag: 2 }),
        abortedTransactions: field(array(struct({
          producerId: field('int64', '4+'),
          firstOffset: field('int64', '4+'),
        })), '4+', { nullable: '4+' }),
        preferredReadReplica: field('int32', '11+', { default: -1 }),
        records: field('records', '0+', { nullable: '0+' }),
      })), '0+'),
    })), '0+'),
    nodeEndpoints: field(array(struct({
      nodeId: field('int32', '16+'),
      host: field('string', '16+'),
      port: field('int32', '16+'),
      rack: field('string', '16+', { nullable: '16+', default: null }),
    })), '16+', { tag: 0 }),
  }),
});

export type FetchRequest = RequestOf<typeof Fetch>;
export type FetchResponse = ResponseOf<typeof Fetch>;
export type FetchResponseInput = ResponseInputOf<typeof Fetch>;
