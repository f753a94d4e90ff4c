/**
 * ShareAcknowledge (key 79): acknowledgements of records a share group member acquired, without
 * fetching more. Served: v1-v2 (Kafka 4.1/4.2; v2 adds IsRenewAck and the lock timeout).
 */
import { defineApi, type RequestOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';
import { AcknowledgementBatch, LeaderIdAndEpoch, NodeEndpoint } from './share-fetch.js';

export const ShareAcknowledge = defineApi({
  apiKey: 79,
  name: 'ShareAcknowledge',
  minVersion: 1,
  maxVersion: 2,
  flexibleFrom: 0,
  request: struct({
    groupId: field('string', '0+', { nullable: '0+', default: null }),
    memberId: field('string', '0+', { nullable: '0+' }),
    shareSessionEpoch: field('int32', '0+'),
    isRenewAck: field('bool', '2+'),
    topics: field(array(struct({
      topicId: field('uuid', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        acknowledgementBatches: field(array(AcknowledgementBatch), '0+'),
      })), '0+'),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
    errorMessage: field('string', '0+', { nullable: '0+', default: null }),
    acquisitionLockTimeoutMs: field('int32', '2+'),
    responses: field(array(struct({
      topicId: field('uuid', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        errorCode: field('int16', '0+'),
        errorMessage: field('string', '0+', { nullable: '0+', default: null }),
        currentLeader: field(LeaderIdAndEpoch, '0+'),
      })), '0+'),
    })), '0+'),
    nodeEndpoints: field(array(NodeEndpoint), '0+'),
  }),
});

export type ShareAcknowledgeRequest = RequestOf<typeof ShareAcknowledge>;
export type ShareAcknowledgeResponse = ResponseOf<typeof ShareAcknowledge>;
