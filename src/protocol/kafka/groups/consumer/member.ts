/** One member of a KIP-848 consumer group, whichever protocol it speaks. */
import type { TopicPartitions } from './assignors/types.js';
import type { AssignmentState } from './reconcile.js';

/** What a member that joined with JoinGroup (the classic protocol) also has. */
export interface ClassicMetadata {
  readonly sessionTimeoutMs: number;
  /** As the member listed them in JoinGroup (their metadata is the embedded subscription). */
  readonly protocols: readonly { readonly name: string; readonly metadata: Buffer }[];
}

export interface ConsumerMember {
  readonly memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  serverAssignor: string | null;
  subscribedTopicNames: readonly string[];
  /** null or '' when the member subscribes by name only. */
  subscribedTopicRegex: string | null;
  /** Epochs, state and partitions (./reconcile.ts). */
  a: AssignmentState;
  /** Set for members that use JoinGroup/SyncGroup/Heartbeat (online migration). */
  classic: ClassicMetadata | null;
  /** The member is fenced when the clock passes this without a heartbeat. */
  sessionDeadline: number;
  /** While revoking: fenced if still at `rebalanceEpoch` when the clock passes this. */
  rebalanceDeadline: number;
  rebalanceEpoch: number;
  /** Classic members: must rejoin (join) or sync (sync) before these. */
  joinDeadline: number;
  syncDeadline: number;
}

export const NO_PARTITIONS: TopicPartitions = new Map();

export function newMember(memberId: string): ConsumerMember {
  return {
    memberId, instanceId: null, rackId: null, clientId: '', clientHost: '', rebalanceTimeoutMs: -1, serverAssignor: null,
    subscribedTopicNames: [], subscribedTopicRegex: null,
    a: { state: 'stable', memberEpoch: 0, previousMemberEpoch: 0, assigned: NO_PARTITIONS, pendingRevocation: NO_PARTITIONS },
    classic: null, sessionDeadline: Infinity, rebalanceDeadline: Infinity, rebalanceEpoch: -1, joinDeadline: Infinity, syncDeadline: Infinity,
  };
}

export function hasRegex(m: ConsumerMember): boolean {
  return m.subscribedTopicRegex !== null && m.subscribedTopicRegex !== '';
}

export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** A subscription as stored: sorted, without duplicates (Kafka keeps a set). */
export function normalizeNames(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}
