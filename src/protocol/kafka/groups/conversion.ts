/**
 * Converting a group between the classic protocol and KIP-848 with members in it, as Kafka 4.0
 * does under group.consumer.migration.policy (empty groups simply change type):
 *
 * - upgrade: a classic group of protocol type "consumer" receiving a ConsumerGroupHeartbeat
 *   becomes a consumer group; its members stay, as classic members of it, each keeping the
 *   partitions the last rebalance gave it (which become the target assignment, at an epoch
 *   equal to the generation). Refused (GROUP_ID_NOT_FOUND) if the policy forbids it, the group
 *   is too large, or an assignment carries user data a custom assignor would lose.
 * - downgrade: when the last member using ConsumerGroupHeartbeat leaves (or a classic static
 *   member replaces it) and classic members remain, the group becomes a classic group at
 *   generation = group epoch, each member keeping its target assignment, and rebalances.
 */
import { KafkaError } from '../codec/error-codes.js';
import { decodeAssignment, decodeSubscription, embeddedVersion, encodeAssignment } from './consumer/embedded-protocol.js';
import { ConsumerGroup, type ConsumerGroupSettings } from './consumer/group.js';
import { type ConsumerMember, newMember, normalizeNames } from './consumer/member.js';
import { assignmentByName, CONSUMER_PROTOCOL_TYPE } from './consumer/classic-members.js';
import type { TopicsView } from './consumer/regex-subscriptions.js';
import { GroupFailure } from './failure.js';
import { type ClassicMemberSnapshot, Group, type MemberExpired } from './group.js';

export function mayUpgrade(settings: ConsumerGroupSettings): boolean {
  return settings.migrationPolicy === 'bidirectional' || settings.migrationPolicy === 'upgrade';
}

export function mayDowngrade(settings: ConsumerGroupSettings): boolean {
  return settings.migrationPolicy === 'bidirectional' || settings.migrationPolicy === 'downgrade';
}

const cannot = (groupId: string, why: string): GroupFailure =>
  new GroupFailure(KafkaError.GROUP_ID_NOT_FOUND, `Cannot upgrade classic group ${groupId} to consumer group because ${why}.`);

/** The consumer group a non-empty classic group becomes; throws GroupFailure where Kafka refuses. */
export function upgrade(classic: Group, settings: ConsumerGroupSettings, topics: TopicsView, now: number): ConsumerGroup {
  const id = classic.groupId;
  if (!mayUpgrade(settings)) throw cannot(id, 'online upgrade is disabled');
  if (classic.protocolType !== CONSUMER_PROTOCOL_TYPE) throw cannot(id, 'the group does not use the consumer embedded protocol');
  if (classic.size > settings.maxSize) throw cannot(id, 'the group size exceeds the consumer group maximum size');
  const group = new ConsumerGroup(id, settings);
  group.groupEpoch = classic.generationId;
  group.assignmentEpoch = classic.generationId;
  const members = classic.snapshot();
  for (const c of members) {
    const protocol = c.protocols.find((p) => p.name === classic.protocolName) ?? c.protocols[0];
    let subscription;
    let assigned = new Map<string, Set<number>>();
    try {
      subscription = decodeSubscription(protocol!.metadata);
      if (c.assignment.length > 0) {
        const a = decodeAssignment(c.assignment);
        if (a.userData !== null && a.userData.length > 0) {
          throw cannot(id, 'an unsupported custom assignor is in use. Please refer to the documentation or switch to a default assignor before re-attempting the upgrade');
        }
        assigned = byId(a.assignedPartitions, topics);
      }
    } catch (e) {
      if (e instanceof GroupFailure) throw e;
      throw cannot(id, 'the embedded consumer protocol is malformed');
    }
    const m: ConsumerMember = {
      ...newMember(c.memberId),
      instanceId: c.groupInstanceId, rackId: subscription.rackId, rebalanceTimeoutMs: c.rebalanceTimeoutMs, clientId: c.clientId, clientHost: c.clientHost,
      subscribedTopicNames: normalizeNames(subscription.topics),
      a: { state: 'stable', memberEpoch: classic.generationId, previousMemberEpoch: classic.generationId, assigned, pendingRevocation: new Map() },
      classic: { sessionTimeoutMs: c.sessionTimeoutMs, protocols: c.protocols },
      sessionDeadline: now + c.sessionTimeoutMs,
    };
    group.put({ ...m, a: { ...m.a, assigned: new Map() } }, null);
    try {
      group.setAssignment(group.member(m.memberId)!, m.a);
    } catch {
      throw cannot(id, 'two members were assigned the same partition');
    }
    group.setTarget(m.memberId, assigned);
  }
  // The topics as they are now are what the classic assignment was made for.
  group.adoptTopics(topics);
  return group;
}

/** Whether removing `leaving` leaves only classic members (and some), so the group may become classic. */
export function downgradeAfterLeaving(group: ConsumerGroup, leaving: readonly ConsumerMember[], classicMaxSize: number): boolean {
  const remaining = [...group.members.values()].filter((m) => !leaving.includes(m));
  return remaining.length > 0 && remaining.every((m) => m.classic !== null) && mayDowngrade(group.settings) && remaining.length <= classicMaxSize;
}

/**
 * Whether a classic static member that just replaced `replaced` (a member of the other
 * protocol) left only classic members, so the group may become classic.
 */
export function downgradeOnReplacement(group: ConsumerGroup, replaced: ConsumerMember, classicMaxSize: number): boolean {
  return replaced.classic === null && [...group.members.values()].every((m) => m.classic !== null) && mayDowngrade(group.settings) && group.size <= classicMaxSize;
}

/**
 * The classic group a consumer group becomes, without `leaving`; it rebalances when members
 * left or `rebalance` is set (a replacing static member with another subscription).
 */
export function downgrade(
  group: ConsumerGroup, leaving: readonly ConsumerMember[], topics: TopicsView, classic: { initialRebalanceDelayMs: number; onMemberExpired?: MemberExpired },
  rebalance: boolean, now: number,
): Group {
  const members: ClassicMemberSnapshot[] = [];
  for (const m of group.members.values()) {
    if (leaving.includes(m) || !m.classic) continue;
    const first = m.classic.protocols[0]!;
    let version = 0;
    try {
      version = embeddedVersion(first.metadata);
    } catch {
      // keep version 0
    }
    members.push({
      memberId: m.memberId, groupInstanceId: m.instanceId, clientId: m.clientId, clientHost: m.clientHost,
      sessionTimeoutMs: m.classic.sessionTimeoutMs, rebalanceTimeoutMs: m.rebalanceTimeoutMs, protocols: m.classic.protocols,
      assignment: encodeAssignment(version, assignmentByName(group.targetOf(m.memberId), (id) => topics.nameOf(id))),
    });
  }
  const converted = Group.fromMembers(group.groupId, classic.initialRebalanceDelayMs, classic.onMemberExpired, group.groupEpoch, members, now);
  if (leaving.length > 0 || rebalance) converted.rebalance(now);
  return converted;
}

function byId(partitions: readonly { topic: string; partitions: readonly number[] }[], topics: TopicsView): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const tp of partitions) {
    const d = topics.describe(tp.topic);
    if (!d) continue;
    const set = out.get(d.id) ?? new Set<number>();
    for (const p of tp.partitions) if (p >= 0 && p < d.partitions) set.add(p);
    out.set(d.id, set);
  }
  return out;
}
