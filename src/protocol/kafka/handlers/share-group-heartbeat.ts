/** ShareGroupHeartbeat (KIP-932): the share coordinator does the work (../groups/share/). */
import { ShareGroupHeartbeat } from '../api/share-group-heartbeat.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const shareGroupHeartbeatHandler = defineHandler(ShareGroupHeartbeat, (req, { kafka, conn, clientId }) => {
  const session = conn.session;
  const denied = session && req.subscribedTopicNames ? req.subscribedTopicNames.filter((t) => !session.mayAccessTopic(t, 'read')) : [];
  if (denied.length > 0) {
    return {
      throttleTimeMs: 0, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: `Topic authorization failed for topics: ${denied.join(', ')}`,
      memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null,
    };
  }
  const r = kafka.share.heartbeat({
    groupId: req.groupId, memberId: req.memberId, memberEpoch: req.memberEpoch, rackId: req.rackId,
    subscribedTopicNames: req.subscribedTopicNames, clientId: clientId ?? '', clientHost: `/${conn.remoteAddress}`,
  });
  return { throttleTimeMs: 0, ...r };
}, { releasesRequest: true });
