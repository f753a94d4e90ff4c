/** JoinGroup: answered when the rebalance completes (see ../groups/group.ts). */
import { JoinGroup } from '../api/join-group.js';
import { defineHandler } from '../server/handler.js';

export const joinGroupHandler = defineHandler(JoinGroup, async (req, { kafka, conn, clientId, version }) => {
  const r = await kafka.groups.join({
    groupId: req.groupId,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: clientId ?? '',
    clientHost: `/${conn.remoteAddress}`,
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
    requireKnownMemberId: version >= 4,
  });
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: r.protocolType,
    // Before v7 the name is not nullable.
    protocolName: r.protocolName ?? '',
    leader: r.leader,
    skipAssignment: false,
    memberId: r.memberId,
    members: r.members,
  };
});
