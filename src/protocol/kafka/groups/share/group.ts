/**
 * A share group (KIP-932): members, their subscriptions and assignments. Kafka's simple
 * assignor is used in its degenerate form: every member is assigned every partition of the
 * topics it subscribes to, and the share partitions' locks keep members from taking the same
 * record, so consumers of one topic share its records however many there are.
 *
 * In memory, as Kafka's coordinator holds members: after a restart members are unknown and
 * rejoin; the share partitions' state is durable (core/share/).
 */
export interface ShareMember {
  readonly memberId: string;
  memberEpoch: number;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribed: string[];
  /** Topic name → partitions, as last computed. */
  assignment: Map<string, number[]>;
  /** When its session expires (clock ms). */
  expiresAt: number;
}

export class ShareGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ShareMember>();
  constructor(readonly groupId: string) {}

  get state(): 'Empty' | 'Stable' {
    return this.members.size === 0 ? 'Empty' : 'Stable';
  }

  /** Every topic a member subscribes to. */
  subscribedTopics(): Set<string> {
    const out = new Set<string>();
    for (const m of this.members.values()) for (const t of m.subscribed) out.add(t);
    return out;
  }
}

/** The simple assignor as served: all partitions of each subscribed topic that exists. */
export function assignAll(subscribed: readonly string[], partitionsOf: (topic: string) => number | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const t of [...subscribed].sort()) {
    const n = partitionsOf(t);
    if (n === undefined) continue;
    out.set(t, Array.from({ length: n }, (_, i) => i));
  }
  return out;
}

export function sameAssignment(a: Map<string, number[]>, b: Map<string, number[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [t, ps] of a) if (b.get(t)?.length !== ps.length) return false;
  return true;
}
