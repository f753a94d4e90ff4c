/**
 * DescribeQuorum (key 55): the KRaft metadata quorum: its leader, voters and observers (KIP-595).
 *
 * Served: v0-v2 (all flexible). v1 adds replicas' fetch and catch-up times, v2 error messages,
 * directory ids and the voters' listeners (KIP-853).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

const replicaState = struct({
  replicaId: field('int32', '0+'),
  replicaDirectoryId: field('uuid', '2+'),
  logEndOffset: field('int64', '0+'),
  lastFetchTimestamp: field('int64', '1+', { default: -1 }),
  lastCaughtUpTimestamp: field('int64', '1+', { default: -1 }),
});

export const DescribeQuorum = defineApi({
  apiKey: 55,
  name: 'DescribeQuorum',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: 0,
  request: struct({
    topics: field(array(struct({
      topicName: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
      })), '0+'),
    })), '0+'),
  }),
  response: struct({
    errorCode: field('int16', '0+'),
    errorMessage: field('string', '2+', { nullable: '2+', default: null }),
    topics: field(array(struct({
      topicName: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        errorCode: field('int16', '0+'),
        errorMessage: field('string', '2+', { nullable: '2+', default: null }),
        leaderId: field('int32', '0+'),
        leaderEpoch: field('int32', '0+'),
        highWatermark: field('int64', '0+'),
        currentVoters: field(array(replicaState), '0+'),
        observers: field(array(replicaState), '0+'),
      })), '0+'),
    })), '0+'),
    nodes: field(array(struct({
      nodeId: field('int32', '2+'),
      listeners: field(array(struct({
        name: field('string', '2+'),
        host: field('string', '2+'),
        port: field('uint16', '2+'),
      })), '2+'),
    })), '2+'),
  }),
});

export type DescribeQuorumRequest = RequestOf<typeof DescribeQuorum>;
export type DescribeQuorumResponse = ResponseOf<typeof DescribeQuorum>;
export type DescribeQuorumResponseInput = ResponseInputOf<typeof DescribeQuorum>;
