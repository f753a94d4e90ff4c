/**
 * ConsumerGroupHeartbeat (key 68): the KIP-848 consumer group protocol. One request both joins
 * (epoch 0), keeps the session, reports owned partitions and leaves (epoch -1, or -2 for a
 * static member coming back); the coordinator assigns partitions itself.
 *
 * Served: v0-v1 (Kafka 4.0). v1 adds SubscribedTopicRegex and makes the client generate its
 * member id (KIP-1082). Fields left null mean "unchanged since the last heartbeat".
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

const TopicPartitions = struct({
  topicId: field('uuid', '0+'),
  partitions: field(array('int32'), '0+'),
});

export const ConsumerGroupHeartbeat = defineApi({
  apiKey: 68,
  name: 'ConsumerGroupHeartbeat',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 0,
  request: struct({
    groupId: field('string', '0+'),
    memberId: field('string', '0+'),
    memberEpoch: field('int32', '0+'),
    instanceId: field('string', '0+', { nullable: '0+', default: null }),
    rackId: field('string', '0+', { nullable: '0+', default: null }),
    rebalanceTimeoutMs: field('int32', '0+', { default: -1 }),
    subscribedTopicNames: field(array('string'), '0+', { nullable: '0+', default: null }),
    subscribedTopicRegex: field('string', '1+', { nullable: '1+', default: null }),
    serverAssignor: field('string', '0+', { nullable: '0+', default: null }),
    topicPartitions: field(array(TopicPartitions), '0+', { nullable: '0+', default: null }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
    errorMessage: field('string', '0+', { nullable: '0+', default: null }),
    memberId: field('string', '0+', { nullable: '0+', default: null }),
    memberEpoch: field('int32', '0+'),
    heartbeatIntervalMs: field('int32', '0+'),
    assignment: field(struct({
      topicPartitions: field(array(TopicPartitions), '0+'),
    }), '0+', { nullable: '0+', default: null }),
  }),
});

export type ConsumerGroupHeartbeatRequest = RequestOf<typeof ConsumerGroupHeartbeat>;
export type ConsumerGroupHeartbeatResponse = ResponseOf<typeof ConsumerGroupHeartbeat>;
export type ConsumerGroupHeartbeatResponseInput = ResponseInputOf<typeof ConsumerGroupHeartbeat>;
