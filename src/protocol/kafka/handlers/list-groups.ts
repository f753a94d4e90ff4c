/** ListGroups: live groups of every type, groups that have only committed offsets (Empty, classic), and share groups (type share, also those with only share state). */
import { ListGroups } from '../api/list-groups.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const listGroupsHandler = defineHandler(ListGroups, async (req, { kafka }) => {
  const groups = new Map<string, { groupId: string; protocolType: string; groupState: string; groupType: string }>();
  for (const name of (await kafka.vhost.groupOffsets()).groupNames()) {
    groups.set(name, { groupId: name, protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' });
  }
  for (const g of kafka.groups.listings()) {
    groups.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType || 'consumer', groupState: g.state, groupType: g.type });
  }
  for (const id of await kafka.share.groupIds()) {
    groups.set(id, { groupId: id, protocolType: 'share', groupState: kafka.share.group(id)?.state ?? 'Empty', groupType: 'share' });
  }
  const states = req.statesFilter.map((s) => s.toLowerCase());
  const types = req.typesFilter.map((s) => s.toLowerCase());
  const out = [...groups.values()].filter((g) =>
    (states.length === 0 || states.includes(g.groupState.toLowerCase())) && (types.length === 0 || types.includes(g.groupType)));
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, groups: out };
});
