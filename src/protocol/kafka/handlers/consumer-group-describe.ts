/** ConsumerGroupDescribe: KIP-848 groups only; anything else is GROUP_ID_NOT_FOUND, as in Kafka. */
import { ConsumerGroupDescribe } from '../api/consumer-group-describe.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const consumerGroupDescribeHandler = defineHandler(ConsumerGroupDescribe, (req, { kafka }) => ({
  throttleTimeMs: 0,
  groups: req.groupIds.map((groupId) => {
    const d = groupId === '' ? undefined : kafka.groups.describeConsumerGroup(groupId);
    if (d) return { errorCode: KafkaError.NONE, errorMessage: null, groupId, groupState: d.state, groupEpoch: d.groupEpoch, assignmentEpoch: d.assignmentEpoch, assignorName: d.assignorName, members: d.members };
    const errorCode = groupId === '' ? KafkaError.INVALID_GROUP_ID : KafkaError.GROUP_ID_NOT_FOUND;
    const errorMessage = groupId === '' ? 'Group id must not be empty.'
      : kafka.groups.kind(groupId) === 'classic' || kafka.share.kind(groupId) !== undefined ? `Group ${groupId} is not a consumer group.` : `Group ${groupId} not found.`;
    return { errorCode, errorMessage, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] };
  }),
}), { releasesRequest: true });
