import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { GroupCoordinator } from '../../../../src/protocol/kafka/groups/coordinator.js';
import type { ConsumerHeartbeatRequest, ConsumerHeartbeatResult } from '../../../../src/protocol/kafka/groups/consumer/heartbeat.js';
import type { TopicsView } from '../../../../src/protocol/kafka/groups/consumer/regex-subscriptions.js';
import { decodeAssignment, encodeAssignment, encodeSubscription } from '../../../../src/protocol/kafka/groups/consumer/embedded-protocol.js';
import type { JoinRequest } from '../../../../src/protocol/kafka/groups/types.js';

class FakeTopics implements TopicsView {
  version = 0;
  private readonly topics = new Map<string, { id: string; partitions: number }>();
  add(name: string, partitions: number): string {
    const id = `id-${name}-${this.version}`;
    this.topics.set(name, { id, partitions });
    this.version++;
    return id;
  }
  grow(name: string, partitions: number): void {
    this.topics.get(name)!.partitions = partitions;
    this.version++;
  }
  names() {
    return [...this.topics.keys()];
  }
  describe(name: string) {
    return this.topics.get(name);
  }
  nameOf(id: string) {
    for (const [n, t] of this.topics) if (t.id === id) return n;
    return undefined;
  }
}

function setup(consumer: ConstructorParameters<typeof GroupCoordinator>[0]['consumer'] = {}) {
  const clock = { t: 1_000_000, now() { return this.t; } };
  const topics = new FakeTopics();
  const gc = new GroupCoordinator({ clock, minSessionTimeoutMs: 100, maxSessionTimeoutMs: 60_000, initialRebalanceDelayMs: 0, consumer, topics });
  const advance = (ms: number) => {
    clock.t += ms;
    gc.tick();
  };
  return { gc, topics, clock, advance };
}

function hb(over: Partial<ConsumerHeartbeatRequest>): ConsumerHeartbeatRequest {
  return {
    groupId: 'g', memberId: 'm1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['t'],
    subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [], clientId: 'c', clientHost: '/127.0.0.1', mayDescribe: () => true, ...over,
  };
}

/** The partitions of an answer's assignment, as "topicId:p" strings. */
function parts(r: ConsumerHeartbeatResult): string[] {
  assert.ok(r.assignment, `expected an assignment in ${JSON.stringify(r)}`);
  return r.assignment.topicPartitions.flatMap((tp) => tp.partitions.map((p) => `${tp.topicId}:${p}`)).sort();
}

/** A member that acts on its answers as a client does: owns what it was last given. */
class Member {
  epoch = 0;
  owned: { topicId: string; partitions: number[] }[] = [];
  constructor(readonly gc: GroupCoordinator, readonly memberId: string, readonly over: Partial<ConsumerHeartbeatRequest> = {}) {}
  beat(extra: Partial<ConsumerHeartbeatRequest> = {}): ConsumerHeartbeatResult {
    const r = this.gc.consumerHeartbeat(hb({ memberId: this.memberId, memberEpoch: this.epoch, topicPartitions: this.owned, ...this.over, ...extra }), 1);
    assert.equal(r.errorCode, KafkaError.NONE, `${this.memberId}: ${r.errorMessage}`);
    this.epoch = r.memberEpoch;
    if (r.assignment) this.owned = r.assignment.topicPartitions;
    return r;
  }
  get count(): number {
    return this.owned.reduce((n, tp) => n + tp.partitions.length, 0);
  }
}

describe('KIP-848 consumer groups (sans-IO, fake clock)', () => {
  it('a member joins, gets every partition at epoch 1 and the configured heartbeat interval', () => {
    const { gc, topics } = setup({ heartbeatIntervalMs: 1234 });
    const t = topics.add('t', 3);
    const r = gc.consumerHeartbeat(hb({}), 1);
    assert.equal(r.errorCode, 0);
    assert.equal(r.memberId, 'm1');
    assert.equal(r.memberEpoch, 1);
    assert.equal(r.heartbeatIntervalMs, 1234);
    assert.deepEqual(parts(r), [`${t}:0`, `${t}:1`, `${t}:2`]);
    const d = gc.describeConsumerGroup('g')!;
    assert.deepEqual([d.state, d.groupEpoch, d.assignmentEpoch, d.assignorName], ['Stable', 1, 1, 'uniform']);
    assert.equal(gc.listings()[0]!.type, 'consumer');
  });

  it('v0 generates the member id; v1 requires the client to', () => {
    const { gc, topics } = setup();
    topics.add('t', 1);
    const r0 = gc.consumerHeartbeat(hb({ memberId: '' }), 0);
    assert.equal(r0.errorCode, 0);
    assert.match(r0.memberId!, /^[0-9a-f-]{36}$/);
    const r1 = gc.consumerHeartbeat(hb({ memberId: '' }), 1);
    assert.equal(r1.errorCode, KafkaError.INVALID_REQUEST);
  });

  it('refuses malformed requests as Kafka does', () => {
    const { gc } = setup();
    const code = (over: Partial<ConsumerHeartbeatRequest>) => gc.consumerHeartbeat(hb(over), 1).errorCode;
    assert.equal(code({ rebalanceTimeoutMs: -1 }), KafkaError.INVALID_REQUEST);
    assert.equal(code({ topicPartitions: null }), KafkaError.INVALID_REQUEST);
    assert.equal(code({ subscribedTopicNames: null }), KafkaError.INVALID_REQUEST);
    assert.equal(code({ memberEpoch: -3 }), KafkaError.INVALID_REQUEST);
    assert.equal(code({ memberEpoch: -2 }), KafkaError.INVALID_REQUEST, 'a static leave needs an instance id');
    assert.equal(code({ instanceId: '' }), KafkaError.INVALID_REQUEST);
    assert.equal(code({ serverAssignor: 'sticky' }), KafkaError.UNSUPPORTED_ASSIGNOR);
    assert.equal(code({ subscribedTopicRegex: '(a' }), KafkaError.INVALID_REGULAR_EXPRESSION);
    assert.equal(gc.kind('g'), undefined, 'a failed first heartbeat creates no group');
  });

  it('moves a partition only after its previous owner has revoked it', () => {
    const { gc, topics } = setup();
    const t = topics.add('t', 2);
    const a = new Member(gc, 'a');
    a.beat();
    assert.equal(a.count, 2);
    const b = new Member(gc, 'b');
    const rb = b.beat();
    assert.equal(rb.memberEpoch, 2, 'b is at the new epoch');
    assert.deepEqual(parts(rb), [], 'but gets nothing a still holds');
    assert.equal(gc.describeConsumerGroup('g')!.state, 'Reconciling');
    // a learns it must give one partition up; its epoch stays until it has.
    const ra = gc.consumerHeartbeat(hb({ memberId: 'a', memberEpoch: 1, topicPartitions: a.owned }), 1);
    assert.equal(ra.memberEpoch, 1);
    assert.equal(parts(ra).length, 1);
    const revoked = [`${t}:0`, `${t}:1`].find((p) => !parts(ra).includes(p))!;
    // b heartbeats before a confirms: still nothing for b.
    b.beat();
    assert.equal(b.count, 0);
    // a confirms by no longer reporting the partition, moves to epoch 2...
    a.owned = ra.assignment!.topicPartitions;
    a.epoch = 1;
    assert.equal(a.beat().memberEpoch, 2);
    // ...and only now b receives it.
    const rb2 = b.beat();
    assert.deepEqual(parts(rb2), [revoked]);
    assert.equal(gc.describeConsumerGroup('g')!.state, 'Stable');
  });

  it('fences stale and future epochs, but accepts the previous epoch after a lost answer', () => {
    const { gc, topics } = setup();
    topics.add('t', 2);
    const a = new Member(gc, 'a');
    a.beat();
    const code = (epoch: number, owned = a.owned) => gc.consumerHeartbeat(hb({ memberId: 'a', memberEpoch: epoch, topicPartitions: owned }), 1).errorCode;
    assert.equal(code(5), KafkaError.FENCED_MEMBER_EPOCH);
    // Another member joins: a moves 1 -> 2 while keeping one partition; suppose that answer was lost.
    new Member(gc, 'b').beat();
    const r = gc.consumerHeartbeat(hb({ memberId: 'a', memberEpoch: 1, topicPartitions: a.owned }), 1);
    assert.equal(r.memberEpoch, 1, 'revoking: still epoch 1');
    assert.equal(code(0, []), KafkaError.FENCED_MEMBER_EPOCH, 'rejoining while still a member is fenced');
    assert.equal(gc.consumerHeartbeat(hb({ memberId: 'nobody', memberEpoch: 3 }), 1).errorCode, KafkaError.UNKNOWN_MEMBER_ID);
  });

  it('a member that leaves (epoch -1) releases its partitions to the others', () => {
    const { gc, topics } = setup();
    topics.add('t', 4);
    const a = new Member(gc, 'a');
    const b = new Member(gc, 'b');
    a.beat();
    b.beat();
    a.beat();
    a.beat();
    b.beat();
    assert.deepEqual([a.count, b.count], [2, 2]);
    const left = gc.consumerHeartbeat(hb({ memberId: 'b', memberEpoch: -1 }), 1);
    assert.deepEqual([left.errorCode, left.memberId, left.memberEpoch], [0, 'b', -1]);
    const ra = a.beat();
    assert.equal(a.count, 4);
    assert.equal(ra.memberEpoch, 3, 'epochs: a joined (1), b joined (2), b left (3)');
    assert.equal(gc.consumerHeartbeat(hb({ memberId: 'b', memberEpoch: 3 }), 1).errorCode, KafkaError.UNKNOWN_MEMBER_ID);
  });

  it('fences a member whose session expires, and one that does not revoke within its rebalance timeout', () => {
    const { gc, topics, advance } = setup({ sessionTimeoutMs: 1000 });
    topics.add('t', 2);
    const a = new Member(gc, 'a', { rebalanceTimeoutMs: 2500 });
    const b = new Member(gc, 'b', { rebalanceTimeoutMs: 2500 });
    a.beat();
    b.beat();
    const both = a.owned;
    a.beat(); // told to revoke one partition
    assert.equal(a.count, 1);
    for (let t = 0; t < 2000; t += 500) {
      advance(500);
      a.beat({ topicPartitions: both }); // but keeps reporting both
      b.beat();
    }
    assert.equal(b.count, 0, 'b waits while a holds on');
    advance(600); // a's 2.5 s to revoke have passed
    assert.deepEqual(gc.describeConsumerGroup('g')!.members.map((m) => m.memberId), ['b']);
    b.beat();
    assert.equal(b.count, 2);
    advance(1100); // b stops heartbeating
    assert.equal(gc.describeConsumerGroup('g')!.state, 'Empty');
    assert.equal(gc.consumerHeartbeat(hb({ memberId: 'b', memberEpoch: b.epoch }), 1).errorCode, KafkaError.UNKNOWN_MEMBER_ID);
  });

  it('static members: the instance is unreleased until its holder leaves with -2, then taken over with its partitions', () => {
    const { gc, topics, advance } = setup({ sessionTimeoutMs: 10_000 });
    topics.add('t', 3);
    const a = new Member(gc, 'a1', { instanceId: 'i-a' });
    a.beat();
    const dup = gc.consumerHeartbeat(hb({ memberId: 'a2', instanceId: 'i-a' }), 1);
    assert.equal(dup.errorCode, KafkaError.UNRELEASED_INSTANCE_ID);
    const bye = gc.consumerHeartbeat(hb({ memberId: 'a1', memberEpoch: -2, instanceId: 'i-a' }), 1);
    assert.deepEqual([bye.errorCode, bye.memberEpoch], [0, -2]);
    const epochBefore = gc.describeConsumerGroup('g')!.groupEpoch;
    advance(5000);
    const again = new Member(gc, 'a2', { instanceId: 'i-a' });
    const r = again.beat();
    assert.equal(again.count, 3, 'the successor takes its partitions back');
    assert.equal(gc.describeConsumerGroup('g')!.groupEpoch, epochBefore, 'without a rebalance');
    assert.equal(r.memberEpoch, epochBefore);
    assert.equal(gc.consumerHeartbeat(hb({ memberId: 'a1', memberEpoch: 1, instanceId: 'i-a' }), 1).errorCode, KafkaError.FENCED_INSTANCE_ID);
  });

  it('range and uniform assignors, chosen by the members', () => {
    const { gc, topics } = setup();
    const x = topics.add('x', 3);
    const y = topics.add('y', 3);
    const a = new Member(gc, 'a', { subscribedTopicNames: ['x', 'y'], serverAssignor: 'range' });
    const b = new Member(gc, 'b', { subscribedTopicNames: ['x', 'y'], serverAssignor: 'range' });
    for (let i = 0; i < 4; i++) {
      a.beat();
      b.beat();
    }
    assert.equal(gc.describeConsumerGroup('g')!.assignorName, 'range');
    // Co-partitioned: a gets partitions 0-1 of both topics, b partition 2 of both.
    const byTopic = (m: Member) => Object.fromEntries(m.owned.map((tp) => [tp.topicId, tp.partitions]));
    assert.deepEqual(byTopic(a), { [x]: [0, 1], [y]: [0, 1] });
    assert.deepEqual(byTopic(b), { [x]: [2], [y]: [2] });
  });

  it('a subscription by regex resolves to matching topics and follows new ones (after Kafka\'s 10 s batching)', () => {
    const { gc, topics, advance } = setup({ sessionTimeoutMs: 60_000 });
    const o1 = topics.add('orders-eu', 1);
    topics.add('payments', 1);
    const a = new Member(gc, 'a', { subscribedTopicNames: null, subscribedTopicRegex: 'orders-.*' });
    a.beat();
    assert.deepEqual(a.owned, [{ topicId: o1, partitions: [0] }]);
    const o2 = topics.add('orders-us', 2);
    a.beat({ subscribedTopicRegex: null });
    assert.equal(a.count, 1, 'not refreshed within 10 s');
    advance(10_001);
    a.beat({ subscribedTopicRegex: null });
    a.beat({ subscribedTopicRegex: null });
    assert.deepEqual(a.owned.map((tp) => tp.topicId).sort(), [o1, o2].sort());
    assert.equal(a.count, 3);
    assert.equal(gc.describeConsumerGroup('g')!.members[0]!.subscribedTopicRegex, 'orders-.*');
  });

  it('partitions added to a subscribed topic bump the epoch and get assigned', () => {
    const { gc, topics } = setup();
    topics.add('t', 1);
    const a = new Member(gc, 'a');
    a.beat();
    topics.grow('t', 3);
    const r = a.beat();
    assert.equal(r.memberEpoch, 2);
    assert.equal(a.count, 3);
  });

  it('offset commits: member and epoch checked; v9 needed by consumer-protocol members; empty groups take admin commits', () => {
    const { gc, topics } = setup();
    topics.add('t', 1);
    const a = new Member(gc, 'a');
    a.beat();
    assert.equal(gc.checkCommit('g', 'a', 1, null, 9), KafkaError.NONE);
    assert.equal(gc.checkCommit('g', 'a', 0, null, 9), KafkaError.STALE_MEMBER_EPOCH);
    assert.equal(gc.checkCommit('g', 'a', 1, null, 8), KafkaError.UNSUPPORTED_VERSION);
    assert.equal(gc.checkCommit('g', 'zz', 1, null, 9), KafkaError.UNKNOWN_MEMBER_ID);
    assert.equal(gc.checkCommit('g', '', -1, null, 9), KafkaError.UNKNOWN_MEMBER_ID, 'not while the group has members');
    assert.equal(gc.checkFetch('g', 'a', 0), KafkaError.STALE_MEMBER_EPOCH);
    assert.equal(gc.checkFetch('g', null, -1), KafkaError.NONE);
    gc.consumerHeartbeat(hb({ memberId: 'a', memberEpoch: -1 }), 1);
    assert.equal(gc.checkCommit('g', '', -1, null, 9), KafkaError.NONE);
    assert.equal(gc.delete('g'), KafkaError.NONE);
  });

  it('an empty classic group becomes a consumer group on the first heartbeat, and back on the first JoinGroup', async () => {
    const { gc, topics } = setup();
    topics.add('t', 1);
    const j = await gc.join({ groupId: 'g', memberId: '', groupInstanceId: null, clientId: 'c', clientHost: 'h', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });
    assert.equal(gc.consumerHeartbeat(hb({}), 1).errorCode, KafkaError.GROUP_ID_NOT_FOUND, 'a live classic group with a malformed subscription cannot convert');
    gc.leave('g', j.memberId, null);
    assert.equal(gc.kind('g'), 'classic');
    assert.equal(gc.consumerHeartbeat(hb({}), 1).errorCode, 0);
    assert.equal(gc.kind('g'), 'consumer');
    gc.consumerHeartbeat(hb({ memberEpoch: -1 }), 1);
    const j2 = await gc.join({ groupId: 'g', memberId: '', groupInstanceId: null, clientId: 'c', clientHost: 'h', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });
    assert.equal(j2.errorCode, 0);
    assert.equal(gc.kind('g'), 'classic');
  });

  const subscription = (topics: string[], owned: { topic: string; partitions: number[] }[] = []) =>
    encodeSubscription(1, { topics, userData: null, ownedPartitions: owned, generationId: -1, rackId: null });
  const joinReq = (over: Partial<JoinRequest>): JoinRequest => ({
    groupId: 'g', memberId: '', groupInstanceId: null, clientId: 'k', clientHost: 'h', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000,
    protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['t']) }], ...over,
  });

  it('online upgrade: classic members keep their partitions in the new consumer group and hand them over by rejoining', async () => {
    const { gc, topics } = setup();
    const t = topics.add('t', 2);
    const j = await gc.join(joinReq({}));
    const assignment = encodeAssignment(1, new Map([['t', [0, 1]]]));
    await gc.sync({ groupId: 'g', memberId: j.memberId, generationId: j.generationId, groupInstanceId: null, assignments: [{ memberId: j.memberId, assignment }] });
    assert.equal(gc.kind('g'), 'classic');
    const m = new Member(gc, 'modern');
    const r = m.beat();
    assert.equal(gc.kind('g'), 'consumer');
    assert.equal(r.memberEpoch, j.generationId + 1, 'the group epoch continues from the generation');
    assert.equal(m.count, 0, 'the classic member still holds both partitions');
    const d = gc.describeConsumerGroup('g')!;
    assert.deepEqual(d.members.find((x) => x.memberId === j.memberId)!.assignment.topicPartitions.map((tp) => tp.partitions), [[0, 1]]);
    // The classic member is told to rejoin; rejoining as an eager client (owning nothing) releases its partitions.
    assert.equal(gc.heartbeat('g', j.memberId, j.generationId, null), KafkaError.REBALANCE_IN_PROGRESS);
    const j2 = await gc.join(joinReq({ memberId: j.memberId }));
    assert.equal(j2.generationId, r.memberEpoch);
    const s2 = await gc.sync({ groupId: 'g', memberId: j.memberId, generationId: j2.generationId, groupInstanceId: null, assignments: [], protocolType: 'consumer', protocolName: 'range' });
    assert.equal(decodeAssignment(s2.assignment).assignedPartitions[0]!.partitions.length, 1);
    m.beat();
    assert.equal(m.count, 1, 'the freed partition reaches the KIP-848 member');
    const g = gc.consumerGroup('g')!;
    assert.notEqual(g.partitionOwner(t, 0), g.partitionOwner(t, 1), 'one partition each');
  });

  it('online downgrade: a classic static member replacing the last KIP-848 member makes the group classic again', async () => {
    const { gc, topics } = setup();
    topics.add('t', 2);
    const m = new Member(gc, 'modern', { instanceId: 'i-1' });
    m.beat();
    const c = await gc.join(joinReq({ memberId: '' }));
    assert.equal(c.errorCode, 0);
    assert.equal(gc.kind('g'), 'consumer');
    gc.consumerHeartbeat(hb({ memberId: 'modern', memberEpoch: -2, instanceId: 'i-1' }), 1);
    const back = await gc.join(joinReq({ groupInstanceId: 'i-1' }));
    assert.equal(back.errorCode, 0);
    assert.equal(gc.kind('g'), 'classic');
    const d = gc.describe('g')!;
    assert.equal(d.members.length, 2);
    assert.ok(d.members.some((x) => x.groupInstanceId === 'i-1'));
  });

  it('a classic group whose assignment carries user data (a custom assignor) is not upgraded', async () => {
    const { gc, topics } = setup();
    topics.add('t', 1);
    const j = await gc.join(joinReq({}));
    const withUserData = Buffer.concat([encodeAssignment(0, new Map([['t', [0]]])).subarray(0, -4), Buffer.from([0, 0, 0, 1, 7])]);
    await gc.sync({ groupId: 'g', memberId: j.memberId, generationId: j.generationId, groupInstanceId: null, assignments: [{ memberId: j.memberId, assignment: withUserData }] });
    const r = gc.consumerHeartbeat(hb({}), 1);
    assert.equal(r.errorCode, KafkaError.GROUP_ID_NOT_FOUND);
    assert.match(r.errorMessage!, /custom assignor/);
    assert.equal(gc.kind('g'), 'classic');
  });
});
