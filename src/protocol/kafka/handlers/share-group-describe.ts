/** ShareGroupDescribe: share groups only; anything else is GROUP_ID_NOT_FOUND, as in Kafka. */
import { ShareGroupDescribe } from '../api/share-group-describe.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const shareGroupDescribeHandler = defineHandler(ShareGroupDescribe, async (req, { kafka }) => {
  const groups = [];
  for (const groupId of req.groupIds) {
    const g = kafka.share.group(groupId);
    const empty = { groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] };
    if (groupId === '') groups.push({ errorCode: KafkaError.INVALID_GROUP_ID, errorMessage: 'Group id must not be empty.', groupId, ...empty });
    else if (g === undefined && !(await kafka.share.exists(groupId))) {
      const other = kafka.groups.kind(groupId) !== undefined;
      groups.push({ errorCode: KafkaError.GROUP_ID_NOT_FOUND, errorMessage: other ? `Group ${groupId} is not a share group.` : `Group ${groupId} not found.`, groupId, ...empty });
    } else {
      groups.push({
        errorCode: KafkaError.NONE, errorMessage: null, groupId, groupState: g?.state ?? 'Empty', groupEpoch: g?.groupEpoch ?? 0,
        assignmentEpoch: g?.assignmentEpoch ?? 0, assignorName: 'simple',
        members: [...(g?.members.values() ?? [])].map((m) => ({
          memberId: m.memberId, rackId: m.rackId, memberEpoch: m.memberEpoch, clientId: m.clientId, clientHost: m.clientHost,
          subscribedTopicNames: m.subscribed,
          assignment: { topicPartitions: [...m.assignment].map(([t, partitions]) => ({ topicId: kafka.topicId(t), topicName: t, partitions })) },
        })),
        authorizedOperations: -2147483648,
      });
    }
  }
  return { throttleTimeMs: 0, groups };
}, { releasesRequest: true });
