/**
 * ElectLeaders (key 43): asks the controller to elect preferred (or unclean) leaders (KIP-460).
 *
 * Served: v0-v2. v1 adds the election type and the top-level error code, v2 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const ElectLeaders = defineApi({
  apiKey: 43,
  name: 'ElectLeaders',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: 2,
  request: struct({
    electionType: field('int8', '1+', { default: 0 }),
    topicPartitions: field(array(struct({
      topic: field('string', '0+'),
      partitions: field(array('int32'), '0+'),
    })), '0+', { nullable: '0+' }),
    timeoutMs: field('int32', '0+', { default: 60000 }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '1+', { default: 0 }),
    replicaElectionResults: field(array(struct({
      topic: field('string', '0+'),
      partitionResult: field(array(struct({
        partitionId: field('int32', '0+'),
        errorCode: field('int16', '0+'),
        errorMessage: field('string', '0+', { nullable: '0+' }),
      })), '0+'),
    })), '0+'),
  }),
});

export type ElectLeadersRequest = RequestOf<typeof ElectLeaders>;
export type ElectLeadersResponse = ResponseOf<typeof ElectLeaders>;
export type ElectLeadersResponseInput = ResponseInputOf<typeof ElectLeaders>;
