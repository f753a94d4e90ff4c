/**
 * Metadata (key 3): brokers, controller, topics, partitions and their leaders.
 *
 * Served: v0-v12 (Kafka 4.0 still serves v0). In v0 an empty topic list means all topics; from v1
 * null means all and empty means none. kafkajs 2.2.4 sends v6 at most. v4 adds auto-creation, v7
 * leader epochs, v8 authorized operations, v9 is flexible, v10 topic ids, v12 lookup by topic id.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const Metadata = defineApi({
  apiKey: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 12,
  flexibleFrom: 9,
  request: struct({
    topics: field(array(struct({
      topicId: field('uuid', '10+'),
      name: field('string', '0+', { nullable: '10+' }),
    })), '0+', { nullable: '1+' }),
    allowAutoTopicCreation: field('bool', '4+', { default: true }),
    includeClusterAuthorizedOperations: field('bool', '8-10'),
    includeTopicAuthorizedOperations: field('bool', '8+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '3+'),
    brokers: field(array(struct({
      nodeId: field('int32', '0+'),
      host: field('string', '0+'),
      port: field('int32', '0+'),
      rack: field('string', '1+', { nullable: '1+', default: null }),
    })), '0+'),
    clusterId: field('string', '2+', { nullable: '2+', default: null }),
    controllerId: field('int32', '1+', { default: -1 }),
    topics: field(array(struct({
      errorCode: field('int16', '0+'),
      name: field('string', '0+', { nullable: '12+' }),
      topicId: field('uuid', '10+'),
      isInternal: field('bool', '1+', { default: false }),
      partitions: field(array(struct({
        errorCode: field('int16', '0+'),
        partitionIndex: field('int32', '0+'),
        leaderId: field('int32', '0+'),
        leaderEpoch: field('int32', '7+', { default: -1 }),
        replicaNodes: field(array('int32'), '0+'),
        isrNodes: field(array('int32'), '0+'),
        offlineReplicas: field(array('int32'), '5+'),
      })), '0+'),
      topicAuthorizedOperations: field('int32', '8+', { default: -2147483648 }),
    })), '0+'),
    clusterAuthorizedOperations: field('int32', '8-10', { default: -2147483648 }),
  }),
});

export type MetadataRequest = RequestOf<typeof Metadata>;
export type MetadataResponse = ResponseOf<typeof Metadata>;
export type MetadataResponseInput = ResponseInputOf<typeof Metadata>;
