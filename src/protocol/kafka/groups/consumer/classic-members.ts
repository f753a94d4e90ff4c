/**
 * Members of a KIP-848 group that still speak the classic protocol (online migration: a
 * classic group converted on its first ConsumerGroupHeartbeat keeps its members, and classic
 * consumers may join a consumer group). The server assigns their partitions too:
 *
 * - JoinGroup answers at once with the member's epoch as the generation (no leader's work);
 * - SyncGroup answers its current assignment, as the embedded consumer protocol encodes it;
 * - Heartbeat answers REBALANCE_IN_PROGRESS when it must rejoin to move on (a newer group
 *   epoch, partitions to revoke, or partitions it waited for now free);
 * - the owned partitions of a rejoin (subscription v1+) tell which were revoked; an eager
 *   client, which rejoins owning none, releases everything at once.
 */
import { randomUUID } from 'node:crypto';
import { KafkaError } from '../../codec/error-codes.js';
import { GroupFailure } from '../failure.js';
import type { JoinRequest, JoinResult, SyncRequest, SyncResult } from '../types.js';
import { decodeSubscription, embeddedVersion, encodeAssignment } from './embedded-protocol.js';
import type { ConsumerGroup } from './group.js';
import { type ConsumerMember, newMember, normalizeNames, sameNames } from './member.js';
import { fencedInstance, unknownMember } from './heartbeat.js';
import type { OwnedPartitions } from './reconcile.js';
import type { TopicsView } from './regex-subscriptions.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** What a JoinGroup to a consumer group did: its answer, and a static member it replaced (a downgrade candidate). */
export interface ClassicJoinOutcome {
  result: JoinResult;
  member: ConsumerMember | null;
  replaced: ConsumerMember | null;
  subscriptionChanged: boolean;
}

export function classicJoin(group: ConsumerGroup, req: JoinRequest, topics: TopicsView, now: number): ClassicJoinOutcome {
  const unknown = req.memberId === '';
  const memberId = unknown ? randomUUID() : req.memberId;
  group.throwIfFull(memberId);
  if (!supportsProtocols(group, req)) throw new GroupFailure(KafkaError.INCONSISTENT_GROUP_PROTOCOL, `Member ${memberId}'s protocols are not supported.`);
  if (unknown && req.groupInstanceId === null && req.requireKnownMemberId === true) {
    return { result: joinAnswer(KafkaError.MEMBER_ID_REQUIRED, memberId, -1, null), member: null, replaced: null, subscriptionChanged: false };
  }
  let subscription;
  try {
    subscription = decodeSubscription(req.protocols[0]!.metadata);
  } catch {
    throw new GroupFailure(KafkaError.UNKNOWN_SERVER_ERROR, 'Malformed embedded consumer protocol in subscription deserialization.');
  }

  let member: ConsumerMember;
  let existed: boolean;
  let replaced: ConsumerMember | null = null;
  if (req.groupInstanceId === null) {
    const known = group.member(memberId);
    member = known ?? newMember(memberId);
    existed = known !== undefined;
  } else {
    const existing = group.staticMember(req.groupInstanceId);
    if (unknown) {
      if (existing) {
        replaced = existing;
        member = { ...existing, memberId, a: { ...existing.a, memberEpoch: 0, previousMemberEpoch: 0 } };
        group.replaceStatic(existing, member);
        existed = true;
      } else {
        member = newMember(memberId);
        existed = false;
      }
    } else {
      if (!existing) throw new GroupFailure(KafkaError.UNKNOWN_MEMBER_ID, `Instance id ${req.groupInstanceId} is unknown.`);
      if (existing.memberId !== memberId) throw fencedInstance(memberId, req.groupInstanceId, existing.memberId);
      member = existing;
      existed = true;
    }
  }

  const updated: ConsumerMember = {
    ...member,
    instanceId: req.groupInstanceId ?? member.instanceId,
    rackId: subscription.rackId ?? member.rackId,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs === -1 ? member.rebalanceTimeoutMs : req.rebalanceTimeoutMs,
    subscribedTopicNames: normalizeNames(subscription.topics),
    clientId: req.clientId,
    clientHost: req.clientHost,
    classic: { sessionTimeoutMs: req.sessionTimeoutMs, protocols: req.protocols },
  };
  const subscriptionChanged = !sameNames(member.subscribedTopicNames, updated.subscribedTopicNames);
  group.put(updated, existed ? member : null);
  group.maybeBumpEpoch(subscriptionChanged, topics);
  const owned = ownedByName(subscription.ownedPartitions, topics);
  group.maybeComputeTarget(topics);
  group.reconcileMember(updated, owned, subscriptionChanged, topics, now);
  updated.joinDeadline = Infinity;
  updated.sessionDeadline = now + req.sessionTimeoutMs;
  updated.syncDeadline = now + Math.max(0, req.rebalanceTimeoutMs);
  return { result: joinAnswer(KafkaError.NONE, memberId, updated.a.memberEpoch, req.protocols[0]!.name), member: updated, replaced, subscriptionChanged };
}

export function classicSync(group: ConsumerGroup, req: SyncRequest, topics: TopicsView, now: number): SyncResult {
  const m = classicMember(group, req.memberId, req.groupInstanceId);
  if (req.generationId !== m.a.memberEpoch) throw illegalGeneration(req.generationId, m);
  const protocolName = m.classic!.protocols[0]!.name;
  if ((req.protocolType != null && req.protocolType !== CONSUMER_PROTOCOL_TYPE) || (req.protocolName != null && req.protocolName !== protocolName)) {
    throw new GroupFailure(KafkaError.INCONSISTENT_GROUP_PROTOCOL, `The protocol of member ${m.memberId}'s request does not match the group's.`);
  }
  // A newer epoch needs a rejoin first, unless the member is revoking (it rejoined already).
  if (group.groupEpoch > m.a.memberEpoch && m.a.state !== 'unrevoked_partitions') {
    if (m.joinDeadline === Infinity) m.joinDeadline = now + Math.max(0, m.rebalanceTimeoutMs);
    throw new GroupFailure(KafkaError.REBALANCE_IN_PROGRESS, `A new rebalance is triggered in group ${group.groupId} and member ${m.memberId} should rejoin to catch up.`);
  }
  m.syncDeadline = Infinity;
  m.sessionDeadline = now + m.classic!.sessionTimeoutMs;
  return {
    errorCode: KafkaError.NONE, protocolType: req.protocolType ?? CONSUMER_PROTOCOL_TYPE, protocolName: req.protocolName ?? protocolName,
    assignment: encodeAssignment(versionOf(m), assignmentByName(m.a.assigned, (id) => topics.nameOf(id))),
  };
}

export function classicHeartbeat(group: ConsumerGroup, memberId: string, instanceId: string | null, generationId: number, now: number): number {
  const m = classicMember(group, memberId, instanceId);
  if (generationId !== m.a.memberEpoch) throw illegalGeneration(generationId, m);
  m.sessionDeadline = now + m.classic!.sessionTimeoutMs;
  const rejoin = m.a.memberEpoch < group.groupEpoch || m.a.state === 'unrevoked_partitions'
    || (m.a.state === 'unreleased_partitions' && !group.waitingOnUnreleased(m));
  if (!rejoin) return KafkaError.NONE;
  if (m.joinDeadline === Infinity) m.joinDeadline = now + Math.max(0, m.rebalanceTimeoutMs);
  return KafkaError.REBALANCE_IN_PROGRESS;
}

/** LeaveGroup: an error code per member identity, and the members to fence. */
export function classicLeave(group: ConsumerGroup, members: readonly { memberId: string; groupInstanceId: string | null }[]): { codes: number[]; fence: ConsumerMember[] } {
  const fence: ConsumerMember[] = [];
  const codes = members.map((id) => {
    const m = id.groupInstanceId === null ? group.member(id.memberId) : group.staticMember(id.groupInstanceId);
    if (!m) return KafkaError.UNKNOWN_MEMBER_ID;
    // Removal by instance id alone (an administrator's) needs no member id.
    if (id.groupInstanceId !== null && id.memberId !== '' && id.memberId !== m.memberId) return KafkaError.FENCED_INSTANCE_ID;
    if (!fence.includes(m)) fence.push(m);
    return KafkaError.NONE;
  });
  return { codes, fence };
}

/** A classic member by member id, or by instance id (which must still be this member's). */
function classicMember(group: ConsumerGroup, memberId: string, instanceId: string | null): ConsumerMember {
  let m: ConsumerMember | undefined;
  if (instanceId === null) m = group.member(memberId);
  else {
    m = group.staticMember(instanceId);
    if (!m) throw new GroupFailure(KafkaError.UNKNOWN_MEMBER_ID, `Member with instance id ${instanceId} is not a member of group ${group.groupId}.`);
    if (m.memberId !== memberId) throw fencedInstance(memberId, instanceId, m.memberId);
  }
  if (!m) throw unknownMember(memberId, group.groupId);
  if (!m.classic) throw new GroupFailure(KafkaError.UNKNOWN_MEMBER_ID, `Member ${memberId} does not use the classic protocol.`);
  return m;
}

/** Kafka's ConsumerGroup.supportsClassicProtocols: type "consumer", one protocol every classic member has. */
function supportsProtocols(group: ConsumerGroup, req: JoinRequest): boolean {
  if (req.protocolType !== CONSUMER_PROTOCOL_TYPE || req.protocols.length === 0) return false;
  const classics = [...group.members.values()].filter((m) => m.classic && m.memberId !== req.memberId);
  if (classics.length === 0) return true;
  return req.protocols.some((p) => classics.every((m) => m.classic!.protocols.some((q) => q.name === p.name)));
}

function illegalGeneration(generationId: number, m: ConsumerMember): GroupFailure {
  return new GroupFailure(KafkaError.ILLEGAL_GENERATION,
    `The request generation id ${generationId} is not equal to the member epoch ${m.a.memberEpoch} of member ${m.memberId}.`);
}

function joinAnswer(errorCode: number, memberId: string, generationId: number, protocolName: string | null): JoinResult {
  return {
    errorCode, generationId, protocolType: errorCode === KafkaError.NONE ? CONSUMER_PROTOCOL_TYPE : null, protocolName, leader: '', memberId, members: [],
  };
}

/** The version of the member's subscription (its first protocol), for its assignment. */
function versionOf(m: ConsumerMember): number {
  try {
    return embeddedVersion(m.classic!.protocols[0]!.metadata);
  } catch {
    return 0;
  }
}

/** An assignment keyed by topic name (partitions of unknown topic ids are left out). */
export function assignmentByName(tps: ReadonlyMap<string, ReadonlySet<number>>, nameOf: (id: string) => string | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [id, ps] of tps) {
    const name = nameOf(id);
    if (name !== undefined) out.set(name, [...ps].sort((a, b) => a - b));
  }
  return out;
}

/** Owned partitions from an embedded subscription (by name) as a heartbeat reports them (by id). */
function ownedByName(owned: readonly { topic: string; partitions: readonly number[] }[], topics: TopicsView): OwnedPartitions {
  const out: { topicId: string; partitions: readonly number[] }[] = [];
  for (const tp of owned) {
    const d = topics.describe(tp.topic);
    if (d) out.push({ topicId: d.id, partitions: tp.partitions });
  }
  return out;
}
