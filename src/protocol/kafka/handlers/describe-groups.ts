/**
 * DescribeGroups: live classic groups from the coordinator; groups with only committed offsets
 * are Empty. KIP-848 groups are Dead here, as in Kafka (clients describe them with
 * ConsumerGroupDescribe and fall back to this API for classic groups); so are share groups
 * (ShareGroupDescribe).
 */
import { DescribeGroups } from '../api/describe-groups.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const describeGroupsHandler = defineHandler(DescribeGroups, async (req, { kafka }) => {
  const offsets = await kafka.vhost.groupOffsets();
  const known = new Set(offsets.groupNames());
  const shares = new Set(await kafka.share.groupIds());
  return {
    throttleTimeMs: 0,
    groups: req.groups.map((groupId) => {
      const d = kafka.groups.describe(groupId);
      if (kafka.groups.kind(groupId) === 'consumer' || kafka.share.kind(groupId) !== undefined || shares.has(groupId)) {
        return { errorCode: KafkaError.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
      }
      if (!d) {
        return { errorCode: KafkaError.NONE, groupId, groupState: known.has(groupId) ? 'Empty' : 'Dead', protocolType: known.has(groupId) ? 'consumer' : '', protocolData: '', members: [] };
      }
      return {
        errorCode: KafkaError.NONE, groupId, groupState: d.state, protocolType: d.protocolType, protocolData: d.protocolName,
        members: d.members.map((m) => ({
          memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
          memberMetadata: m.metadata, memberAssignment: m.assignment,
        })),
      };
    }),
  };
});
