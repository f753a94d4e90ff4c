/** ListGroups: live groups plus groups that have only committed offsets (Empty). */
import { ListGroups } from '../api/list-groups.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const listGroupsHandler = defineHandler(ListGroups, async (req, { kafka }) => {
  const groups = new Map<string, { groupId: string; protocolType: string; groupState: string; groupType: string }>();
  for (const name of (await kafka.vhost.groupOffsets()).groupNames()) {
    groups.set(name, { groupId: name, protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' });
  }
  for (const d of kafka.groups.list()) {
    groups.set(d.groupId, { groupId: d.groupId, protocolType: d.protocolType || 'consumer', groupState: d.state, groupType: 'classic' });
  }
  const states = req.statesFilter.map((s) => s.toLowerCase());
  const types = req.typesFilter.map((s) => s.toLowerCase());
  const out = [...groups.values()].filter((g) =>
    (states.length === 0 || states.includes(g.groupState.toLowerCase())) && (types.length === 0 || types.includes(g.groupType)));
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, groups: out };
});
