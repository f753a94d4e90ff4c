/**
 * Server-side assignors of KIP-848 consumer groups (group.consumer.assignors: uniform, then
 * range). An assignor computes the group's target assignment from its members' subscriptions
 * (as topic ids of topics that exist) and the previous target; reconciling members towards it
 * is the group's business, not the assignor's.
 */

/** topic id → partitions. */
export type TopicPartitions = ReadonlyMap<string, ReadonlySet<number>>;

export interface AssignorMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  /** Subscribed topics that exist, by id. */
  readonly topics: ReadonlySet<string>;
  /** The member's previous target assignment (for stickiness). */
  readonly previous: TopicPartitions;
}

export interface AssignmentSpec {
  readonly members: readonly AssignorMember[];
  /** Partition count of a subscribed topic. */
  partitions(topicId: string): number;
}

export interface Assignor {
  readonly name: string;
  /** memberId → its new target; every member of the spec appears. */
  assign(spec: AssignmentSpec): Map<string, Map<string, Set<number>>>;
}

/** Adds one partition to an assignment under construction. */
export function addPartition(to: Map<string, Set<number>>, topicId: string, partition: number): void {
  let s = to.get(topicId);
  if (!s) to.set(topicId, (s = new Set()));
  s.add(partition);
}

/** Whether every member subscribes to the same topics (KIP-848's HOMOGENEOUS subscription type). */
export function isHomogeneous(members: readonly AssignorMember[]): boolean {
  const first = members[0];
  if (!first) return true;
  return members.every((m) => m.topics.size === first.topics.size && [...m.topics].every((t) => first.topics.has(t)));
}
