/**
 * The "uniform" assignor (KIP-848's default): balance first (members' partition counts differ
 * by at most one where their subscriptions allow it), then stickiness (a partition stays with
 * its previous owner unless balance needs it elsewhere), so a rebalance moves as few partitions
 * as it can.
 *
 * Homogeneous groups (every member subscribes to the same topics) get exact quotas in one pass.
 * Otherwise partitions are placed on their least-loaded eligible member, scarcest first, and a
 * bounded number of balancing passes then moves partitions from more to less loaded members.
 */
import { addPartition, type AssignmentSpec, type Assignor, type AssignorMember, isHomogeneous } from './types.js';

/** Balancing passes for heterogeneous subscriptions (Kafka also bounds its iterations). */
const MAX_BALANCE_PASSES = 16;

interface Slot {
  readonly member: AssignorMember;
  readonly assigned: Map<string, Set<number>>;
  count: number;
}

const key = (topicId: string, partition: number): string => `${topicId}:${partition}`;

/** Every partition of the subscribed topics, in topic-id then partition order. */
function allPartitions(spec: AssignmentSpec): [string, number][] {
  const topics = new Set<string>();
  for (const m of spec.members) for (const t of m.topics) topics.add(t);
  const out: [string, number][] = [];
  for (const t of [...topics].sort()) for (let p = 0; p < spec.partitions(t); p++) out.push([t, p]);
  return out;
}

/** Previous partitions a member may keep: still subscribed and still existing, and unclaimed. */
function keepable(slot: Slot, spec: AssignmentSpec, claimed: Set<string>): [string, number][] {
  const out: [string, number][] = [];
  for (const [t, ps] of [...slot.member.previous].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!slot.member.topics.has(t)) continue;
    const count = spec.partitions(t);
    for (const p of [...ps].sort((a, b) => a - b)) if (p < count && !claimed.has(key(t, p))) out.push([t, p]);
  }
  return out;
}

function give(slot: Slot, claimed: Set<string>, t: string, p: number): void {
  addPartition(slot.assigned, t, p);
  claimed.add(key(t, p));
  slot.count++;
}

function assignHomogeneous(spec: AssignmentSpec, slots: Slot[]): void {
  const partitions = allPartitions(spec);
  const minQuota = Math.floor(partitions.length / slots.length);
  let extra = partitions.length % slots.length;
  const claimed = new Set<string>();
  // Keep up to the quota of what each member had, one more while longer quotas are left.
  for (const slot of slots) {
    const mine = keepable(slot, spec, claimed);
    let quota = minQuota;
    if (mine.length > minQuota && extra > 0) {
      quota++;
      extra--;
    }
    for (const [t, p] of mine.slice(0, quota)) give(slot, claimed, t, p);
  }
  const free = partitions.filter(([t, p]) => !claimed.has(key(t, p)));
  let i = 0;
  for (const slot of slots) while (slot.count < minQuota && i < free.length) give(slot, claimed, ...free[i++]!);
  for (const slot of slots) {
    if (i >= free.length || extra === 0) break;
    if (slot.count === minQuota) {
      give(slot, claimed, ...free[i++]!);
      extra--;
    }
  }
}

function assignHeterogeneous(spec: AssignmentSpec, slots: Slot[]): void {
  const subscribers = new Map<string, Slot[]>();
  for (const slot of slots) for (const t of slot.member.topics) {
    let list = subscribers.get(t);
    if (!list) subscribers.set(t, (list = []));
    list.push(slot);
  }
  const claimed = new Set<string>();
  for (const slot of slots) for (const [t, p] of keepable(slot, spec, claimed)) give(slot, claimed, t, p);
  const leastLoaded = (t: string): Slot => subscribers.get(t)!.reduce((a, b) => (b.count < a.count ? b : a));
  // Place what is left, partitions with the fewest eligible members first.
  const free = allPartitions(spec).filter(([t, p]) => !claimed.has(key(t, p)));
  free.sort(([a], [b]) => subscribers.get(a)!.length - subscribers.get(b)!.length);
  for (const [t, p] of free) give(leastLoaded(t), claimed, t, p);
  // Balance: move partitions from a member to an eligible one with at least two fewer.
  for (let pass = 0; pass < MAX_BALANCE_PASSES; pass++) {
    let moved = false;
    for (const slot of [...slots].sort((a, b) => b.count - a.count)) {
      for (const [t, ps] of slot.assigned) {
        for (const p of [...ps].sort((a, b) => b - a)) {
          const to = leastLoaded(t);
          if (to.count >= slot.count - 1) break;
          ps.delete(p);
          if (ps.size === 0) slot.assigned.delete(t);
          slot.count--;
          addPartition(to.assigned, t, p);
          to.count++;
          moved = true;
        }
      }
    }
    if (!moved) break;
  }
}

export const uniformAssignor: Assignor = {
  name: 'uniform',
  assign(spec: AssignmentSpec) {
    const slots: Slot[] = [...spec.members]
      .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
      .map((member) => ({ member, assigned: new Map(), count: 0 }));
    if (slots.length > 0) {
      if (isHomogeneous(spec.members)) assignHomogeneous(spec, slots);
      else assignHeterogeneous(spec, slots);
    }
    return new Map(slots.map((s) => [s.member.memberId, s.assigned]));
  },
};
