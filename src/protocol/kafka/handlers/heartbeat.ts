/** Heartbeat: keeps a member's session; REBALANCE_IN_PROGRESS tells it to rejoin. */
import { Heartbeat } from '../api/heartbeat.js';
import { defineHandler } from '../server/handler.js';

export const heartbeatHandler = defineHandler(Heartbeat, (req, { kafka }) => ({
  throttleTimeMs: 0,
  errorCode: kafka.groups.heartbeat(req.groupId, req.memberId, req.generationId, req.groupInstanceId),
}));
