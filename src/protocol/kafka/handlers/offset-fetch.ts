/**
 * OffsetFetch: committed offsets (-1 where none), one group (v1-7) or a batch of groups (v8+).
 * From v9 a KIP-848 group checks the member and epoch the request names (UNKNOWN_MEMBER_ID,
 * STALE_MEMBER_EPOCH), as Kafka does; classic groups and admin requests (no member) are not checked.
 */
import { OffsetFetch } from '../api/offset-fetch.js';
import { KafkaError } from '../codec/error-codes.js';
import type { GroupOffsets } from '../../../core/topic/group-offsets.js';
import { defineHandler } from '../server/handler.js';

function fetchGroup(offsets: GroupOffsets, groupId: string, topics: readonly { name: string; partitionIndexes: readonly number[] }[] | null) {
  const wanted = topics ?? groupTopics(offsets, groupId);
  return wanted.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((p) => {
      const c = offsets.fetch(groupId, t.name, p);
      return {
        partitionIndex: p, committedOffset: c?.offset ?? -1, committedLeaderEpoch: c?.leaderEpoch ?? -1,
        metadata: c ? c.metadata : '', errorCode: KafkaError.NONE,
      };
    }),
  }));
}

/** Every committed partition of a group, by topic (a request with topics null). */
function groupTopics(offsets: GroupOffsets, groupId: string): { name: string; partitionIndexes: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const c of offsets.list(groupId)) {
    let ps = byTopic.get(c.topic);
    if (!ps) byTopic.set(c.topic, (ps = []));
    ps.push(c.partition);
  }
  return [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
}

export const offsetFetchHandler = defineHandler(OffsetFetch, async (req, { kafka, version }) => {
  const offsets = await kafka.vhost.groupOffsets();
  if (version < 8) {
    return { throttleTimeMs: 0, topics: fetchGroup(offsets, req.groupId, req.topics), errorCode: KafkaError.NONE, groups: [] };
  }
  return {
    throttleTimeMs: 0,
    topics: [],
    groups: req.groups.map((g) => {
      const errorCode = kafka.groups.checkFetch(g.groupId, g.memberId, g.memberEpoch);
      return { groupId: g.groupId, topics: errorCode === KafkaError.NONE ? fetchGroup(offsets, g.groupId, g.topics) : [], errorCode };
    }),
  };
});
