/** DeleteGroups: only groups without members; their committed offsets (share groups: their share partitions' state) are deleted durably. */
import { DeleteGroups } from '../api/delete-groups.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';

export const deleteGroupsHandler = defineHandler(DeleteGroups, async (req, { kafka }) => {
  const offsets = await kafka.vhost.groupOffsets();
  const results = [];
  for (const groupId of req.groupsNames) {
    if (kafka.groups.kind(groupId) === undefined && (await kafka.share.exists(groupId))) {
      let errorCode: number;
      try {
        errorCode = await kafka.share.delete(groupId);
      } catch (e) {
        errorCode = kafkaCode(e);
      }
      results.push({ groupId, errorCode });
      continue;
    }
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
