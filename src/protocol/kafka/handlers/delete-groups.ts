/** DeleteGroups: only groups without members; their committed offsets are deleted durably. */
import { DeleteGroups } from '../api/delete-groups.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';

export const deleteGroupsHandler = defineHandler(DeleteGroups, async (req, { kafka }) => {
  const offsets = await kafka.vhost.groupOffsets();
  const results = [];
  for (const groupId of req.groupsNames) {
    const live = kafka.groups.kind(groupId) !== undefined;
    const hasOffsets = offsets.groupNames().includes(groupId);
    let errorCode: number = KafkaError.NONE;
    if (!live && !hasOffsets) errorCode = KafkaError.GROUP_ID_NOT_FOUND;
    else {
      errorCode = kafka.groups.delete(groupId);
      if (errorCode === KafkaError.NONE) {
        try {
          await offsets.deleteGroup(groupId, kafka.broker.ctx.clock.now());
        } catch (e) {
          errorCode = kafkaCode(e);
        }
      }
    }
    results.push({ groupId, errorCode });
  }
  return { throttleTimeMs: 0, results };
});
