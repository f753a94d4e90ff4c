/**
 * ConsumerGroupHeartbeat (KIP-848) on one group, as Kafka's group coordinator handles it:
 *
 *   1. find or create the member (static members by instance id), checking its epoch;
 *   2. store its subscription; a changed subscription, or changed topics, bumps the group epoch;
 *   3. a group epoch past the assignment epoch makes the assignor compute a new target;
 *   4. reconcile the member towards its target (./reconcile.ts) and answer with its epoch and,
 *      when it changed or the member asked in full, its assignment.
 *
 * Leaving (epoch -1, or -2 for a static member coming back) is here too. Fencing and the
 * conversion to a classic group it may cause belong to the coordinator.
 */
import { randomUUID } from 'node:crypto';
import { KafkaError } from '../../codec/error-codes.js';
import { GroupFailure } from '../failure.js';
import type { ConsumerGroup } from './group.js';
import { type ConsumerMember, hasRegex, newMember, NO_PARTITIONS, normalizeNames, sameNames } from './member.js';
import { isSubsetOf, type OwnedPartitions } from './reconcile.js';
import { Re2, RegexSyntaxError } from './regex/program.js';
import type { TopicsView } from './regex-subscriptions.js';

export const LEAVE_GROUP_MEMBER_EPOCH = -1;
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

export interface ConsumerHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: readonly string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  topicPartitions: OwnedPartitions;
  clientId: string;
  clientHost: string;
  /** Topics the member may see: a regex resolves to these only (Kafka filters by DESCRIBE). */
  mayDescribe: (topic: string) => boolean;
}

export interface ConsumerHeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null;
}

/**
 * The checks Kafka makes before a heartbeat reaches the group (GroupCoordinatorService):
 * INVALID_REQUEST for malformed requests, UNSUPPORTED_ASSIGNOR for unknown assignors.
 */
export function validateHeartbeat(req: ConsumerHeartbeatRequest, apiVersion: number, assignors: readonly string[]): void {
  const invalid = (why: string): never => {
    throw new GroupFailure(KafkaError.INVALID_REQUEST, why);
  };
  // KIP-1082: from v1 the client generates its member id, even to join.
  if ((apiVersion >= 1 || req.memberEpoch > 0 || req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) && req.memberId === '') invalid("MemberId can't be empty.");
  if (req.groupId === '') invalid("GroupId can't be empty.");
  if (req.instanceId === '') invalid("InstanceId can't be empty.");
  if (req.rackId === '') invalid("RackId can't be empty.");
  if (req.memberEpoch === 0) {
    if (req.rebalanceTimeoutMs === -1) invalid('RebalanceTimeoutMs must be provided in first request.');
    if (req.topicPartitions === null || req.topicPartitions.length > 0) invalid('TopicPartitions must be empty when (re-)joining.');
    if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) {
      invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
    }
  } else if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (req.instanceId === null) invalid("InstanceId can't be null.");
  } else if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) invalid('MemberEpoch is invalid.');
  if (req.serverAssignor !== null && !assignors.includes(req.serverAssignor)) {
    throw new GroupFailure(KafkaError.UNSUPPORTED_ASSIGNOR,
      `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${assignors.join(', ')}.`);
  }
}

/** A regular heartbeat (epoch >= 0) of a consumer-protocol member. */
export function consumerHeartbeat(group: ConsumerGroup, req: ConsumerHeartbeatRequest, topics: TopicsView, now: number): ConsumerHeartbeatResult {
  const joining = req.memberEpoch === 0;
  group.throwIfFull(req.memberId);
  const memberId = req.memberId === '' ? randomUUID() : req.memberId;
  const { member, existed, replaces } = req.instanceId === null
    ? dynamicMember(group, memberId, req.memberEpoch, req.topicPartitions, joining)
    : staticMember(group, memberId, req.memberEpoch, req.instanceId, req.topicPartitions, joining);

  const updated: ConsumerMember = {
    ...member,
    instanceId: req.instanceId ?? member.instanceId,
    rackId: req.rackId ?? member.rackId,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs === -1 ? member.rebalanceTimeoutMs : req.rebalanceTimeoutMs,
    serverAssignor: req.serverAssignor ?? member.serverAssignor,
    subscribedTopicNames: req.subscribedTopicNames === null ? member.subscribedTopicNames : normalizeNames(req.subscribedTopicNames),
    subscribedTopicRegex: req.subscribedTopicRegex ?? member.subscribedTopicRegex,
    clientId: req.clientId,
    clientHost: req.clientHost,
    classic: null,
  };
  const namesChanged = !sameNames(member.subscribedTopicNames, updated.subscribedTopicNames);
  const regexChanged = member.subscribedTopicRegex !== updated.subscribedTopicRegex;
  // A regex already resolved for other members counts at once; a new one must compile (RE2).
  let regexResolved = false;
  if (regexChanged && hasRegex(updated)) {
    const regex = updated.subscribedTopicRegex!;
    if (group.regexes.count(regex) === 0) {
      try {
        Re2.compile(regex);
      } catch (e) {
        if (e instanceof RegexSyntaxError) throw new GroupFailure(KafkaError.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex \`${regex}\` is not a valid regular expression: ${e.message}.`);
        throw e;
      }
    } else regexResolved = group.regexes.topics(regex) !== undefined;
  }
  if (replaces) group.replaceStatic(replaces, member);
  group.put(updated, existed ? member : null);
  group.regexes.maybeRefresh(topics, now, req.mayDescribe);
  const regexTopicsChanged = group.regexes.advance();

  group.maybeBumpEpoch(namesChanged || regexResolved || regexTopicsChanged, topics);
  group.maybeComputeTarget(topics);
  const assignedChanged = group.reconcileMember(updated, req.topicPartitions, namesChanged || regexChanged, topics, now);
  updated.sessionDeadline = now + group.settings.sessionTimeoutMs;

  // The assignment goes out when it changed, to a joining member, and to a full request (sent after errors).
  const full = req.rebalanceTimeoutMs !== -1 && (req.subscribedTopicNames !== null || req.subscribedTopicRegex !== null) && req.topicPartitions !== null;
  return {
    errorCode: KafkaError.NONE, errorMessage: null, memberId: updated.memberId, memberEpoch: updated.a.memberEpoch,
    heartbeatIntervalMs: group.settings.heartbeatIntervalMs,
    assignment: joining || full || assignedChanged ? { topicPartitions: listPartitions(updated.a.assigned) } : null,
  };
}

/**
 * Leaving: epoch -1 removes the member (returned, for the coordinator to fence); -2 marks a
 * static member as gone for now, keeping its partitions until it rejoins or its session ends.
 */
export function consumerLeave(group: ConsumerGroup, req: ConsumerHeartbeatRequest): { result: ConsumerHeartbeatResult; fence: ConsumerMember | null } {
  const result: ConsumerHeartbeatResult = {
    errorCode: KafkaError.NONE, errorMessage: null, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null,
  };
  if (req.instanceId === null) {
    const m = group.member(req.memberId);
    if (!m) throw unknownMember(req.memberId, group.groupId);
    return { result, fence: m };
  }
  const m = group.staticMember(req.instanceId);
  if (!m) throw new GroupFailure(KafkaError.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`);
  if (m.memberId !== req.memberId) throw fencedInstance(req.memberId, req.instanceId, m.memberId);
  if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) return { result, fence: m };
  group.setAssignment(m, { ...m.a, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, pendingRevocation: NO_PARTITIONS });
  return { result: { ...result, memberId: m.memberId }, fence: null };
}

/** A member found or made for a heartbeat; `replaces` is a static member it is to take over from (not done yet). */
interface Found {
  member: ConsumerMember;
  existed: boolean;
  replaces: ConsumerMember | null;
}

function dynamicMember(group: ConsumerGroup, memberId: string, epoch: number, owned: OwnedPartitions, joining: boolean): Found {
  const known = group.member(memberId);
  if (!known && !joining) throw unknownMember(memberId, group.groupId);
  const member = known ?? newMember(memberId);
  checkEpoch(member, epoch, owned);
  return { member, existed: known !== undefined, replaces: null };
}

function staticMember(
  group: ConsumerGroup, memberId: string, epoch: number, instanceId: string, owned: OwnedPartitions, joining: boolean,
): Found {
  const existing = group.staticMember(instanceId);
  if (joining) {
    if (!existing) {
      const known = group.member(memberId);
      return { member: known ?? newMember(memberId), existed: known !== undefined, replaces: null };
    }
    // Both use this protocol: the instance is free only once its holder left with epoch -2.
    if (!existing.classic && existing.a.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      throw new GroupFailure(KafkaError.UNRELEASED_INSTANCE_ID,
        `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`);
    }
    const successor: ConsumerMember = { ...existing, memberId, a: { ...existing.a, memberEpoch: 0, previousMemberEpoch: 0 } };
    return { member: successor, existed: true, replaces: existing };
  }
  if (!existing) throw new GroupFailure(KafkaError.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
  if (existing.memberId !== memberId) throw fencedInstance(memberId, instanceId, existing.memberId);
  checkEpoch(existing, epoch, owned);
  return { member: existing, existed: true, replaces: null };
}

/** FENCED_MEMBER_EPOCH unless the epoch is the member's, or its previous one with a subset of its partitions (a lost answer). */
function checkEpoch(m: ConsumerMember, epoch: number, owned: OwnedPartitions): void {
  if (epoch > m.a.memberEpoch) {
    throw new GroupFailure(KafkaError.FENCED_MEMBER_EPOCH, `The consumer group member has a greater member epoch (${epoch}) than the one known by the group coordinator (${m.a.memberEpoch}). The member must abandon all its partitions and rejoin.`);
  }
  if (epoch < m.a.memberEpoch && (epoch !== m.a.previousMemberEpoch || !isSubsetOf(owned, m.a.assigned))) {
    throw new GroupFailure(KafkaError.FENCED_MEMBER_EPOCH, `The consumer group member has a smaller member epoch (${epoch}) than the one known by the group coordinator (${m.a.memberEpoch}). The member must abandon all its partitions and rejoin.`);
  }
}

export function unknownMember(memberId: string, groupId: string): GroupFailure {
  return new GroupFailure(KafkaError.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${groupId}.`);
}

export function fencedInstance(memberId: string, instanceId: string, holder: string): GroupFailure {
  return new GroupFailure(KafkaError.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${holder}.`);
}

export function listPartitions(tps: ReadonlyMap<string, ReadonlySet<number>>): { topicId: string; partitions: number[] }[] {
  return [...tps].map(([topicId, ps]) => ({ topicId, partitions: [...ps].sort((a, b) => a - b) }));
}
