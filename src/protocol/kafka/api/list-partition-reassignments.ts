/**
 * ListPartitionReassignments (key 46): the reassignments in progress (KIP-455).
 *
 * Served: v0 (its only version; flexible).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const ListPartitionReassignments = defineApi({
  apiKey: 46,
  name: 'ListPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  request: struct({
    timeoutMs: field('int32', '0+', { default: 60000 }),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitionIndexes: field(array('int32'), '0+'),
    })), '0+', { nullable: '0+', default: null }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
    errorMessage: field('string', '0+', { nullable: '0+' }),
    topics: field(array(struct({
      name: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        replicas: field(array('int32'), '0+'),
        addingReplicas: field(array('int32'), '0+'),
        removingReplicas: field(array('int32'), '0+'),
      })), '0+'),
    })), '0+'),
  }),
});

export type ListPartitionReassignmentsRequest = RequestOf<typeof ListPartitionReassignments>;
export type ListPartitionReassignmentsResponse = ResponseOf<typeof ListPartitionReassignments>;
export type ListPartitionReassignmentsResponseInput = ResponseInputOf<typeof ListPartitionReassignments>;
