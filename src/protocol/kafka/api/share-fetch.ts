/**
 * ShareFetch (key 78): a share group member's fetch (KIP-932): acquires records for it (locked
 * for the acquisition lock duration), returning their batches and the acquired offset ranges
 * with delivery counts, and carries acknowledgements of records it acquired before. Share
 * sessions: epoch 0 opens one, -1 closes it, otherwise the next epoch.
 *
 * Served: v1-v2 (Kafka 4.1 serves v1, 4.2 v2: ShareAcquireMode and IsRenewAck, KIP-1206/1222).
 */
import { defineApi, type RequestOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const AcknowledgementBatch = struct({
  firstOffset: field('int64', '0+'),
  lastOffset: field('int64', '0+'),
  acknowledgeTypes: field(array('int8'), '0+'),
});

export const NodeEndpoint = struct({
  nodeId: field('int32', '0+'),
  host: field('string', '0+'),
  port: field('int32', '0+'),
  rack: field('string', '0+', { nullable: '0+', default: null }),
});

export const LeaderIdAndEpoch = struct({
  leaderId: field('int32', '0+'),
  leaderEpoch: field('int32', '0+'),
});

export const ShareFetch = defineApi({
  apiKey: 78,
  name: 'ShareFetch',
  minVersion: 1,
  maxVersion: 2,
  flexibleFrom: 0,
  request: struct({
    groupId: field('string', '0+', { nullable: '0+', default: null }),
    memberId: field('string', '0+', { nullable: '0+' }),
    shareSessionEpoch: field('int32', '0+'),
    maxWaitMs: field('int32', '0+'),
    minBytes: field('int32', '0+'),
    maxBytes: field('int32', '0+', { default: 0x7fffffff }),
    maxRecords: field('int32', '1+'),
    batchSize: field('int32', '1+'),
    shareAcquireMode: field('int8', '2+'),
    isRenewAck: field('bool', '2+'),
    topics: field(array(struct({
      topicId: field('uuid', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        partitionMaxBytes: field('int32', '0'),
        acknowledgementBatches: field(array(AcknowledgementBatch), '0+'),
      })), '0+'),
    })), '0+'),
    forgottenTopicsData: field(array(struct({
      topicId: field('uuid', '0+'),
      partitions: field(array('int32'), '0+'),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
    errorMessage: field('string', '0+', { nullable: '0+', default: null }),
    acquisitionLockTimeoutMs: field('int32', '1+'),
    responses: field(array(struct({
      topicId: field('uuid', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        errorCode: field('int16', '0+'),
        errorMessage: field('string', '0+', { nullable: '0+', default: null }),
        acknowledgeErrorCode: field('int16', '0+'),
        acknowledgeErrorMessage: field('string', '0+', { nullable: '0+', default: null }),
        currentLeader: field(LeaderIdAndEpoch, '0+'),
        records: field('records', '0+', { nullable: '0+' }),
        acquiredRecords: field(array(struct({
          firstOffset: field('int64', '0+'),
          lastOffset: field('int64', '0+'),
          deliveryCount: field('int16', '0+'),
        })), '0+'),
      })), '0+'),
    })), '0+'),
    nodeEndpoints: field(array(NodeEndpoint), '0+'),
  }),
});

export type ShareFetchRequest = RequestOf<typeof ShareFetch>;
export type ShareFetchResponse = ResponseOf<typeof ShareFetch>;
