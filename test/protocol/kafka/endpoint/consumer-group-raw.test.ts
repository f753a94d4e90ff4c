/**
 * The KIP-848 protocol at the byte level, over real sockets: fencing errors, the order in which
 * a partition moves between members, offset commits checked against member epochs, classic
 * members inside a consumer group, ConsumerGroupDescribe, and what survives a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Broker } from '../../../../src/core/broker/broker.js';
import { ConsumerGroupDescribe } from '../../../../src/protocol/kafka/api/consumer-group-describe.js';
import { ConsumerGroupHeartbeat } from '../../../../src/protocol/kafka/api/consumer-group-heartbeat.js';
import { Heartbeat } from '../../../../src/protocol/kafka/api/heartbeat.js';
import { JoinGroup } from '../../../../src/protocol/kafka/api/join-group.js';
import { OffsetCommit } from '../../../../src/protocol/kafka/api/offset-commit.js';
import { OffsetFetch } from '../../../../src/protocol/kafka/api/offset-fetch.js';
import { SyncGroup } from '../../../../src/protocol/kafka/api/sync-group.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { decodeAssignment, encodeSubscription } from '../../../../src/protocol/kafka/groups/consumer/embedded-protocol.js';
import { listenKafka } from '../../../../src/protocol/kafka/server/listener.js';
import { tempDir } from '../../../helpers/tmp.js';
import { RawClient } from './raw-client.js';
import { startHarness, type Harness } from './harness.js';

type Owned = { topicId: string; partitions: number[] }[];

interface HeartbeatBody {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  topicPartitions: Owned | null;
}

function request(over: Partial<HeartbeatBody> & { memberId: string }): HeartbeatBody {
  return {
    groupId: 'g', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['t'],
    subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [], ...over,
  };
}

async function heartbeat(c: RawClient, body: HeartbeatBody, version = 1) {
  c.send(ConsumerGroupHeartbeat, version, body);
  return (await c.receive(ConsumerGroupHeartbeat, version)).body;
}

const count = (owned: Owned | undefined) => (owned ?? []).reduce((n, tp) => n + tp.partitions.length, 0);

describe('KIP-848 at the protocol level', () => {
  let h: Harness;
  let c: RawClient;
  before(async () => {
    h = await startHarness({ autoCreateTopics: false, groupConsumerHeartbeatIntervalMs: 250 });
    c = await RawClient.open(h.listener.port);
    await h.broker.vhost('/').createTopic('t', { partitions: 2 });
  });
  after(async () => {
    c.close();
    await h.close();
  });

  it('fencing and validation errors: FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID, UNRELEASED_INSTANCE_ID, INVALID_REGULAR_EXPRESSION ...', async () => {
    const joined = await heartbeat(c, request({ groupId: 'fence', memberId: 'f1' }));
    assert.deepEqual([joined.errorCode, joined.memberId, joined.memberEpoch, joined.heartbeatIntervalMs], [0, 'f1', 1, 250]);
    assert.equal(count(joined.assignment?.topicPartitions), 2);
    const ahead = await heartbeat(c, request({ groupId: 'fence', memberId: 'f1', memberEpoch: 7, topicPartitions: joined.assignment!.topicPartitions }));
    assert.equal(ahead.errorCode, KafkaError.FENCED_MEMBER_EPOCH);
    assert.match(ahead.errorMessage!, /greater member epoch/);
    assert.equal((await heartbeat(c, request({ groupId: 'fence', memberId: 'ghost', memberEpoch: 3 }))).errorCode, KafkaError.UNKNOWN_MEMBER_ID);
    assert.equal((await heartbeat(c, request({ groupId: 'fence', memberId: '' }))).errorCode, KafkaError.INVALID_REQUEST, 'v1: the client names itself');
    assert.equal((await heartbeat(c, request({ groupId: 'fence', memberId: '' }), 0)).errorCode, KafkaError.NONE, 'v0: the coordinator names it');
    assert.equal((await heartbeat(c, request({ groupId: 'fence', memberId: 'x', serverAssignor: 'sticky' }))).errorCode, KafkaError.UNSUPPORTED_ASSIGNOR);
    const regex = await heartbeat(c, request({ groupId: 'fence', memberId: 'x', subscribedTopicNames: null, subscribedTopicRegex: 't(?=x)' }));
    assert.equal(regex.errorCode, KafkaError.INVALID_REGULAR_EXPRESSION, 'RE2 has no lookahead');
    assert.equal((await heartbeat(c, request({ groupId: 'fence', memberId: 's1', instanceId: 'i' }))).errorCode, KafkaError.NONE);
    assert.equal((await heartbeat(c, request({ groupId: 'fence', memberId: 's2', instanceId: 'i' }))).errorCode, KafkaError.UNRELEASED_INSTANCE_ID);
  });

  it('a partition is assigned to its new owner only after the old owner\'s heartbeat stops reporting it', async () => {
    const a1 = await heartbeat(c, request({ groupId: 'order', memberId: 'a' }));
    const aOwned = a1.assignment!.topicPartitions;
    assert.equal(count(aOwned), 2);
    const b1 = await heartbeat(c, request({ groupId: 'order', memberId: 'b' }));
    assert.equal(b1.memberEpoch, 2);
    assert.equal(count(b1.assignment?.topicPartitions), 0);
    const a2 = await heartbeat(c, request({ groupId: 'order', memberId: 'a', memberEpoch: 1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: aOwned }));
    assert.equal(a2.memberEpoch, 1, 'a keeps its epoch while it revokes');
    assert.equal(count(a2.assignment!.topicPartitions), 1);
    const b2 = await heartbeat(c, request({ groupId: 'order', memberId: 'b', memberEpoch: 2, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [] }));
    assert.equal(b2.assignment, null, 'nothing yet for b');
    const group = h.listener.context.groups.consumerGroup('order')!;
    assert.equal(group.state, 'Reconciling');
    const a3 = await heartbeat(c, request({ groupId: 'order', memberId: 'a', memberEpoch: 1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: a2.assignment!.topicPartitions }));
    assert.equal(a3.memberEpoch, 2);
    const b3 = await heartbeat(c, request({ groupId: 'order', memberId: 'b', memberEpoch: 2, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [] }));
    assert.equal(count(b3.assignment!.topicPartitions), 1);
    const mine = (o: Owned) => o[0]!.partitions[0];
    assert.notEqual(mine(b3.assignment!.topicPartitions), mine(a2.assignment!.topicPartitions));
    assert.equal(group.state, 'Stable');
  });

  it('OffsetCommit v9 and OffsetFetch v9 check the member and its epoch', async () => {
    const j = await heartbeat(c, request({ groupId: 'commits', memberId: 'm' }));
    const commit = async (epoch: number, version = 9, memberId = 'm') => {
      c.send(OffsetCommit, version, {
        groupId: 'commits', generationIdOrMemberEpoch: epoch, memberId, groupInstanceId: null,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }],
      });
      return (await c.receive(OffsetCommit, version)).body.topics[0]!.partitions[0]!.errorCode;
    };
    assert.equal(await commit(j.memberEpoch), KafkaError.NONE);
    assert.equal(await commit(j.memberEpoch - 1), KafkaError.STALE_MEMBER_EPOCH);
    assert.equal(await commit(j.memberEpoch, 8), KafkaError.UNSUPPORTED_VERSION, 'consumer-protocol members commit with v9+');
    assert.equal(await commit(j.memberEpoch, 9, 'nobody'), KafkaError.UNKNOWN_MEMBER_ID);
    assert.equal(await commit(-1, 9, ''), KafkaError.UNKNOWN_MEMBER_ID, 'no memberless commits while it has members');
    const fetch = async (memberId: string | null, memberEpoch: number) => {
      c.send(OffsetFetch, 9, { groupId: '', topics: [], groups: [{ groupId: 'commits', memberId, memberEpoch, topics: [{ name: 't', partitionIndexes: [0] }] }], requireStable: false });
      return (await c.receive(OffsetFetch, 9)).body.groups[0]!;
    };
    assert.equal((await fetch('m', j.memberEpoch)).topics[0]!.partitions[0]!.committedOffset, 5);
    assert.equal((await fetch('m', j.memberEpoch + 1)).errorCode, KafkaError.STALE_MEMBER_EPOCH);
    assert.equal((await fetch(null, -1)).topics[0]!.partitions[0]!.committedOffset, 5, 'an admin reads without a member');
  });

  it('ConsumerGroupDescribe v1: epochs, assignor, members with current and target assignments and their type', async () => {
    await heartbeat(c, request({ groupId: 'desc', memberId: 'd1', serverAssignor: 'range', instanceId: 'inst' }));
    c.send(ConsumerGroupDescribe, 1, { groupIds: ['desc', 'missing', ''], includeAuthorizedOperations: false });
    const { groups } = (await c.receive(ConsumerGroupDescribe, 1)).body;
    const d = groups[0]!;
    assert.deepEqual([d.errorCode, d.groupState, d.groupEpoch, d.assignmentEpoch, d.assignorName], [0, 'Stable', 1, 1, 'range']);
    const m = d.members[0]!;
    assert.deepEqual([m.memberId, m.instanceId, m.memberEpoch, m.subscribedTopicNames, m.memberType], ['d1', 'inst', 1, ['t'], 1]);
    assert.deepEqual(m.assignment.topicPartitions.map((tp) => [tp.topicName, tp.partitions]), [['t', [0, 1]]]);
    assert.deepEqual(m.targetAssignment, m.assignment);
    assert.equal(groups[1]!.errorCode, KafkaError.GROUP_ID_NOT_FOUND);
    assert.equal(groups[2]!.errorCode, KafkaError.INVALID_GROUP_ID);
  });

  it('a classic member joins a consumer group: MEMBER_ID_REQUIRED, then its generation is its epoch and the server assigns', async () => {
    const modern = await heartbeat(c, request({ groupId: 'mixed', memberId: 'modern' }));
    const protocols = [{ name: 'range', metadata: encodeSubscription(1, { topics: ['t'], userData: null, ownedPartitions: [], generationId: -1, rackId: null }) }];
    const join = async (memberId: string) => {
      c.send(JoinGroup, 9, { groupId: 'mixed', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols, reason: null });
      return (await c.receive(JoinGroup, 9)).body;
    };
    const first = await join('');
    assert.equal(first.errorCode, KafkaError.MEMBER_ID_REQUIRED);
    const joined = await join(first.memberId);
    assert.deepEqual([joined.errorCode, joined.protocolType, joined.protocolName, joined.leader, joined.members], [0, 'consumer', 'range', '', []]);
    // The modern member must give a partition up before the classic one gets it.
    const owned = modern.assignment!.topicPartitions;
    const m2 = await heartbeat(c, request({ groupId: 'mixed', memberId: 'modern', memberEpoch: 1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: owned }));
    await heartbeat(c, request({ groupId: 'mixed', memberId: 'modern', memberEpoch: m2.memberEpoch, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: m2.assignment!.topicPartitions }));
    c.send(Heartbeat, 4, { groupId: 'mixed', generationId: joined.generationId, memberId: first.memberId, groupInstanceId: null });
    assert.equal((await c.receive(Heartbeat, 4)).body.errorCode, KafkaError.REBALANCE_IN_PROGRESS, 'the partition it waits for is free: rejoin');
    const again = await join(first.memberId);
    c.send(SyncGroup, 5, { groupId: 'mixed', generationId: again.generationId, memberId: first.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] });
    const sync = (await c.receive(SyncGroup, 5)).body;
    assert.equal(sync.errorCode, 0);
    assert.deepEqual(decodeAssignment(sync.assignment).assignedPartitions.map((tp) => [tp.topic, tp.partitions.length]), [['t', 1]]);
    c.send(Heartbeat, 4, { groupId: 'mixed', generationId: again.generationId, memberId: first.memberId, groupInstanceId: null });
    assert.equal((await c.receive(Heartbeat, 4)).body.errorCode, KafkaError.NONE);
  });
});

describe('KIP-848 across a restart and with migration disabled', () => {
  it('committed offsets survive; members are forgotten and rejoin (UNKNOWN_MEMBER_ID), then get their partitions again', async () => {
    const tmp = await tempDir();
    try {
      let broker = await Broker.open({ dataDir: tmp.dir });
      let listener = await listenKafka(broker, { port: 0 });
      await broker.vhost('/').createTopic('t', { partitions: 2 });
      let c = await RawClient.open(listener.port);
      const j = await heartbeat(c, request({ groupId: 'durable', memberId: 'm' }));
      c.send(OffsetCommit, 9, {
        groupId: 'durable', generationIdOrMemberEpoch: j.memberEpoch, memberId: 'm', groupInstanceId: null,
        topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: 'x' }] }],
      });
      assert.equal((await c.receive(OffsetCommit, 9)).body.topics[0]!.partitions[0]!.errorCode, 0);
      c.close();
      await listener.close();
      await broker.close();

      broker = await Broker.open({ dataDir: tmp.dir });
      listener = await listenKafka(broker, { port: 0 });
      c = await RawClient.open(listener.port);
      const stale = await heartbeat(c, request({ groupId: 'durable', memberId: 'm', memberEpoch: j.memberEpoch, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: j.assignment!.topicPartitions }));
      assert.equal(stale.errorCode, KafkaError.UNKNOWN_MEMBER_ID);
      const rejoined = await heartbeat(c, request({ groupId: 'durable', memberId: 'm' }));
      assert.equal(count(rejoined.assignment?.topicPartitions), 2);
      c.send(OffsetFetch, 9, { groupId: '', topics: [], groups: [{ groupId: 'durable', memberId: 'm', memberEpoch: rejoined.memberEpoch, topics: [{ name: 't', partitionIndexes: [1] }] }], requireStable: false });
      const p = (await c.receive(OffsetFetch, 9)).body.groups[0]!.topics[0]!.partitions[0]!;
      assert.deepEqual([p.committedOffset, p.metadata], [42, 'x']);
      c.close();
      await listener.close();
      await broker.close();
    } finally {
      await tmp.cleanup();
    }
  });

  it('with group.consumer.migration.policy disabled a live classic group is not converted (GROUP_ID_NOT_FOUND)', async () => {
    const h = await startHarness({ groupConsumerMigrationPolicy: 'disabled' });
    const c = await RawClient.open(h.listener.port);
    try {
      await h.broker.vhost('/').createTopic('t');
      const protocols = [{ name: 'range', metadata: encodeSubscription(0, { topics: ['t'], userData: null, ownedPartitions: [], generationId: -1, rackId: null }) }];
      c.send(JoinGroup, 5, { groupId: 'live', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols, reason: null });
      assert.equal((await c.receive(JoinGroup, 5)).body.errorCode, 0);
      const r = await heartbeat(c, request({ groupId: 'live', memberId: 'm' }));
      assert.equal(r.errorCode, KafkaError.GROUP_ID_NOT_FOUND);
      assert.match(r.errorMessage!, /online upgrade is disabled/);
      assert.equal(h.listener.context.groups.kind('live'), 'classic');
    } finally {
      c.close();
      await h.close();
    }
  });
});
