/**
 * The group coordinator of one Kafka endpoint: classic groups (JoinGroup/SyncGroup, ./group.ts)
 * and KIP-848 consumer groups (ConsumerGroupHeartbeat, ./consumer/) by id, one namespace for
 * both, converting between them as Kafka does (./conversion.ts). Sans-IO: time comes from the
 * injected clock, and timeouts advance only when tick() is called (the listener calls it on an
 * interval; tests call it after moving a fake clock).
 *
 * Members' state is in memory, as Kafka's is between coordinator loads; after a restart members
 * are unknown and rejoin (UNKNOWN_MEMBER_ID, as after a coordinator failover that lost them),
 * while committed offsets are durable in the vhost's group offsets.
 */
import type { Clock } from '../../../storage/types.js';
import { KafkaError } from '../codec/error-codes.js';
import { rangeAssignor } from './consumer/assignors/range.js';
import { uniformAssignor } from './consumer/assignors/uniform.js';
import { classicHeartbeat, classicJoin, classicLeave, classicSync, CONSUMER_PROTOCOL_TYPE } from './consumer/classic-members.js';
import { ConsumerGroup, type ConsumerGroupSettings } from './consumer/group.js';
import {
  type ConsumerHeartbeatRequest, type ConsumerHeartbeatResult, consumerHeartbeat, consumerLeave, LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH, listPartitions, validateHeartbeat,
} from './consumer/heartbeat.js';
import type { ConsumerMember } from './consumer/member.js';
import type { TopicsView } from './consumer/regex-subscriptions.js';
import { downgrade, downgradeAfterLeaving, downgradeOnReplacement, upgrade } from './conversion.js';
import { GroupFailure } from './failure.js';
import { Group, type MemberExpired } from './group.js';
import { GroupError, type GroupDescription, type JoinRequest, type JoinResult, type SyncRequest, type SyncResult } from './types.js';

export interface CoordinatorOptions {
  clock: Clock;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
  /** KIP-848 groups' settings (defaults: Kafka's). */
  consumer?: Partial<Omit<ConsumerGroupSettings, 'assignors'>>;
  /** The topics consumer groups subscribe to (default: none). */
  topics?: TopicsView;
  /** Told when a member is dropped for letting its session or rebalance time out. */
  onMemberExpired?: MemberExpired;
  /** Whether a share group (KIP-932, ./share/) holds the id: the namespace is shared. */
  isShareGroup?: (groupId: string) => boolean;
}

export const defaultConsumerGroupSettings: ConsumerGroupSettings = {
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 5_000,
  maxSize: 10_000,
  assignors: [uniformAssignor, rangeAssignor],
  migrationPolicy: 'bidirectional',
};

const NO_TOPICS: TopicsView = { version: 0, names: () => [], describe: () => undefined, nameOf: () => undefined };

/** ListGroups' view of a group. */
export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string;
  type: 'classic' | 'consumer';
}

export interface ConsumerGroupDescription {
  groupId: string;
  state: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: {
    memberId: string;
    instanceId: string | null;
    rackId: string | null;
    memberEpoch: number;
    clientId: string;
    clientHost: string;
    subscribedTopicNames: string[];
    subscribedTopicRegex: string | null;
    assignment: { topicPartitions: { topicId: string; topicName: string; partitions: number[] }[] };
    targetAssignment: { topicPartitions: { topicId: string; topicName: string; partitions: number[] }[] };
    /** 0: classic protocol, 1: consumer protocol. */
    memberType: number;
  }[];
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group | ConsumerGroup>();
  readonly consumerSettings: ConsumerGroupSettings;
  private readonly topics: TopicsView;

  constructor(private readonly opts: CoordinatorOptions) {
    this.consumerSettings = { ...defaultConsumerGroupSettings, ...opts.consumer };
    this.topics = opts.topics ?? NO_TOPICS;
  }

  private now(): number {
    return this.opts.clock.now();
  }

  /** A classic group. */
  group(groupId: string): Group | undefined {
    const g = this.groups.get(groupId);
    return g instanceof Group ? g : undefined;
  }

  consumerGroup(groupId: string): ConsumerGroup | undefined {
    const g = this.groups.get(groupId);
    return g instanceof ConsumerGroup ? g : undefined;
  }

  /** Which protocol a live group uses. */
  kind(groupId: string): 'classic' | 'consumer' | undefined {
    const g = this.groups.get(groupId);
    if (g instanceof ConsumerGroup) return 'consumer';
    return g && g.state !== 'Dead' ? 'classic' : undefined;
  }

  join(req: JoinRequest): Promise<JoinResult> {
    const fail = (errorCode: number): Promise<JoinResult> =>
      Promise.resolve({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: req.memberId, members: [] });
    if (req.groupId === '') return fail(GroupError.INVALID_GROUP_ID);
    if (this.opts.isShareGroup?.(req.groupId) === true) return fail(KafkaError.INCONSISTENT_GROUP_PROTOCOL);
    if (req.sessionTimeoutMs < this.opts.minSessionTimeoutMs || req.sessionTimeoutMs > this.opts.maxSessionTimeoutMs) {
      return fail(GroupError.INVALID_SESSION_TIMEOUT);
    }
    let g = this.groups.get(req.groupId);
    if (g instanceof ConsumerGroup) {
      if (g.size > 0) return Promise.resolve(this.joinConsumerGroup(g, req));
      this.groups.delete(req.groupId); // an empty consumer group becomes a classic group
      g = undefined;
    }
    if (!g || g.state === 'Dead') {
      if (req.memberId !== '' && req.groupInstanceId === null) return fail(GroupError.UNKNOWN_MEMBER_ID);
      this.groups.set(req.groupId, (g = new Group(req.groupId, this.opts.initialRebalanceDelayMs, this.opts.onMemberExpired)));
    }
    return g.join(req, this.now());
  }

  private joinConsumerGroup(g: ConsumerGroup, req: JoinRequest): JoinResult {
    try {
      const out = classicJoin(g, req, this.topics, this.now());
      if (out.replaced && downgradeOnReplacement(g, out.replaced, Infinity)) {
        this.groups.set(g.groupId, downgrade(g, [], this.topics, this.opts, out.subscriptionChanged, this.now()));
      }
      return out.result;
    } catch (e) {
      return { errorCode: failureCode(e), generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: req.memberId, members: [] };
    }
  }

  sync(req: SyncRequest): Promise<SyncResult> {
    const g = this.groups.get(req.groupId);
    const fail = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    if (!g) return Promise.resolve(fail(GroupError.UNKNOWN_MEMBER_ID));
    if (g instanceof ConsumerGroup) {
      try {
        return Promise.resolve(classicSync(g, req, this.topics, this.now()));
      } catch (e) {
        return Promise.resolve(fail(failureCode(e)));
      }
    }
    return g.sync(req, this.now());
  }

  heartbeat(groupId: string, memberId: string, generationId: number, groupInstanceId: string | null): number {
    const g = this.groups.get(groupId);
    if (!g) return GroupError.UNKNOWN_MEMBER_ID;
    if (g instanceof ConsumerGroup) {
      try {
        return classicHeartbeat(g, memberId, groupInstanceId, generationId, this.now());
      } catch (e) {
        return failureCode(e);
      }
    }
    return g.heartbeat(memberId, generationId, groupInstanceId, this.now());
  }

  leave(groupId: string, memberId: string, groupInstanceId: string | null): number {
    return this.leaveMany(groupId, [{ memberId, groupInstanceId }])[0]!;
  }

  /** LeaveGroup v3+: one code per member; a consumer group fences them together. */
  leaveMany(groupId: string, members: readonly { memberId: string; groupInstanceId: string | null }[]): number[] {
    const g = this.groups.get(groupId);
    if (!g) return members.map(() => GroupError.UNKNOWN_MEMBER_ID);
    if (g instanceof ConsumerGroup) {
      const { codes, fence } = classicLeave(g, members);
      this.fence(g, fence);
      return codes;
    }
    return members.map((m) => g.leave(m.memberId, m.groupInstanceId, this.now()));
  }

  /** ConsumerGroupHeartbeat (KIP-848), including leaving with epoch -1 or -2. */
  consumerHeartbeat(req: ConsumerHeartbeatRequest, apiVersion: number): ConsumerHeartbeatResult {
    try {
      validateHeartbeat(req, apiVersion, this.consumerSettings.assignors.map((a) => a.name));
      if (this.opts.isShareGroup?.(req.groupId) === true) throw new GroupFailure(KafkaError.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`);
      const existing = this.groups.get(req.groupId);
      if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
        if (!(existing instanceof ConsumerGroup)) throw this.notConsumerGroup(req.groupId, existing);
        const { result, fence } = consumerLeave(existing, req);
        if (fence) this.fence(existing, [fence]);
        return result;
      }
      let g: ConsumerGroup;
      let replacing: Group | null = null;
      if (existing instanceof ConsumerGroup) g = existing;
      else if (req.memberEpoch !== 0) throw this.notConsumerGroup(req.groupId, existing);
      else if (!existing || existing.size === 0 || existing.state === 'Dead') g = new ConsumerGroup(req.groupId, this.consumerSettings);
      else {
        g = upgrade(existing, this.consumerSettings, this.topics, this.now());
        replacing = existing;
      }
      const result = consumerHeartbeat(g, req, this.topics, this.now());
      if (g !== existing) {
        // Answer the classic members' waiting joins and syncs: they rejoin the new group.
        replacing?.abort(GroupError.REBALANCE_IN_PROGRESS);
        this.groups.set(req.groupId, g);
      }
      return result;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { errorCode: failureCode(e), errorMessage: message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
  }

  /**
   * A heartbeat for a group that is not a consumer group: members of one this coordinator no
   * longer knows (a restart) are told UNKNOWN_MEMBER_ID, so they rejoin; a live classic group
   * is GROUP_ID_NOT_FOUND, as in Kafka.
   */
  private notConsumerGroup(groupId: string, g: Group | ConsumerGroup | undefined): GroupFailure {
    if (g instanceof Group && g.size > 0) return new GroupFailure(KafkaError.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    return new GroupFailure(KafkaError.UNKNOWN_MEMBER_ID, `Group ${groupId} has no such member.`);
  }

  /** Removes members of a consumer group, converting it to a classic group where Kafka would. */
  private fence(g: ConsumerGroup, members: readonly ConsumerMember[]): void {
    if (members.length === 0) return;
    if (downgradeAfterLeaving(g, members, Infinity)) {
      this.groups.set(g.groupId, downgrade(g, members, this.topics, this.opts, false, this.now()));
    } else g.remove(members);
  }

  /**
   * NONE, or why an offset commit for this group must be refused. `apiVersion` and
   * `transactional` matter to consumer groups (a consumer-protocol member needs OffsetCommit v9+).
   */
  checkCommit(groupId: string, memberId: string, generationId: number, groupInstanceId: string | null, apiVersion = 9, transactional = false): number {
    const g = this.groups.get(groupId);
    if (g instanceof ConsumerGroup) return g.checkCommit(memberId, groupInstanceId, generationId, transactional, apiVersion);
    if (!g || g.state === 'Dead') return generationId < 0 ? GroupError.NONE : GroupError.UNKNOWN_MEMBER_ID;
    return g.checkCommit(memberId, generationId, groupInstanceId);
  }

  /** OffsetFetch v9+: a consumer group checks the member and epoch it names; classic groups do not. */
  checkFetch(groupId: string, memberId: string | null, memberEpoch: number): number {
    const g = this.groups.get(groupId);
    return g instanceof ConsumerGroup ? g.checkFetch(memberId, memberEpoch) : GroupError.NONE;
  }

  /** A classic group, as DescribeGroups shows it (consumer groups are not described by it, as in Kafka). */
  describe(groupId: string): GroupDescription | undefined {
    const g = this.group(groupId);
    if (g) this.expire(g, this.now());
    return g && g.state !== 'Dead' ? g.describe() : undefined;
  }

  list(): GroupDescription[] {
    this.tick();
    return [...this.groups.values()].filter((g): g is Group => g instanceof Group && g.state !== 'Dead').map((g) => g.describe());
  }

  listings(): GroupListing[] {
    this.tick();
    const out: GroupListing[] = [];
    for (const g of this.groups.values()) {
      if (g instanceof ConsumerGroup) out.push({ groupId: g.groupId, protocolType: CONSUMER_PROTOCOL_TYPE, state: g.state, type: 'consumer' });
      else if (g.state !== 'Dead') out.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state, type: 'classic' });
    }
    return out;
  }

  /** ConsumerGroupDescribe; undefined when the group is not a consumer group. */
  describeConsumerGroup(groupId: string): ConsumerGroupDescription | undefined {
    const g = this.consumerGroup(groupId);
    if (!g) return undefined;
    this.expire(g, this.now());
    const named = (tps: ReadonlyMap<string, ReadonlySet<number>>) => ({
      topicPartitions: listPartitions(tps).flatMap((tp) => {
        const topicName = this.topics.nameOf(tp.topicId);
        return topicName === undefined ? [] : [{ ...tp, topicName }];
      }),
    });
    return {
      groupId, state: g.state, groupEpoch: g.groupEpoch, assignmentEpoch: g.assignmentEpoch, assignorName: g.assignor.name,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId, instanceId: m.instanceId, rackId: m.rackId, memberEpoch: m.a.memberEpoch, clientId: m.clientId, clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames], subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: named(m.a.assigned), targetAssignment: named(g.targetOf(m.memberId)), memberType: m.classic ? 0 : 1,
      })),
    };
  }

  /** Forgets a group that has no members (DeleteGroups); NON_EMPTY_GROUP otherwise. */
  delete(groupId: string): number {
    const g = this.groups.get(groupId);
    if (!g) return GroupError.NONE;
    this.expire(g, this.now());
    if (g.size > 0) return GroupError.NON_EMPTY_GROUP;
    if (g instanceof Group) g.markDead();
    this.groups.delete(groupId);
    return GroupError.NONE;
  }

  tick(): void {
    const now = this.now();
    for (const g of [...this.groups.values()]) this.expire(g, now);
  }

  /**
   * Applies the timeouts that ran out by `now` to one group. tick() runs every 100 ms; what
   * observes membership (DescribeGroups, ListGroups, DeleteGroups) calls this first, so a member
   * is gone at its session deadline as with Kafka's timers, not up to a tick later (librdkafka's
   * 0081 deletes a group of closed static members 6 s after closing them, session timeout 6 s).
   */
  private expire(g: Group | ConsumerGroup, now: number): void {
    if (g instanceof Group) {
      g.tick(now);
      return;
    }
    if (g.regexes.advance()) g.groupEpoch++; // a refresh that changed what a regex matches
    const expired = g.expired(now);
    for (const { member, reason } of expired) this.opts.onMemberExpired?.(g.groupId, member, reason);
    this.fence(g, expired.map((e) => e.member));
  }

  /** Answers every waiting JoinGroup/SyncGroup (the endpoint is closing). */
  shutdown(): void {
    for (const g of this.groups.values()) if (g instanceof Group) g.abort(GroupError.COORDINATOR_NOT_AVAILABLE);
  }
}

function failureCode(e: unknown): number {
  if (e instanceof GroupFailure) return e.code;
  return KafkaError.UNKNOWN_SERVER_ERROR;
}
