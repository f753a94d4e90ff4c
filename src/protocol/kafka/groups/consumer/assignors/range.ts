/**
 * The "range" assignor: each topic's partitions are split into contiguous ranges over the
 * members subscribed to it, in a fixed member order (static members by instance id first, then
 * the others by member id), the first `partitions % members` ranges one longer. When every
 * member subscribes to the same topics of equal size, each member gets the same partition
 * numbers of every topic (co-partitioning, for joins). Not sticky beyond that order, as Kafka's.
 */
import { addPartition, type AssignmentSpec, type Assignor, type AssignorMember } from './types.js';

function byRangeOrder(a: AssignorMember, b: AssignorMember): number {
  if (a.instanceId !== null && b.instanceId !== null) return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
  if (a.instanceId !== null) return -1;
  if (b.instanceId !== null) return 1;
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

export const rangeAssignor: Assignor = {
  name: 'range',
  assign(spec: AssignmentSpec) {
    const members = [...spec.members].sort(byRangeOrder);
    const subscribers = new Map<string, number>();
    for (const m of members) for (const t of m.topics) subscribers.set(t, (subscribers.get(t) ?? 0) + 1);
    // Per topic: where the next range starts and how many longer ranges are left.
    const next = new Map<string, { start: number; extra: number; quota: number; count: number }>();
    for (const [t, n] of subscribers) {
      const count = spec.partitions(t);
      next.set(t, { start: 0, extra: count % n, quota: Math.floor(count / n), count });
    }
    const out = new Map<string, Map<string, Set<number>>>();
    for (const m of members) {
      const mine = new Map<string, Set<number>>();
      for (const t of [...m.topics].sort()) {
        const r = next.get(t)!;
        let len = r.quota;
        if (r.extra > 0) {
          len++;
          r.extra--;
        }
        const end = Math.min(r.start + len, r.count);
        for (let p = r.start; p < end; p++) addPartition(mine, t, p);
        r.start = end;
      }
      out.set(m.memberId, mine);
    }
    return out;
  },
};
