/**
 * Reconciliation of one member of a KIP-848 group towards its target assignment: the state
 * machine that makes partitions move only once their previous owner has released them.
 *
 *   STABLE ── new target epoch ──▶ revoke first: UNREVOKED_PARTITIONS (epoch kept, the member is
 *     ▲                             told its smaller assignment and must stop using the rest)
 *     │                                  │ its heartbeat no longer reports them as owned
 *     │                                  ▼
 *     └──── all assigned ◀── assign what is free; what another member still holds waits:
 *                            UNRELEASED_PARTITIONS (epoch = target epoch), assigned when freed
 *
 * Pure: the group supplies who owns what (partitionEpoch) and applies the result.
 */
import type { TopicPartitions } from './assignors/types.js';

export type MemberState = 'stable' | 'unrevoked_partitions' | 'unreleased_partitions';

export interface AssignmentState {
  readonly state: MemberState;
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  /** Partitions the member may use now. */
  readonly assigned: TopicPartitions;
  /** Partitions the member must give up before it may move to a new epoch. */
  readonly pendingRevocation: TopicPartitions;
}

/** Owned partitions as a heartbeat reports them; null when the heartbeat left them out. */
export type OwnedPartitions = readonly { readonly topicId: string; readonly partitions: readonly number[] }[] | null;

export interface ReconcileInput {
  readonly targetEpoch: number;
  readonly target: TopicPartitions;
  /** Topics (by id) the member subscribes to now: partitions of others are revoked. */
  readonly subscribedTopicIds: ReadonlySet<string>;
  /** The subscription changed in this heartbeat: drop unsubscribed topics even when reconciled. */
  readonly subscriptionChanged: boolean;
  readonly owned: OwnedPartitions;
  /** The epoch of the member owning a partition (assigned or pending revocation), -1 if free. */
  partitionEpoch(topicId: string, partition: number): number;
}

const EMPTY: TopicPartitions = new Map();

export function isReconciledTo(s: AssignmentState, targetEpoch: number): boolean {
  return s.state === 'stable' && s.memberEpoch === targetEpoch;
}

/** The member's next assignment state, or `s` itself when nothing can change yet. */
export function reconcile(s: AssignmentState, input: ReconcileInput): AssignmentState {
  if (!input.subscriptionChanged && isReconciledTo(s, input.targetEpoch)) return s;
  switch (s.state) {
    case 'stable':
      if (s.memberEpoch !== input.targetEpoch) return nextAssignment(s, s.memberEpoch, input);
      return input.subscriptionChanged ? dropUnsubscribed(s, input) : s;
    case 'unrevoked_partitions':
      if (ownsAny(input.owned, s.pendingRevocation)) return input.subscriptionChanged ? dropUnsubscribed(s, input) : s;
      // Revoked: move on, but not past the target epoch (a subscription change may have led here
      // before the new target exists).
      return nextAssignment(s, Math.min(s.memberEpoch + 1, input.targetEpoch), input);
    case 'unreleased_partitions':
      return nextAssignment(s, s.memberEpoch, input);
  }
}

/** Whether the reported owned partitions include any of `of` (unknown: assume so). */
function ownsAny(owned: OwnedPartitions, of: TopicPartitions): boolean {
  if (owned === null) return true;
  for (const tp of owned) {
    const ps = of.get(tp.topicId);
    if (ps && tp.partitions.some((p) => ps.has(p))) return true;
  }
  return false;
}

/** The assignment without topics the member no longer subscribes to (those await revocation). */
function dropUnsubscribed(s: AssignmentState, input: ReconcileInput): AssignmentState {
  const assigned = new Map<string, ReadonlySet<number>>();
  const pending = new Map<string, Set<number>>();
  for (const [t, ps] of s.pendingRevocation) pending.set(t, new Set(ps));
  let dropped = false;
  for (const [t, ps] of s.assigned) {
    if (input.subscribedTopicIds.has(t)) assigned.set(t, ps);
    else {
      dropped = true;
      const into = pending.get(t) ?? new Set<number>();
      for (const p of ps) into.add(p);
      pending.set(t, into);
    }
  }
  if (!dropped) return s;
  if (pending.size > 0 && ownsAny(input.owned, pending)) {
    return { ...s, state: 'unrevoked_partitions', assigned, pendingRevocation: pending };
  }
  return { ...s, assigned };
}

function nextAssignment(s: AssignmentState, memberEpoch: number, input: ReconcileInput): AssignmentState {
  const assigned = new Map<string, Set<number>>();
  const revoke = new Map<string, Set<number>>();
  const toAssign = new Map<string, Set<number>>();
  let unreleased = false;
  const topics = new Set([...input.target.keys(), ...s.assigned.keys()]);
  for (const t of topics) {
    const target = input.subscribedTopicIds.has(t) ? (input.target.get(t) ?? new Set<number>()) : new Set<number>();
    const current = s.assigned.get(t) ?? new Set<number>();
    const keep = new Set([...current].filter((p) => target.has(p)));
    const gone = [...current].filter((p) => !keep.has(p));
    const add = [...target].filter((p) => !keep.has(p));
    const free = add.filter((p) => input.partitionEpoch(t, p) === -1);
    if (free.length < add.length) unreleased = true;
    if (keep.size > 0) assigned.set(t, keep);
    if (gone.length > 0) revoke.set(t, new Set(gone));
    if (free.length > 0) toAssign.set(t, new Set(free));
  }
  if (revoke.size > 0 && ownsAny(input.owned, revoke)) {
    // Revoke first; the member keeps its epoch until its heartbeat shows them released.
    return { state: 'unrevoked_partitions', memberEpoch, previousMemberEpoch: s.memberEpoch, assigned, pendingRevocation: revoke };
  }
  for (const [t, ps] of toAssign) {
    const into = assigned.get(t) ?? new Set<number>();
    for (const p of ps) into.add(p);
    assigned.set(t, into);
  }
  return {
    state: unreleased ? 'unreleased_partitions' : 'stable',
    memberEpoch: input.targetEpoch,
    previousMemberEpoch: s.memberEpoch,
    assigned,
    pendingRevocation: EMPTY,
  };
}

/** Whether two assignments hold the same partitions. */
export function sameAssignment(a: TopicPartitions, b: TopicPartitions): boolean {
  if (a === b) return true;
  let na = 0;
  for (const ps of a.values()) na += ps.size;
  let nb = 0;
  for (const ps of b.values()) nb += ps.size;
  if (na !== nb) return false;
  for (const [t, ps] of a) {
    const other = b.get(t);
    if (ps.size > 0 && !other) return false;
    for (const p of ps) if (!other!.has(p)) return false;
  }
  return true;
}

export function isSubsetOf(owned: OwnedPartitions, of: TopicPartitions): boolean {
  if (owned === null) return false;
  return owned.every((tp) => {
    const ps = of.get(tp.topicId);
    return tp.partitions.every((p) => ps?.has(p) === true);
  });
}
