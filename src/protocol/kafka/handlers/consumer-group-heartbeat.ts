/**
 * ConsumerGroupHeartbeat (KIP-848): the group coordinator does the work (../groups/coordinator.ts).
 * As Kafka, a subscription naming topics the client may not read is refused with
 * TOPIC_AUTHORIZATION_FAILED, and a regex resolves only to topics the client may read.
 */
import { ConsumerGroupHeartbeat } from '../api/consumer-group-heartbeat.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const consumerGroupHeartbeatHandler = defineHandler(ConsumerGroupHeartbeat, (req, { kafka, conn, clientId, version }) => {
  const session = conn.session;
  const denied = session && req.subscribedTopicNames ? req.subscribedTopicNames.filter((t) => !session.mayAccessTopic(t, 'read')) : [];
  if (denied.length > 0) {
    return {
      throttleTimeMs: 0, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: `Topic authorization failed for topics: ${denied.join(', ')}`,
      memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null,
    };
  }
  const r = kafka.groups.consumerHeartbeat({
    groupId: req.groupId, memberId: req.memberId, memberEpoch: req.memberEpoch, instanceId: req.instanceId, rackId: req.rackId,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs, subscribedTopicNames: req.subscribedTopicNames, subscribedTopicRegex: req.subscribedTopicRegex,
    serverAssignor: req.serverAssignor, topicPartitions: req.topicPartitions, clientId: clientId ?? '', clientHost: `/${conn.remoteAddress}`,
    mayDescribe: (topic) => session?.mayAccessTopic(topic, 'read') !== false,
  }, version);
  return { throttleTimeMs: 0, ...r };
}, { releasesRequest: true });
