/** SyncGroup: the leader's assignment is handed to every member once it arrives. */
import { SyncGroup } from '../api/sync-group.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const syncGroupHandler = defineHandler(SyncGroup, async (req, { kafka }) => {
  const group = kafka.groups.group(req.groupId);
  if (group && req.protocolType !== null && group.protocolType !== null && req.protocolType !== group.protocolType) {
    return { throttleTimeMs: 0, errorCode: KafkaError.INCONSISTENT_GROUP_PROTOCOL, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
  }
  const r = await kafka.groups.sync({
    groupId: req.groupId, memberId: req.memberId, generationId: req.generationId, groupInstanceId: req.groupInstanceId, assignments: req.assignments,
    protocolType: req.protocolType, protocolName: req.protocolName,
  });
  return { throttleTimeMs: 0, ...r };
});
