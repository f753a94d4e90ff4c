/** LeaveGroup: one member (v0-2) or a batch by member or instance id (v3+). */
import { LeaveGroup } from '../api/leave-group.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const leaveGroupHandler = defineHandler(LeaveGroup, (req, { kafka, version }) => {
  if (version < 3) return { throttleTimeMs: 0, errorCode: kafka.groups.leave(req.groupId, req.memberId, null), members: [] };
  const codes = kafka.groups.leaveMany(req.groupId, req.members);
  const members = req.members.map((m, i) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: codes[i]! }));
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, members };
});
