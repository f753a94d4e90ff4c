/**
 * One KIP-848 consumer group: its members, the group epoch (bumped by every membership or
 * subscription change), the target assignment computed by the server-side assignor for an
 * assignment epoch, and who owns which partition now (so a partition is handed to its next
 * owner only once the previous one has released it). Sans-IO like the classic Group: time is
 * passed in, and the coordinator's tick drives the timeouts.
 *
 * The request flows (ConsumerGroupHeartbeat, and JoinGroup/SyncGroup/Heartbeat/LeaveGroup of
 * classic members) live in ./heartbeat.ts and ./classic-members.ts; this file holds the state
 * and the steps they share.
 */
import type { Assignor, TopicPartitions } from './assignors/types.js';
import { type ConsumerMember, hasRegex, NO_PARTITIONS } from './member.js';
import { type AssignmentState, isReconciledTo, type OwnedPartitions, reconcile, sameAssignment } from './reconcile.js';
import { RegexSubscriptions, type TopicsView } from './regex-subscriptions.js';
import { GroupFailure } from '../failure.js';
import { KafkaError } from '../../codec/error-codes.js';

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

export type MigrationPolicy = 'bidirectional' | 'upgrade' | 'downgrade' | 'disabled';

/** Broker settings of consumer groups (Kafka's group.consumer.*). */
export interface ConsumerGroupSettings {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxSize: number;
  /** The first is the default. */
  assignors: readonly Assignor[];
  migrationPolicy: MigrationPolicy;
}

interface Owner {
  readonly memberId: string;
  readonly epoch: number;
}

export class ConsumerGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerMember>();
  private readonly statics = new Map<string, string>();
  private readonly target = new Map<string, TopicPartitions>();
  /** topic id → partition → current owner (assigned or pending revocation). */
  private readonly owners = new Map<string, Map<number, Owner>>();
  readonly regexes = new RegexSubscriptions();
  /** The subscribed topics' ids and sizes when last checked; a change bumps the epoch. */
  private subscriptionSignature = '';
  private signatureVersion = -1;
  private readonly assignorVotes = new Map<string, number>();

  constructor(
    readonly groupId: string,
    readonly settings: ConsumerGroupSettings,
  ) {}

  get size(): number {
    return this.members.size;
  }

  get state(): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (!isReconciledTo(m.a, this.assignmentEpoch)) return 'Reconciling';
    return 'Stable';
  }

  member(memberId: string): ConsumerMember | undefined {
    return this.members.get(memberId);
  }

  staticMember(instanceId: string): ConsumerMember | undefined {
    const id = this.statics.get(instanceId);
    return id === undefined ? undefined : this.members.get(id);
  }

  get classicMembers(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.classic) n++;
    return n;
  }

  throwIfFull(memberId: string): void {
    if (this.members.size >= this.settings.maxSize && (memberId === '' || !this.members.has(memberId))) {
      throw new GroupFailure(KafkaError.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.settings.maxSize} members.`);
    }
  }

  /** Adds a new member or stores changes to a known one (keeping the indexes right). */
  put(m: ConsumerMember, before: ConsumerMember | null): void {
    // Count the new subscription before dropping the old, so an unchanged regex keeps its resolution.
    if (hasRegex(m)) this.regexes.add(m.subscribedTopicRegex!);
    if (m.serverAssignor !== null) this.vote(m.serverAssignor, 1);
    if (before) {
      if (before.serverAssignor !== null) this.vote(before.serverAssignor, -1);
      if (hasRegex(before)) this.regexes.remove(before.subscribedTopicRegex!);
      if (before.instanceId !== null && this.statics.get(before.instanceId) === before.memberId) this.statics.delete(before.instanceId);
    }
    if (m.instanceId !== null) this.statics.set(m.instanceId, m.memberId);
    this.members.set(m.memberId, m);
  }

  private vote(assignor: string, by: number): void {
    const n = (this.assignorVotes.get(assignor) ?? 0) + by;
    if (n > 0) this.assignorVotes.set(assignor, n);
    else this.assignorVotes.delete(assignor);
  }

  /** The assignor most members ask for, else the default (Kafka's preferred server assignor). */
  get assignor(): Assignor {
    let best: string | null = null;
    for (const [name, n] of this.assignorVotes) if (best === null || n > this.assignorVotes.get(best)!) best = name;
    return this.settings.assignors.find((a) => a.name === best) ?? this.settings.assignors[0]!;
  }

  /** Removes members (leave, fencing, expiry) and bumps the group epoch, as Kafka does. */
  remove(members: readonly ConsumerMember[]): void {
    if (members.length === 0) return;
    for (const m of members) {
      this.setOwnership(m.memberId, m.a, null);
      this.target.delete(m.memberId);
      this.members.delete(m.memberId);
      if (m.serverAssignor !== null) this.vote(m.serverAssignor, -1);
      if (hasRegex(m)) this.regexes.remove(m.subscribedTopicRegex!);
      if (m.instanceId !== null && this.statics.get(m.instanceId) === m.memberId) this.statics.delete(m.instanceId);
    }
    this.groupEpoch++;
  }

  /** A static member rejoining under a new member id takes over its predecessor's place and partitions. */
  replaceStatic(old: ConsumerMember, successor: ConsumerMember): void {
    const t = this.target.get(old.memberId);
    this.setOwnership(old.memberId, old.a, null);
    this.target.delete(old.memberId);
    this.members.delete(old.memberId);
    this.put(successor, old);
    if (t) this.target.set(successor.memberId, t);
    this.setOwnership(successor.memberId, null, successor.a);
  }

  /** Changes a member's assignment state, keeping partition ownership in step. */
  setAssignment(m: ConsumerMember, next: AssignmentState): void {
    if (next === m.a) return;
    this.setOwnership(m.memberId, m.a, next);
    m.a = next;
  }

  private setOwnership(memberId: string, before: AssignmentState | null, after: AssignmentState | null): void {
    if (before) {
      for (const tps of [before.assigned, before.pendingRevocation]) {
        for (const [t, ps] of tps) {
          const byPartition = this.owners.get(t);
          if (!byPartition) continue;
          for (const p of ps) if (byPartition.get(p)?.memberId === memberId) byPartition.delete(p);
          if (byPartition.size === 0) this.owners.delete(t);
        }
      }
    }
    if (after) {
      for (const tps of [after.assigned, after.pendingRevocation]) {
        for (const [t, ps] of tps) {
          let byPartition = this.owners.get(t);
          if (!byPartition) this.owners.set(t, (byPartition = new Map()));
          for (const p of ps) {
            const held = byPartition.get(p);
            // Reconciliation never hands out a partition someone holds: this would be a bug.
            if (held && held.memberId !== memberId) throw new Error(`partition ${t}-${p} of group ${this.groupId} is still owned by ${held.memberId}`);
            byPartition.set(p, { memberId, epoch: after.memberEpoch });
          }
        }
      }
    }
  }

  /** The epoch of the member that owns a partition, -1 when it is free. */
  partitionEpoch(topicId: string, partition: number): number {
    return this.owners.get(topicId)?.get(partition)?.epoch ?? -1;
  }

  /** The owner of a partition, if any (tests and describe). */
  partitionOwner(topicId: string, partition: number): string | undefined {
    return this.owners.get(topicId)?.get(partition)?.memberId;
  }

  targetOf(memberId: string): TopicPartitions {
    return this.target.get(memberId) ?? NO_PARTITIONS;
  }

  /** Topic ids a member subscribes to that exist: its names plus what its regex resolved to. */
  subscribedTopicIds(m: ConsumerMember, topics: TopicsView): Set<string> {
    const ids = new Set<string>();
    const add = (name: string): void => {
      const d = topics.describe(name);
      if (d && d.partitions > 0) ids.add(d.id);
    };
    for (const n of m.subscribedTopicNames) add(n);
    if (hasRegex(m)) for (const n of this.regexes.topics(m.subscribedTopicRegex!) ?? []) add(n);
    return ids;
  }

  /**
   * Bumps the group epoch when asked to, or when the subscribed topics changed (created,
   * deleted, grown) since they were last looked at.
   */
  maybeBumpEpoch(bump: boolean, topics: TopicsView): void {
    if (!bump && this.signatureVersion === topics.version) return;
    if (this.adoptTopics(topics)) bump = true;
    if (bump || this.groupEpoch === 0) this.groupEpoch++;
  }

  /** Records the subscribed topics' ids and sizes; returns whether they differ from the last record. */
  adoptTopics(topics: TopicsView): boolean {
    const parts: string[] = [];
    for (const n of [...this.subscribedTopicNames()].sort()) {
      const d = topics.describe(n);
      if (d) parts.push(`${n}/${d.id}/${d.partitions}`);
    }
    const signature = parts.join(',');
    this.signatureVersion = topics.version;
    if (signature === this.subscriptionSignature) return false;
    this.subscriptionSignature = signature;
    return true;
  }

  /** Sets a member's target directly (a classic group's assignment taken over on upgrade). */
  setTarget(memberId: string, tps: TopicPartitions): void {
    this.target.set(memberId, tps);
  }

  /** Computes a new target assignment when the group epoch has moved past the assignment epoch. */
  maybeComputeTarget(topics: TopicsView): void {
    if (this.groupEpoch <= this.assignmentEpoch) return;
    const members = [...this.members.values()].map((m) => ({
      memberId: m.memberId, instanceId: m.instanceId, topics: this.subscribedTopicIds(m, topics), previous: this.targetOf(m.memberId),
    }));
    const partitions = (id: string): number => {
      const name = topics.nameOf(id);
      return name === undefined ? 0 : (topics.describe(name)?.partitions ?? 0);
    };
    const result = this.assignor.assign({ members, partitions });
    this.target.clear();
    for (const [memberId, tps] of result) this.target.set(memberId, tps);
    this.assignmentEpoch = this.groupEpoch;
  }

  /** Reconciles a member towards its target; returns whether its assigned partitions changed. */
  reconcileMember(m: ConsumerMember, owned: OwnedPartitions, subscriptionChanged: boolean, topics: TopicsView, now: number): boolean {
    const before = m.a;
    const next = reconcile(before, {
      targetEpoch: this.assignmentEpoch,
      target: this.targetOf(m.memberId),
      subscribedTopicIds: this.subscribedTopicIds(m, topics),
      subscriptionChanged,
      owned,
      partitionEpoch: (t, p) => this.partitionEpoch(t, p),
    });
    if (next === before) return false;
    this.setAssignment(m, next);
    // A consumer-protocol member revoking must finish within its rebalance timeout.
    if (!m.classic) {
      if (next.state === 'unrevoked_partitions') {
        m.rebalanceDeadline = now + Math.max(0, m.rebalanceTimeoutMs);
        m.rebalanceEpoch = next.memberEpoch;
      } else m.rebalanceDeadline = Infinity;
    }
    return !sameAssignment(before.assigned, next.assigned);
  }

  /** Whether some partition of a member's target is still held by another member. */
  waitingOnUnreleased(m: ConsumerMember): boolean {
    if (m.a.state !== 'unreleased_partitions') return false;
    for (const [t, ps] of this.targetOf(m.memberId)) {
      for (const p of ps) if (m.a.assigned.get(t)?.has(p) !== true && this.partitionEpoch(t, p) !== -1) return true;
    }
    return false;
  }

  /** Members whose session, rebalance, join or sync deadline has passed, and why (Kafka's words). */
  expired(now: number): { member: ConsumerMember; reason: string }[] {
    const out: { member: ConsumerMember; reason: string }[] = [];
    for (const m of this.members.values()) {
      let reason: string | null = null;
      if (now > m.sessionDeadline) reason = `the member session expired (no heartbeat within ${m.classic?.sessionTimeoutMs ?? this.settings.sessionTimeoutMs} ms)`;
      else if (now > m.joinDeadline) reason = 'the classic member failed to join within the rebalance timeout';
      else if (now > m.syncDeadline) reason = 'the member failed to sync within timeout';
      else if (now > m.rebalanceDeadline && m.a.memberEpoch === m.rebalanceEpoch) {
        reason = `it failed to transition from epoch ${m.rebalanceEpoch} within ${m.rebalanceTimeoutMs}ms`;
      }
      if (reason !== null) out.push({ member: m, reason });
    }
    return out;
  }

  /** Validates an OffsetCommit (or TxnOffsetCommit) as Kafka's ConsumerGroup does. */
  checkCommit(memberId: string, instanceId: string | null, epoch: number, transactional: boolean, apiVersion: number): number {
    if (epoch < 0 && this.members.size === 0) return KafkaError.NONE;
    if (transactional && epoch === -1 && memberId === '' && instanceId === null) return KafkaError.NONE;
    const m = this.members.get(memberId);
    if (!m) return KafkaError.UNKNOWN_MEMBER_ID;
    if (!transactional && !m.classic && apiVersion < 9) return KafkaError.UNSUPPORTED_VERSION;
    return this.checkEpoch(m, epoch);
  }

  /** Validates an OffsetFetch v9+ that names a member. */
  checkFetch(memberId: string | null, epoch: number): number {
    if (memberId === null && epoch < 0) return KafkaError.NONE;
    const m = memberId === null ? undefined : this.members.get(memberId);
    if (!m) return KafkaError.UNKNOWN_MEMBER_ID;
    return this.checkEpoch(m, epoch);
  }

  private checkEpoch(m: ConsumerMember, epoch: number): number {
    if (epoch === m.a.memberEpoch) return KafkaError.NONE;
    return m.classic ? KafkaError.ILLEGAL_GENERATION : KafkaError.STALE_MEMBER_EPOCH;
  }

  /** Topic names the group subscribes to (by name or by a resolved regex). */
  subscribedTopicNames(): Set<string> {
    const names = this.regexes.allTopics();
    for (const m of this.members.values()) for (const n of m.subscribedTopicNames) names.add(n);
    return names;
  }
}
