/**
 * ConsumerGroupHeartbeat (KIP-848): the group coordinator does the work (../groups/coordinator.ts).
 * As Kafka, a subscription naming topics the client may not read is refused with
 * TOPIC_AUTHORIZATION_FAILED, and a regex resolves only to topics the client may read.
 */
import { ConsumerGroupHeartbeat } from '../api/consumer-group-heartbeat.js';
import { defineHandler } from '../server/handler.js';
import { refuseUnreadableSubscription } from './subscription-access.js';

export const consumerGroupHeartbeatHandler = defineHandler(ConsumerGroupHeartbeat, (req, { kafka, conn, clientId, version }) => {
  const refused = refuseUnreadableSubscription(conn, req.subscribedTopicNames);
  if (refused !== null) return refused;
  const r = kafka.groups.consumerHeartbeat({
    groupId: req.groupId, memberId: req.memberId, memberEpoch: req.memberEpoch, instanceId: req.instanceId, rackId: req.rackId,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs, subscribedTopicNames: req.subscribedTopicNames, subscribedTopicRegex: req.subscribedTopicRegex,
    serverAssignor: req.serverAssignor, topicPartitions: req.topicPartitions, clientId: clientId ?? '', clientHost: `/${conn.remoteAddress}`,
    mayDescribe: (topic) => conn.session?.mayAccessTopic(topic, 'read') !== false,
  }, version);
  return { throttleTimeMs: 0, ...r };
}, { releasesRequest: true });
