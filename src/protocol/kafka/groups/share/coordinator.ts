/**
 * Share groups of one Kafka endpoint (KIP-932): membership by ShareGroupHeartbeat, share
 * sessions for ShareFetch/ShareAcknowledge, and the share partitions (core/share/) whose state
 * is durable. Share groups share the group id namespace with classic and consumer groups: a
 * heartbeat for an id another kind of group holds is GROUP_ID_NOT_FOUND, as in Kafka.
 */
import type { Clock } from '../../../../storage/types.js';
import type { SharePartitionSettings, ShareStates } from '../../../../core/share/share-states.js';
import type { SharePartition } from '../../../../core/share/share-partition.js';
import { KafkaError } from '../../codec/error-codes.js';
import type { ShareGroupOptions } from '../../server/options.js';
import { assignAll, sameAssignment, ShareGroup, type ShareMember } from './group.js';
import { shareOptionsFor } from '../../configs/group-defs.js';
import { ShareSessions, type ShareSession } from './sessions.js';
import type { ConsumerHeartbeatResult } from '../consumer/heartbeat.js';

export const SHARE_LEAVE_EPOCH = -1;
/** Most share sessions at once on the endpoint (Kafka's max.share.session.cache.size... is 1000 per broker). */
export const MAX_SHARE_SESSIONS = 1_000;

export interface ShareTopics {
  partitions(topic: string): number | undefined;
  id(topic: string): string;
}

export interface ShareHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  rackId: string | null;
  subscribedTopicNames: string[] | null;
  clientId: string;
  clientHost: string;
}

/** ShareGroupHeartbeat answers what ConsumerGroupHeartbeat answers (KIP-932 reuses its response fields). */
export type ShareHeartbeatResult = ConsumerHeartbeatResult;

export class ShareCoordinator {
  private readonly groups = new Map<string, ShareGroup>();
  readonly sessions = new ShareSessions(MAX_SHARE_SESSIONS);

  constructor(
    readonly options: ShareGroupOptions,
    readonly states: ShareStates,
    private readonly clock: Clock,
    private readonly topics: ShareTopics,
    /** The other coordinator's kind of a group id (classic/consumer), for the shared namespace. */
    private readonly otherKind: (groupId: string) => string | undefined,
    /** A group's dynamic configs (IncrementalAlterConfigs on its GROUP resource). */
    private readonly groupConfigs: (groupId: string) => Readonly<Record<string, string>> = () => ({}),
  ) {}

  /** The share settings of one group: its group configs over the broker's settings. */
  optionsFor(groupId: string): ShareGroupOptions {
    const own = this.groupConfigs(groupId);
    return Object.keys(own).length === 0 ? this.options : shareOptionsFor(this.options, own);
  }

  group(groupId: string): ShareGroup | undefined {
    return this.groups.get(groupId);
  }

  /** The partition settings of a group (broker-wide here; `{group}` in the dead-letter topic is the group id). */
  settings(groupId: string): SharePartitionSettings {
    const o = this.optionsFor(groupId);
    return {
      autoOffsetReset: o.autoOffsetReset,
      readCommitted: o.isolationLevel === 'read_committed',
      deliveryCountLimit: o.deliveryCountLimit,
      maxRecordLocks: o.partitionMaxRecordLocks,
      deadLetterTopic: o.deadLetterTopic === null ? null : o.deadLetterTopic.replaceAll('{group}', groupId),
    };
  }

  partition(groupId: string, topic: string, partition: number): Promise<SharePartition> {
    return this.states.partition(groupId, topic, partition, this.settings(groupId));
  }

  heartbeat(req: ShareHeartbeatRequest): ShareHeartbeatResult {
    const fail = (errorCode: number, errorMessage: string): ShareHeartbeatResult => ({
      errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null,
    });
    if (req.groupId === '') return fail(KafkaError.INVALID_REQUEST, 'GroupId can\'t be empty.');
    if (req.memberId === '' || req.memberId.length > 255) return fail(KafkaError.INVALID_REQUEST, 'MemberId can\'t be empty.');
    if (req.memberEpoch === 0 && (req.subscribedTopicNames === null || req.subscribedTopicNames.length === 0)) {
      return fail(KafkaError.INVALID_REQUEST, 'SubscribedTopicNames must be set in first request.');
    }
    if (req.subscribedTopicNames !== null && req.subscribedTopicNames.length > 10_000) return fail(KafkaError.INVALID_REQUEST, 'Too many subscribed topics.');
    if (req.memberEpoch < SHARE_LEAVE_EPOCH) return fail(KafkaError.INVALID_REQUEST, `MemberEpoch is invalid: ${req.memberEpoch}.`);
    const other = this.otherKind(req.groupId);
    if (other !== undefined) return fail(KafkaError.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a share group.`);
    let g = this.groups.get(req.groupId);
    if (req.memberEpoch === SHARE_LEAVE_EPOCH) {
      const m = g?.members.get(req.memberId);
      if (g === undefined || m === undefined) return fail(KafkaError.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
      this.removeMember(g, m);
      return { errorCode: KafkaError.NONE, errorMessage: null, memberId: req.memberId, memberEpoch: SHARE_LEAVE_EPOCH, heartbeatIntervalMs: 0, assignment: null };
    }
    const now = this.clock.now();
    let m = g?.members.get(req.memberId);
    if (m === undefined) {
      if (req.memberEpoch !== 0) return fail(KafkaError.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
      if (g === undefined) {
        if (this.groups.size >= this.options.maxGroups) return fail(KafkaError.GROUP_MAX_SIZE_REACHED, `The share group limit (${this.options.maxGroups}) is reached.`);
        this.groups.set(req.groupId, (g = new ShareGroup(req.groupId)));
      }
      if (g.members.size >= this.options.maxSize) return fail(KafkaError.GROUP_MAX_SIZE_REACHED, `The share group has reached its maximum capacity of ${this.options.maxSize} members.`);
      m = { memberId: req.memberId, memberEpoch: 0, rackId: req.rackId, clientId: req.clientId, clientHost: req.clientHost, subscribed: [], assignment: new Map(), expiresAt: 0 };
      g.members.set(m.memberId, m);
      g.groupEpoch++;
    } else if (req.memberEpoch !== 0 && req.memberEpoch !== m.memberEpoch) {
      return fail(KafkaError.FENCED_MEMBER_EPOCH, `The share group member has an epoch (${req.memberEpoch}) which is not the current one (${m.memberEpoch}).`);
    }
    g = g!;
    m.expiresAt = now + this.options.sessionTimeoutMs;
    if (req.rackId !== null) m.rackId = req.rackId;
    let changed = req.memberEpoch === 0;
    if (req.subscribedTopicNames !== null) {
      const subs = [...new Set(req.subscribedTopicNames)].sort();
      if (subs.join('\u0000') !== m.subscribed.join('\u0000')) {
        m.subscribed = subs;
        g.groupEpoch++;
        changed = true;
      }
    }
    const assignment = assignAll(m.subscribed, (t) => this.topics.partitions(t));
    if (!sameAssignment(assignment, m.assignment)) {
      m.assignment = assignment;
      changed = true;
    }
    if (changed || m.memberEpoch !== g.groupEpoch) m.memberEpoch = g.groupEpoch;
    g.assignmentEpoch = g.groupEpoch;
    return {
      errorCode: KafkaError.NONE, errorMessage: null, memberId: m.memberId, memberEpoch: m.memberEpoch,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      assignment: changed ? { topicPartitions: [...m.assignment].map(([t, partitions]) => ({ topicId: this.topics.id(t), partitions })) } : null,
    };
  }

  /** A member leaves (heartbeat -1 or session timeout): its sessions end and its records are released. */
  private removeMember(g: ShareGroup, m: ShareMember): void {
    g.members.delete(m.memberId);
    g.groupEpoch++;
    const s = this.sessions.close(g.groupId, m.memberId);
    if (s !== undefined) this.endSession(s);
    void this.releaseEverywhere(g.groupId, m.memberId, m.subscribed);
  }

  /** Releases what a member acquired on every open share partition of these topics. */
  async releaseEverywhere(groupId: string, memberId: string, topics: readonly string[]): Promise<void> {
    for (const t of topics) {
      const n = this.topics.partitions(t) ?? 0;
      for (let p = 0; p < n; p++) (await this.states.ifOpen(groupId, t, p))?.releaseMember(memberId);
    }
  }

  /** A share session ended (closed, replaced or evicted): the records it acquired are released. */
  endSession(s: ShareSession): void {
    for (const { topic, partition } of s.partitions.values()) {
      void this.states.ifOpen(s.groupId, topic, partition).then((sp) => sp?.releaseMember(s.memberId));
    }
  }

  /** Removes members whose sessions timed out. */
  tick(): void {
    const now = this.clock.now();
    for (const g of this.groups.values()) {
      for (const m of [...g.members.values()]) if (m.expiresAt <= now) this.removeMember(g, m);
    }
  }

  kind(groupId: string): 'share' | undefined {
    return this.groups.has(groupId) ? 'share' : undefined;
  }

  /** Every share group: those with members, and those with state on disk. */
  async groupIds(): Promise<string[]> {
    const ids = new Set(this.groups.keys());
    for (const g of await this.states.groupsOnDisk()) ids.add(g);
    return [...ids].filter((id) => this.otherKind(id) === undefined);
  }

  async exists(groupId: string): Promise<boolean> {
    return this.groups.has(groupId) || (await this.states.groupsOnDisk()).includes(groupId);
  }

  /**
   * Why the offsets of a group cannot be altered or deleted now, as Kafka answers it: it is not a
   * share group (GROUP_ID_NOT_FOUND), or it has members (NON_EMPTY_GROUP); null when they can.
   */
  async refuseOffsetChange(groupId: string): Promise<{ errorCode: number; errorMessage: string } | null> {
    if (this.otherKind(groupId) !== undefined || !(await this.exists(groupId))) return { errorCode: KafkaError.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a share group.` };
    if ((this.groups.get(groupId)?.members.size ?? 0) > 0) return { errorCode: KafkaError.NON_EMPTY_GROUP, errorMessage: `Share group ${groupId} is not empty.` };
    return null;
  }

  /** Whether the member is in the group now (share sessions are opened by members only). */
  isMember(groupId: string, memberId: string): boolean {
    return this.groups.get(groupId)?.members.has(memberId) === true;
  }

  /** DeleteGroups: only an empty group (NON_EMPTY_GROUP otherwise). */
  async delete(groupId: string): Promise<number> {
    const g = this.groups.get(groupId);
    if (g !== undefined && g.members.size > 0) return KafkaError.NON_EMPTY_GROUP;
    if (!(await this.exists(groupId))) return KafkaError.GROUP_ID_NOT_FOUND;
    this.groups.delete(groupId);
    await this.states.dropGroup(groupId);
    return KafkaError.NONE;
  }

  async close(): Promise<void> {
    await this.states.close();
  }
}
