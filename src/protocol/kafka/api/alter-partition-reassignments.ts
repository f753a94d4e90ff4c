/**
 * AlterPartitionReassignments (key 45): moves partitions to other replicas (KIP-455).
 *
 * Served: v0, as Kafka 3.9 (v1, Kafka 4.1, adds AllowReplicationFactorChange).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const AlterPartitionReassignments = defineApi({
  apiKey: 45,
  name: 'AlterPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  request: struct({
    timeoutMs: field('int32', '0+', { default: 60000 }),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        replicas: field(array('int32'), '0+', { nullable: '0+', default: null }),
      })), '0+'),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
    errorMessage: field('string', '0+', { nullable: '0+' }),
    responses: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        errorCode: field('int16', '0+'),
        errorMessage: field('string', '0+', { nullable: '0+' }),
      })), '0+'),
    })), '0+'),
  }),
});

export type AlterPartitionReassignmentsRequest = RequestOf<typeof AlterPartitionReassignments>;
export type AlterPartitionReassignmentsResponse = ResponseOf<typeof AlterPartitionReassignments>;
export type AlterPartitionReassignmentsResponseInput = ResponseInputOf<typeof AlterPartitionReassignments>;
