/**
 * Share groups (KIP-932) at the protocol level, for what no installed client drives: lock
 * expiry, the delivery limit, durability across a restart, share sessions' errors, the
 * share-group offset admin APIs, the shared group namespace and hostile acknowledgements.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendFile, readdir } from 'node:fs/promises';
import { join as joinPath, sep } from 'node:path';
import { Partitioners } from 'kafkajs';
import { Broker } from '../../../../src/core/broker/broker.js';
import { AlterShareGroupOffsets } from '../../../../src/protocol/kafka/api/alter-share-group-offsets.js';
import { ApiVersions } from '../../../../src/protocol/kafka/api/api-versions.js';
import { DeleteGroups } from '../../../../src/protocol/kafka/api/delete-groups.js';
import { DeleteShareGroupOffsets } from '../../../../src/protocol/kafka/api/delete-share-group-offsets.js';
import { DescribeShareGroupOffsets } from '../../../../src/protocol/kafka/api/describe-share-group-offsets.js';
import { JoinGroup } from '../../../../src/protocol/kafka/api/join-group.js';
import { ConsumerGroupHeartbeat } from '../../../../src/protocol/kafka/api/consumer-group-heartbeat.js';
import { ConsumerGroupDescribe } from '../../../../src/protocol/kafka/api/consumer-group-describe.js';
import { FindCoordinator } from '../../../../src/protocol/kafka/api/find-coordinator.js';
import { ListGroups } from '../../../../src/protocol/kafka/api/list-groups.js';
import { ShareAcknowledge } from '../../../../src/protocol/kafka/api/share-acknowledge.js';
import { ShareFetch } from '../../../../src/protocol/kafka/api/share-fetch.js';
import { ShareGroupDescribe } from '../../../../src/protocol/kafka/api/share-group-describe.js';
import { ShareGroupHeartbeat } from '../../../../src/protocol/kafka/api/share-group-heartbeat.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { listenKafka, type KafkaListener } from '../../../../src/protocol/kafka/server/listener.js';
import { defaultShareGroupOptions, type ShareGroupOptions } from '../../../../src/protocol/kafka/server/options.js';
import { tempDir } from '../../../helpers/tmp.js';
import { readStored } from './harness.js';
import { RawClient } from './raw-client.js';
import { Kafka, logLevel } from 'kafkajs';
import { Admin, ConfigResourceTypes } from '@platformatic/kafka';

interface Node {
  broker: Broker;
  listener: KafkaListener;
  c: RawClient;
}

async function start(dir: string, share: Partial<ShareGroupOptions> = {}): Promise<Node> {
  const broker = await Broker.open({ dataDir: dir });
  const listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0, share: { ...defaultShareGroupOptions, autoOffsetReset: 'earliest', ...share } });
  return { broker, listener, c: await RawClient.open(listener.port) };
}

async function stop(n: Node): Promise<void> {
  n.c.close();
  await n.listener.close();
  await n.broker.close();
}

async function produce(n: Node, topic: string, count: number): Promise<void> {
  const kafka = new Kafka({ brokers: [`127.0.0.1:${n.listener.port}`], logLevel: logLevel.NOTHING });
  const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
  await p.connect();
  await p.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `r${i}` })) });
  await p.disconnect();
}

async function join(n: Node, memberId: string, group = 'g', topic = 't') {
  n.c.send(ShareGroupHeartbeat, 1, { groupId: group, memberId, memberEpoch: 0, rackId: null, subscribedTopicNames: [topic] });
  return (await n.c.receive(ShareGroupHeartbeat, 1)).body;
}

type Ack = { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] };

async function fetch(n: Node, memberId: string, epoch: number, acks: Ack[] = [], opts: { maxRecords?: number; maxWaitMs?: number; group?: string; topic?: string } = {}) {
  const topicId = n.listener.context.topicId(opts.topic ?? 't');
  n.c.send(ShareFetch, 2, {
    groupId: opts.group ?? 'g', memberId, shareSessionEpoch: epoch, maxWaitMs: opts.maxWaitMs ?? 0, minBytes: 1, maxBytes: 1 << 20,
    maxRecords: opts.maxRecords ?? 100, batchSize: 100, shareAcquireMode: 0, isRenewAck: false,
    topics: [{ topicId, partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: acks }] }], forgottenTopicsData: [],
  });
  const body = (await n.c.receive(ShareFetch, 2)).body;
  const p = body.responses[0]?.partitions[0];
  const acquired: [number, number][] = []; // [offset, deliveryCount]
  for (const r of p?.acquiredRecords ?? []) for (let o = Number(r.firstOffset); o <= Number(r.lastOffset); o++) acquired.push([o, r.deliveryCount]);
  return { body, partition: p, acquired };
}

async function acknowledge(n: Node, memberId: string, epoch: number, acks: Ack[]) {
  n.c.send(ShareAcknowledge, 2, {
    groupId: 'g', memberId, shareSessionEpoch: epoch, isRenewAck: false,
    topics: [{ topicId: n.listener.context.topicId('t'), partitions: [{ partitionIndex: 0, acknowledgementBatches: acks }] }],
  });
  return (await n.c.receive(ShareAcknowledge, 2)).body;
}

async function describeOffsets(n: Node, group = 'g') {
  n.c.send(DescribeShareGroupOffsets, 1, { groups: [{ groupId: group, topics: [{ topicName: 't', partitions: [0] }] }] });
  return (await n.c.receive(DescribeShareGroupOffsets, 1)).body.groups[0]!;
}

const ACCEPT = 1;
const RELEASE = 2;
const REJECT = 3;

test('ApiVersions v3 advertises group.version and share.version, finalized at level 1 (the share groups and KIP-848 groups served)', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir);
  try {
    n.c.send(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    const { body } = await n.c.receive(ApiVersions, 3);
    assert.deepEqual(body.finalizedFeatures.map((f) => [f.name, f.minVersionLevel, f.maxVersionLevel]), [['group.version', 1, 1], ['share.version', 1, 1]]);
    assert.deepEqual(body.supportedFeatures.map((f) => [f.name, f.minVersion, f.maxVersion]), [['group.version', 0, 1], ['share.version', 0, 1]]);
    assert.equal(body.finalizedFeaturesEpoch, 0);
    assert.ok(!body.finalizedFeatures.some((f) => f.name === 'transaction.version'), 'KIP-890 transactions are not served');
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('an expired acquisition lock makes the records available again, to another member, with the delivery count + 1', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir, { recordLockDurationMs: 300 });
  try {
    await produce(n, 't', 3);
    assert.equal((await join(n, 'm1')).errorCode, KafkaError.NONE);
    assert.equal((await join(n, 'm2')).errorCode, KafkaError.NONE);
    const first = await fetch(n, 'm1', 0);
    assert.equal(first.body.acquisitionLockTimeoutMs, 300);
    assert.deepEqual(first.acquired, [[0, 1], [1, 1], [2, 1]]);
    assert.ok(first.partition!.records !== null && first.partition!.records.length > 0);
    assert.deepEqual((await fetch(n, 'm2', 0)).acquired, [], 'locked records go to nobody else');
    await new Promise((r) => setTimeout(r, 600));
    assert.deepEqual((await fetch(n, 'm2', 1, [], { maxWaitMs: 1000 })).acquired, [[0, 2], [1, 2], [2, 2]]);
    // m1's late acknowledgement of records it no longer holds is refused.
    const late = await fetch(n, 'm1', 1, [{ firstOffset: 0, lastOffset: 2, acknowledgeTypes: [ACCEPT] }], { maxRecords: 0 });
    assert.equal(late.partition!.acknowledgeErrorCode, KafkaError.INVALID_RECORD_STATE);
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('past the delivery limit a released record is archived (and dead-lettered when configured); reject dead-letters at once', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir, { deliveryCountLimit: 2, deadLetterTopic: 'dead-{group}' });
  try {
    await produce(n, 't', 2);
    await join(n, 'm1');
    let r = await fetch(n, 'm1', 0, [], { maxRecords: 1 });
    assert.deepEqual(r.acquired, [[0, 1]]);
    r = await fetch(n, 'm1', 1, [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [RELEASE] }], { maxRecords: 1 });
    assert.equal(r.partition!.acknowledgeErrorCode, KafkaError.NONE);
    assert.deepEqual(r.acquired, [[0, 2]]);
    r = await fetch(n, 'm1', 2, [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [RELEASE] }], { maxRecords: 10 });
    assert.deepEqual(r.acquired, [[1, 1]], 'offset 0 reached the limit: archived, not redelivered');
    r = await fetch(n, 'm1', 3, [{ firstOffset: 1, lastOffset: 1, acknowledgeTypes: [REJECT] }], { maxRecords: 10 });
    assert.deepEqual(r.acquired, []);
    const deadline = Date.now() + 5000;
    let dead: string[] = [];
    while (Date.now() < deadline) {
      if (n.broker.vhost('/').hasTopic('dead-g')) dead = (await readStored(n.broker, 'dead-g')).messages.map((m) => m.message.value!.toString());
      if (dead.length === 2) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.deepEqual(dead, ['r0', 'r1']);
    // Archived once their dead letters are stored (at least once, as queues dead-letter).
    let start = -1;
    while (Date.now() < deadline && start !== 2) {
      start = (await describeOffsets(n)).topics[0]!.partitions[0]!.startOffset;
      if (start !== 2) await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(start, 2);
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('a restart keeps share-partition state: acknowledged records stay acknowledged, acquired ones come back with their counts', async () => {
  const tmp = await tempDir();
  let n = await start(tmp.dir);
  try {
    await produce(n, 't', 5);
    await join(n, 'm1');
    const r = await fetch(n, 'm1', 0);
    assert.equal(r.acquired.length, 5);
    const acked = await acknowledge(n, 'm1', 1, [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT] }, { firstOffset: 3, lastOffset: 3, acknowledgeTypes: [ACCEPT] }]);
    assert.equal(acked.responses[0]!.partitions[0]!.errorCode, KafkaError.NONE);
    await stop(n);
    n = await start(tmp.dir);
    await join(n, 'm2');
    const again = await fetch(n, 'm2', 0);
    assert.deepEqual(again.acquired, [[2, 2], [4, 2]]);
    assert.equal((await describeOffsets(n)).topics[0]!.partitions[0]!.startOffset, 2);
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('a damaged share-partition state log is reported as the broker reports damaged queues (Broker.damage, health degraded)', async () => {
  const tmp = await tempDir();
  let n = await start(tmp.dir);
  try {
    await produce(n, 't', 5);
    await join(n, 'm1');
    assert.equal((await fetch(n, 'm1', 0)).acquired.length, 5);
    await acknowledge(n, 'm1', 1, [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT] }]);
    await stop(n);
    // A torn tail: garbage after the last whole batch of the state log.
    const root = joinPath(tmp.dir, 'vhosts');
    const logs = (await readdir(root, { recursive: true })).filter((f) => f.includes('share-groups') && f.includes(`${sep}state${sep}`) && f.endsWith('.log')).sort();
    assert.ok(logs.length > 0, 'the share partition has a state log');
    await appendFile(joinPath(root, logs[logs.length - 1]!), Buffer.alloc(37, 0x5a));
    n = await start(tmp.dir);
    await join(n, 'm2');
    await fetch(n, 'm2', 0);
    const reports = n.broker.damage().filter((r) => r.name.startsWith('share-group g t-0'));
    assert.ok(reports.some((r) => r.log === 'state' && r.kind === 'queue'), `reported: ${JSON.stringify(n.broker.damage())}`);
    assert.ok(n.broker.health().degraded.some((d) => d.includes('share-group g t-0')), 'health is degraded, naming the share partition');
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('a member that leaves gives its records back unseen: available at once, delivery counts as before', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir);
  try {
    await produce(n, 't', 2);
    await join(n, 'm1');
    await join(n, 'm2');
    assert.equal((await fetch(n, 'm1', 0)).acquired.length, 2);
    n.c.send(ShareGroupHeartbeat, 1, { groupId: 'g', memberId: 'm1', memberEpoch: -1, rackId: null, subscribedTopicNames: null });
    assert.equal((await n.c.receive(ShareGroupHeartbeat, 1)).body.memberEpoch, -1);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual((await fetch(n, 'm2', 0)).acquired, [[0, 1], [1, 1]]);
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('share sessions: unknown session, wrong epoch, ShareAcknowledge cannot open one, -1 closes', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir);
  try {
    await produce(n, 't', 1);
    await join(n, 'm1');
    assert.equal((await fetch(n, 'm1', 3)).body.errorCode, KafkaError.SHARE_SESSION_NOT_FOUND);
    assert.equal((await acknowledge(n, 'm1', 0, [])).errorCode, KafkaError.INVALID_SHARE_SESSION_EPOCH);
    assert.equal((await fetch(n, 'm1', 0)).acquired.length, 1);
    assert.equal((await fetch(n, 'm1', 5)).body.errorCode, KafkaError.INVALID_SHARE_SESSION_EPOCH);
    const closed = await acknowledge(n, 'm1', -1, [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [ACCEPT] }]);
    assert.equal(closed.errorCode, KafkaError.NONE);
    assert.equal(closed.responses[0]!.partitions[0]!.errorCode, KafkaError.NONE);
    assert.equal((await fetch(n, 'm1', 2)).body.errorCode, KafkaError.SHARE_SESSION_NOT_FOUND);
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('hostile acknowledgements: bad ranges and types are INVALID_REQUEST; a huge range costs what the member holds', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir);
  try {
    await produce(n, 't', 3);
    await join(n, 'm1');
    await fetch(n, 'm1', 0);
    let r = await fetch(n, 'm1', 1, [{ firstOffset: 2, lastOffset: 1, acknowledgeTypes: [ACCEPT] }], { maxRecords: 0 });
    assert.equal(r.partition!.acknowledgeErrorCode, KafkaError.INVALID_REQUEST);
    r = await fetch(n, 'm1', 2, [{ firstOffset: 0, lastOffset: 2, acknowledgeTypes: [ACCEPT, ACCEPT] }], { maxRecords: 0 });
    assert.equal(r.partition!.acknowledgeErrorCode, KafkaError.INVALID_REQUEST);
    r = await fetch(n, 'm1', 3, [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [9] }], { maxRecords: 0 });
    assert.equal(r.partition!.acknowledgeErrorCode, KafkaError.INVALID_REQUEST);
    const t0 = Date.now();
    r = await fetch(n, 'm1', 4, [{ firstOffset: 0, lastOffset: 2 ** 52, acknowledgeTypes: [ACCEPT] }], { maxRecords: 0 });
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(r.partition!.acknowledgeErrorCode, KafkaError.INVALID_RECORD_STATE, 'most of the range was never acquired');
    assert.equal((await describeOffsets(n)).topics[0]!.partitions[0]!.startOffset, 3, 'what it held was accepted');
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('share-group offset APIs, ListGroups, ShareGroupDescribe, DeleteGroups and the shared group namespace', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir);
  try {
    await produce(n, 't', 4);
    await join(n, 'm1');
    const r = await fetch(n, 'm1', 0, [], { maxRecords: 2 });
    await acknowledge(n, 'm1', 1, [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT] }]);
    assert.equal(r.acquired.length, 2);
    let d = await describeOffsets(n);
    assert.equal(d.errorCode, KafkaError.NONE);
    assert.deepEqual({ ...d.topics[0]!.partitions[0]!, errorMessage: null }, { partitionIndex: 0, startOffset: 2, leaderEpoch: 0, lag: 2, errorCode: 0, errorMessage: null });

    n.c.send(ListGroups, 5, { statesFilter: [], typesFilter: ['share'] });
    const listed = (await n.c.receive(ListGroups, 5)).body.groups;
    assert.deepEqual(listed.map((g) => [g.groupId, g.groupType, g.protocolType, g.groupState]), [['g', 'share', 'share', 'Stable']]);
    n.c.send(ShareGroupDescribe, 1, { groupIds: ['g', 'nope'], includeAuthorizedOperations: false });
    const described = (await n.c.receive(ShareGroupDescribe, 1)).body.groups;
    assert.equal(described[0]!.members[0]!.memberId, 'm1');
    assert.deepEqual(described[0]!.members[0]!.assignment.topicPartitions.map((t) => [t.topicName, t.partitions]), [['t', [0]]]);
    assert.equal(described[1]!.errorCode, KafkaError.GROUP_ID_NOT_FOUND);

    // The namespace is shared: a classic JoinGroup for a share group id is refused.
    n.c.send(JoinGroup, 5, {
      groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null,
    });
    assert.equal((await n.c.receive(JoinGroup, 5)).body.errorCode, KafkaError.INCONSISTENT_GROUP_PROTOCOL);

    // Alter needs an empty group.
    n.c.send(AlterShareGroupOffsets, 0, { groupId: 'g', topics: [{ topicName: 't', partitions: [{ partitionIndex: 0, startOffset: 1 }] }] });
    assert.equal((await n.c.receive(AlterShareGroupOffsets, 0)).body.errorCode, KafkaError.NON_EMPTY_GROUP);
    n.c.send(ShareGroupHeartbeat, 1, { groupId: 'g', memberId: 'm1', memberEpoch: -1, rackId: null, subscribedTopicNames: null });
    await n.c.receive(ShareGroupHeartbeat, 1);
    n.c.send(AlterShareGroupOffsets, 0, { groupId: 'g', topics: [{ topicName: 't', partitions: [{ partitionIndex: 0, startOffset: 1 }] }] });
    const altered = (await n.c.receive(AlterShareGroupOffsets, 0)).body;
    assert.equal(altered.errorCode, KafkaError.NONE);
    assert.equal(altered.responses[0]!.partitions[0]!.errorCode, KafkaError.NONE);
    d = await describeOffsets(n);
    assert.equal(d.topics[0]!.partitions[0]!.startOffset, 1);
    await join(n, 'm3');
    assert.deepEqual((await fetch(n, 'm3', 0)).acquired, [[1, 1], [2, 1], [3, 1]], 'from the altered offset, counts reset');
    n.c.send(ShareGroupHeartbeat, 1, { groupId: 'g', memberId: 'm3', memberEpoch: -1, rackId: null, subscribedTopicNames: null });
    await n.c.receive(ShareGroupHeartbeat, 1);

    n.c.send(DeleteShareGroupOffsets, 0, { groupId: 'g', topics: [{ topicName: 't' }] });
    const deleted = (await n.c.receive(DeleteShareGroupOffsets, 0)).body;
    assert.equal(deleted.errorCode, KafkaError.NONE);
    assert.deepEqual(deleted.responses[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode]), [[0, 0]]);
    d = await describeOffsets(n);
    assert.equal(d.topics[0]!.partitions[0]!.startOffset, -1, 'no state: -1, as Kafka');

    n.c.send(DeleteGroups, 2, { groupsNames: ['g'] });
    assert.equal((await n.c.receive(DeleteGroups, 2)).body.results[0]!.errorCode, KafkaError.NONE);
    n.c.send(DescribeShareGroupOffsets, 1, { groups: [{ groupId: 'g', topics: null }] });
    assert.equal((await n.c.receive(DescribeShareGroupOffsets, 1)).body.groups[0]!.errorCode, KafkaError.GROUP_ID_NOT_FOUND);
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('read_committed share groups skip aborted transactions and acquire nothing past the last stable offset', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir, { isolationLevel: 'read_committed' });
  try {
    await produce(n, 't', 1); // offset 0
    const kafka = new Kafka({ brokers: [`127.0.0.1:${n.listener.port}`], logLevel: logLevel.NOTHING });
    const p = kafka.producer({ transactionalId: 'share-tx', idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    let tx = await p.transaction();
    await tx.send({ topic: 't', messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }] });
    await tx.abort();
    tx = await p.transaction();
    await tx.send({ topic: 't', messages: [{ value: 'committed' }] });
    await tx.commit();
    tx = await p.transaction();
    await tx.send({ topic: 't', messages: [{ value: 'open' }] });
    await join(n, 'm1');
    const r = await fetch(n, 'm1', 0, [], { maxWaitMs: 300 });
    const offsets = r.acquired.map(([o]) => o);
    // 0: plain; 1-2 aborted; 3: abort marker; 4: committed; 5: commit marker; 6: still open.
    assert.deepEqual(offsets, [0, 4]);
    await tx.commit();
    const after = await fetch(n, 'm1', 1, [], { maxWaitMs: 1000 });
    assert.deepEqual(after.acquired.map(([o]) => o), [6]);
    await p.disconnect();
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('deleting a topic deletes its share partitions; a topic re-created under the name starts afresh', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir);
  try {
    await produce(n, 't', 2);
    await join(n, 'm1');
    assert.equal((await fetch(n, 'm1', 0)).acquired.length, 2);
    const admin = new Kafka({ brokers: [`127.0.0.1:${n.listener.port}`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: ['t'] });
    await admin.disconnect();
    await new Promise((r) => setTimeout(r, 100));
    await produce(n, 't', 1);
    await join(n, 'm2');
    assert.deepEqual((await fetch(n, 'm2', 0)).acquired, [[0, 1]]);
    assert.equal((await describeOffsets(n)).topics[0]!.partitions[0]!.startOffset, 0);
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('bounded: share groups (group.share.max.groups), members per group, and sessions only for members', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir, { maxGroups: 2, maxSize: 2 });
  try {
    await produce(n, 't', 1);
    assert.equal((await join(n, 'a', 'g1')).errorCode, KafkaError.NONE);
    assert.equal((await join(n, 'b', 'g1')).errorCode, KafkaError.NONE);
    assert.equal((await join(n, 'c', 'g1')).errorCode, KafkaError.GROUP_MAX_SIZE_REACHED);
    assert.equal((await join(n, 'a', 'g2')).errorCode, KafkaError.NONE);
    assert.equal((await join(n, 'a', 'g3')).errorCode, KafkaError.GROUP_MAX_SIZE_REACHED);
    // No share session (nor share-partition state) for a group or member that does not exist.
    assert.equal((await fetch(n, 'x', 0, [], { group: 'g9' })).body.errorCode, KafkaError.INVALID_REQUEST);
    assert.equal((await fetch(n, 'c', 0, [], { group: 'g1' })).body.errorCode, KafkaError.INVALID_REQUEST);
    n.c.send(ListGroups, 5, { statesFilter: [], typesFilter: ['share'] });
    assert.deepEqual((await n.c.receive(ListGroups, 5)).body.groups.map((g) => g.groupId).sort(), ['g1', 'g2']);
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('random ShareFetch and ShareAcknowledge requests are answered, and the broker stays consistent', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir, { recordLockDurationMs: 1000 });
  try {
    await produce(n, 't', 20);
    await join(n, 'm1');
    let seed = 42;
    const rnd = (k: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % k);
    const pick = <T>(xs: T[]): T => xs[rnd(xs.length)]!;
    const offsets = [-1, 0, 1, 5, 19, 20, 2 ** 31, 2 ** 53 - 1];
    const topicId = n.listener.context.topicId('t');
    for (let i = 0; i < 200; i++) {
      const acks = Array.from({ length: rnd(3) }, () => {
        const first = pick(offsets);
        return { firstOffset: first, lastOffset: rnd(2) === 0 ? first : pick(offsets), acknowledgeTypes: Array.from({ length: rnd(3) + 1 }, () => rnd(6) - 1) };
      });
      const epoch = pick([-1, 0, 1, 2, 3, 2 ** 31 - 1]);
      const member = pick(['m1', 'm2', '']);
      if (rnd(2) === 0) {
        n.c.send(ShareFetch, 2, {
          groupId: pick(['g', 'other', null]), memberId: member, shareSessionEpoch: epoch, maxWaitMs: pick([-5, 0, 10]), minBytes: 1, maxBytes: pick([-1, 0, 1, 1 << 20]),
          maxRecords: pick([-1, 0, 1, 7, 2 ** 31 - 1]), batchSize: 1, shareAcquireMode: pick([0, 1, -1]), isRenewAck: rnd(4) === 0,
          topics: [{ topicId: pick([topicId, 'AAAAAAAAAAAAAAAAAAAAAA']), partitions: [{ partitionIndex: pick([0, -1, 7]), partitionMaxBytes: 0, acknowledgementBatches: acks }] }],
          forgottenTopicsData: rnd(5) === 0 ? [{ topicId, partitions: [0, 3] }] : [],
        });
        const b = (await n.c.receive(ShareFetch, 2)).body;
        assert.equal(typeof b.errorCode, 'number');
      } else {
        n.c.send(ShareAcknowledge, 2, {
          groupId: 'g', memberId: member, shareSessionEpoch: epoch, isRenewAck: rnd(4) === 0,
          topics: [{ topicId, partitions: [{ partitionIndex: pick([0, -1]), acknowledgementBatches: acks }] }],
        });
        assert.equal(typeof (await n.c.receive(ShareAcknowledge, 2)).body.errorCode, 'number');
      }
    }
    // Still serving: a fresh member gets the records nobody accepted, each once.
    await join(n, 'm9');
    await new Promise((r) => setTimeout(r, 1100)); // locks of whatever the random requests acquired expire
    const r = await fetch(n, 'm9', 0, [], { maxWaitMs: 500 });
    const got = r.acquired.map(([o]) => o);
    assert.equal(new Set(got).size, got.length);
    const start = (await describeOffsets(n)).topics[0]!.partitions[0]!.startOffset;
    assert.ok(got.every((o) => o >= start && o < 20));
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('group configs (@platformatic/kafka IncrementalAlterConfigs/DescribeConfigs on a GROUP resource) set one share group\'s settings, durably', async () => {
  const tmp = await tempDir();
  // The broker's settings: latest, 30 s locks (Kafka's defaults).
  let n = await start(tmp.dir, { autoOffsetReset: 'latest' });
  const admin = (node: Node) => new Admin({ clientId: 'share-cfg', bootstrapBrokers: [`127.0.0.1:${node.listener.port}`] });
  try {
    await produce(n, 't', 3);
    let a = admin(n);
    await a.incrementalAlterConfigs({
      resources: [{ resourceType: ConfigResourceTypes.GROUP, resourceName: 'early', configs: [
        { name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' },
        { name: 'share.record.lock.duration.ms', configOperation: 0, value: '15000' },
      ] }],
      validateOnly: false,
    });
    const [described] = await a.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.GROUP, resourceName: 'early', configurationKeys: ['share.auto.offset.reset', 'share.delivery.count.limit'] }], includeSynonyms: false, includeDocumentation: false });
    assert.deepEqual(described!.configs.map((c) => [c.name, c.value, c.configSource]), [['share.auto.offset.reset', 'earliest', 8], ['share.delivery.count.limit', '5', 5]]);
    const bad = await a.incrementalAlterConfigs({
      resources: [{ resourceType: ConfigResourceTypes.GROUP, resourceName: 'early', configs: [{ name: 'share.delivery.count.limit', configOperation: 0, value: '99' }] }], validateOnly: false,
    }).catch((e: { errors?: unknown[] }) => e);
    assert.ok(bad instanceof Error, 'an out-of-range value is refused');
    await a.close();

    await join(n, 'm1', 'early');
    let r = await fetch(n, 'm1', 0, [], { group: 'early' });
    assert.equal(r.body.acquisitionLockTimeoutMs, 15000);
    assert.equal(r.acquired.length, 3, 'earliest for this group');
    await join(n, 'm1', 'late');
    assert.equal((await fetch(n, 'm1', 0, [], { group: 'late' })).acquired.length, 0, 'latest for the others');

    await stop(n);
    n = await start(tmp.dir, { autoOffsetReset: 'latest' });
    a = admin(n);
    const [again] = await a.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.GROUP, resourceName: 'early', configurationKeys: ['share.record.lock.duration.ms'] }], includeSynonyms: false, includeDocumentation: false });
    assert.equal(again!.configs[0]!.value, '15000');
    await a.close();
    await join(n, 'm2', 'early');
    r = await fetch(n, 'm2', 0, [], { group: 'early' });
    assert.equal(r.body.acquisitionLockTimeoutMs, 15000);
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});

test('one group id namespace: share, classic and consumer groups refuse each other as Kafka does; FindCoordinator serves key type 2', async () => {
  const tmp = await tempDir();
  const n = await start(tmp.dir);
  try {
    await produce(n, 't', 1);
    await join(n, 'm1', 'shared');
    n.c.send(ConsumerGroupHeartbeat, 1, {
      groupId: 'shared', memberId: 'c1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['t'],
      subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    });
    assert.equal((await n.c.receive(ConsumerGroupHeartbeat, 1)).body.errorCode, KafkaError.GROUP_ID_NOT_FOUND);
    n.c.send(ConsumerGroupDescribe, 1, { groupIds: ['shared'], includeAuthorizedOperations: false });
    const cd = (await n.c.receive(ConsumerGroupDescribe, 1)).body.groups[0]!;
    assert.deepEqual([cd.errorCode, cd.errorMessage], [KafkaError.GROUP_ID_NOT_FOUND, 'Group shared is not a consumer group.']);
    n.c.send(ConsumerGroupHeartbeat, 1, {
      groupId: 'kip848', memberId: 'c1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['t'],
      subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    });
    assert.equal((await n.c.receive(ConsumerGroupHeartbeat, 1)).body.errorCode, KafkaError.NONE);
    const sh = await join(n, 'm2', 'kip848');
    assert.deepEqual([sh.errorCode, sh.errorMessage], [KafkaError.GROUP_ID_NOT_FOUND, 'Group kip848 is not a share group.']);
    n.c.send(FindCoordinator, 4, { key: '', keyType: 2, coordinatorKeys: ['shared:' + n.listener.context.topicId('t') + ':0'] });
    const fc = (await n.c.receive(FindCoordinator, 4)).body.coordinators[0]!;
    assert.deepEqual([fc.errorCode, fc.nodeId], [KafkaError.NONE, 0]);
  } finally {
    await stop(n);
    await tmp.cleanup();
  }
});
