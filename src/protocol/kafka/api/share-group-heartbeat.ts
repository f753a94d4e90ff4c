/**
 * ShareGroupHeartbeat (key 76): a share group member (KIP-932) joins (epoch 0), keeps its
 * session, changes its subscription and leaves (epoch -1); the coordinator assigns partitions.
 *
 * Served: v1 (Kafka 4.1/4.2; v0 was 4.0's early access, removed in 4.1). Fields: as v0.
 */
import { defineApi, type RequestOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

const TopicPartitions = struct({
  topicId: field('uuid', '0+'),
  partitions: field(array('int32'), '0+'),
});

export const ShareGroupHeartbeat = defineApi({
  apiKey: 76,
  name: 'ShareGroupHeartbeat',
  minVersion: 1,
  maxVersion: 1,
  flexibleFrom: 0,
  request: struct({
    groupId: field('string', '0+'),
    memberId: field('string', '0+'),
    memberEpoch: field('int32', '0+'),
    rackId: field('string', '0+', { nullable: '0+', default: null }),
    subscribedTopicNames: field(array('string'), '0+', { nullable: '0+', default: null }),
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

export type ShareGroupHeartbeatRequest = RequestOf<typeof ShareGroupHeartbeat>;
export type ShareGroupHeartbeatResponse = ResponseOf<typeof ShareGroupHeartbeat>;
