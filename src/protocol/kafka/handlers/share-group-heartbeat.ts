/** ShareGroupHeartbeat (KIP-932): the share coordinator does the work (../groups/share/). */
import { ShareGroupHeartbeat } from '../api/share-group-heartbeat.js';
import { defineHandler } from '../server/handler.js';
import { refuseUnreadableSubscription } from './subscription-access.js';

export const shareGroupHeartbeatHandler = defineHandler(ShareGroupHeartbeat, (req, { kafka, conn, clientId }) => {
  const refused = refuseUnreadableSubscription(conn, req.subscribedTopicNames);
  if (refused !== null) return refused;
  const r = kafka.share.heartbeat({
    groupId: req.groupId, memberId: req.memberId, memberEpoch: req.memberEpoch, rackId: req.rackId,
    subscribedTopicNames: req.subscribedTopicNames, clientId: clientId ?? '', clientHost: `/${conn.remoteAddress}`,
  });
  return { throttleTimeMs: 0, ...r };
}, { releasesRequest: true });
