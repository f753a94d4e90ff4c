/**
 * The admin APIs of a one-node Kafka 3.9/4.x cluster that Hopper answers as such a cluster does:
 * OffsetDelete, DescribeLogDirs, AlterReplicaLogDirs, ElectLeaders, Alter/ListPartitionReassignments,
 * DescribeTopicPartitions, DescribeQuorum and ListConfigResources, through @platformatic/kafka's and
 * kafkajs's admin clients where they have them, and raw requests for the rest.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '@platformatic/kafka';
import type { Kafka } from 'kafkajs';
import { AlterPartitionReassignments } from '../../../../src/protocol/kafka/api/alter-partition-reassignments.js';
import { AlterReplicaLogDirs } from '../../../../src/protocol/kafka/api/alter-replica-log-dirs.js';
import { DescribeLogDirs } from '../../../../src/protocol/kafka/api/describe-log-dirs.js';
import { DescribeQuorum } from '../../../../src/protocol/kafka/api/describe-quorum.js';
import { DescribeTopicPartitions } from '../../../../src/protocol/kafka/api/describe-topic-partitions.js';
import { ElectLeaders } from '../../../../src/protocol/kafka/api/elect-leaders.js';
import { ListConfigResources } from '../../../../src/protocol/kafka/api/list-config-resources.js';
import { OffsetDelete } from '../../../../src/protocol/kafka/api/offset-delete.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { RawClient } from './raw-client.js';
import { startHarness, type Harness } from './harness.js';

describe('kafka admin APIs of a one-node cluster', () => {
  let h: Harness;
  let kafka: Kafka;
  let admin: Admin;
  let raw: RawClient;
  before(async () => {
    h = await startHarness({ autoCreateTopics: false });
    kafka = h.kafka();
    admin = new Admin({ clientId: 'adm', bootstrapBrokers: [h.bootstrap] });
    raw = await RawClient.open(h.listener.port);
    await h.broker.vhost('/').createTopic('adm-a', { partitions: 3 });
    await h.broker.vhost('/').createTopic('adm-b', { partitions: 2 });
  });
  after(async () => {
    raw.close();
    await admin.close();
    await h.close();
  });

  it('OffsetDelete (platformatic deleteConsumerGroupOffsets): deletes committed offsets, keeps a subscribed topic\'s', async () => {
    const offsets = await h.broker.vhost('/').groupOffsets();
    await offsets.commit('og', [{ topic: 'adm-a', partition: 0, offset: 5 }, { topic: 'adm-a', partition: 1, offset: 6 }, { topic: 'adm-b', partition: 0, offset: 7 }]);
    const deleted = await admin.deleteConsumerGroupOffsets({ groupId: 'og', topics: [{ name: 'adm-a', partitionIndexes: [0] }] });
    assert.deepEqual(deleted, [{ name: 'adm-a', partitionIndexes: [0] }]);
    assert.equal(offsets.fetch('og', 'adm-a', 0), undefined);
    assert.equal(offsets.fetch('og', 'adm-a', 1)?.offset, 6);

    raw.send(OffsetDelete, 0, { groupId: 'og', topics: [{ name: 'nope', partitions: [{ partitionIndex: 0 }] }, { name: 'adm-b', partitions: [{ partitionIndex: 9 }] }] });
    const r = (await raw.receive(OffsetDelete, 0)).body;
    assert.deepEqual(r.topics.map((t) => [t.name, t.partitions[0]!.errorCode]), [['nope', KafkaError.UNKNOWN_TOPIC_OR_PARTITION], ['adm-b', KafkaError.UNKNOWN_TOPIC_OR_PARTITION]]);
    raw.send(OffsetDelete, 0, { groupId: 'no-such-group', topics: [] });
    assert.equal((await raw.receive(OffsetDelete, 0)).body.errorCode, KafkaError.GROUP_ID_NOT_FOUND);

    // A member subscribed to adm-b keeps its offsets there; adm-a's go.
    const consumer = kafka.consumer({ groupId: 'og', sessionTimeout: 10_000 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'adm-b' });
    await consumer.run({ eachMessage: async () => undefined });
    const kadmin = kafka.admin();
    await kadmin.connect();
    try {
      for (let i = 0; i < 100; i++) {
        const g = await kadmin.describeGroups(['og']);
        if (g.groups[0]?.state === 'Stable') break;
        await new Promise((res) => setTimeout(res, 100));
      }
      raw.send(OffsetDelete, 0, { groupId: 'og', topics: [{ name: 'adm-a', partitions: [{ partitionIndex: 1 }] }, { name: 'adm-b', partitions: [{ partitionIndex: 0 }] }] });
      const s = (await raw.receive(OffsetDelete, 0)).body;
      assert.deepEqual(s.topics.map((t) => [t.name, t.partitions[0]!.errorCode]), [['adm-a', 0], ['adm-b', KafkaError.GROUP_SUBSCRIBED_TO_TOPIC]]);
      assert.notEqual(offsets.fetch('og', 'adm-b', 0), undefined, 'the subscribed topic keeps its offsets');
      assert.equal(offsets.fetch('og', 'adm-a', 1), undefined);
    } finally {
      await kadmin.disconnect();
      await consumer.disconnect();
    }
  });

  it('DescribeLogDirs (platformatic describeLogDirs) and AlterReplicaLogDirs to the same directory', async () => {
    await h.broker.vhost('/').topic('adm-a').appendMessage({ key: null, value: Buffer.from('x'), headers: [], timestamp: Date.now(), properties: {} });
    const [b] = await admin.describeLogDirs({ topics: [{ name: 'adm-a', partitions: [0, 1, 2] }] });
    assert.equal(b!.broker, 0);
    const dir = b!.results[0]!;
    assert.equal(dir.logDir, h.broker.dataDir);
    const parts = dir.topics.find((t) => t.name === 'adm-a')!.partitions;
    assert.deepEqual(parts.map((p) => p.partitionIndex).sort(), [0, 1, 2]);
    const sizes = parts.map((p) => Number(p.partitionSize));
    assert.equal(sizes.reduce((x, y) => x + y, 0), [0, 1, 2].reduce((n, p) => n + h.broker.vhost('/').topic('adm-a').partition(p).sizeBytes, 0));
    raw.send(DescribeLogDirs, 4, { topics: null });
    const all = (await raw.receive(DescribeLogDirs, 4)).body;
    assert.deepEqual(all.results[0]!.topics.map((t) => t.name), ['adm-a', 'adm-b']);
    assert.ok(all.results[0]!.totalBytes > 0 && all.results[0]!.usableBytes >= 0);

    raw.send(AlterReplicaLogDirs, 2, { dirs: [{ path: dir.logDir, topics: [{ name: 'adm-a', partitions: [0, 7] }] }, { path: '/elsewhere', topics: [{ name: 'adm-b', partitions: [0] }] }] });
    const moved = (await raw.receive(AlterReplicaLogDirs, 2)).body.results;
    assert.deepEqual(moved.map((t) => [t.topicName, t.partitions.map((p) => p.errorCode)]), [
      ['adm-a', [KafkaError.NONE, KafkaError.REPLICA_NOT_AVAILABLE]], ['adm-b', [KafkaError.LOG_DIR_NOT_FOUND]],
    ]);
  });

  it('ElectLeaders: no election is ever needed; unknown partitions are UNKNOWN_TOPIC_OR_PARTITION', async () => {
    raw.send(ElectLeaders, 2, { electionType: 0, topicPartitions: [{ topic: 'adm-a', partitions: [0, 1, 2] }, { topic: 'nope', partitions: [0] }], timeoutMs: 1000 });
    const r = (await raw.receive(ElectLeaders, 2)).body;
    assert.equal(r.errorCode, 0);
    assert.deepEqual(r.replicaElectionResults.map((t) => [t.topic, t.partitionResult.map((p) => p.errorCode)]), [
      ['adm-a', [KafkaError.ELECTION_NOT_NEEDED, KafkaError.ELECTION_NOT_NEEDED, KafkaError.ELECTION_NOT_NEEDED]], ['nope', [KafkaError.UNKNOWN_TOPIC_OR_PARTITION]],
    ]);
    raw.send(ElectLeaders, 0, { topicPartitions: null, timeoutMs: 1000 });
    assert.deepEqual((await raw.receive(ElectLeaders, 0)).body.replicaElectionResults, []);
  });

  it('AlterPartitionReassignments (kafkajs): an unknown topic fails as on Kafka; this node alone succeeds; nothing is ever in progress', async () => {
    const kadmin = kafka.admin();
    await kadmin.connect();
    try {
      await assert.rejects(kadmin.alterPartitionReassignments({ topics: [{ topic: 'adm-missing', partitionAssignment: [{ partition: 0, replicas: [2, 1] }] }] }), (e: { errors?: { message: string; topic: string }[] }) => {
        assert.equal(e.errors?.[0]?.message, 'This server does not host this topic-partition');
        return true;
      });
      await kadmin.alterPartitionReassignments({ topics: [{ topic: 'adm-a', partitionAssignment: [{ partition: 0, replicas: [0] }] }] });
      assert.deepEqual(await kadmin.listPartitionReassignments({}), { topics: [] });
    } finally {
      await kadmin.disconnect();
    }
    raw.send(AlterPartitionReassignments, 0, { timeoutMs: 1000, topics: [{ name: 'adm-a', partitions: [{ partitionIndex: 0, replicas: [0, 1] }, { partitionIndex: 1, replicas: null }, { partitionIndex: 2, replicas: [] }] }] });
    const r = (await raw.receive(AlterPartitionReassignments, 0)).body.responses[0]!.partitions;
    assert.deepEqual(r.map((p) => p.errorCode), [KafkaError.INVALID_REPLICA_ASSIGNMENT, KafkaError.NO_REASSIGNMENT_IN_PROGRESS, KafkaError.INVALID_REPLICA_ASSIGNMENT]);
    assert.match(r[0]!.errorMessage ?? '', /broker 1, but no such broker is registered/);
  });

  it('DescribeTopicPartitions pages by cursor in topic order', async () => {
    raw.send(DescribeTopicPartitions, 0, { topics: [{ name: 'adm-b' }, { name: 'adm-a' }, { name: 'nope' }], responsePartitionLimit: 4 });
    const first = (await raw.receive(DescribeTopicPartitions, 0)).body;
    assert.deepEqual(first.topics.map((t) => [t.name, t.errorCode, t.partitions.map((p) => p.partitionIndex)]), [['adm-a', 0, [0, 1, 2]], ['adm-b', 0, [0]]]);
    assert.deepEqual(first.nextCursor, { topicName: 'adm-b', partitionIndex: 1 });
    assert.deepEqual([first.topics[0]!.partitions[0]!.leaderId, first.topics[0]!.partitions[0]!.replicaNodes, first.topics[0]!.partitions[0]!.isrNodes], [0, [0], [0]]);
    raw.send(DescribeTopicPartitions, 0, { topics: [{ name: 'adm-b' }, { name: 'adm-a' }, { name: 'nope' }], responsePartitionLimit: 4, cursor: first.nextCursor });
    const second = (await raw.receive(DescribeTopicPartitions, 0)).body;
    assert.deepEqual(second.topics.map((t) => [t.name, t.errorCode, t.partitions.map((p) => p.partitionIndex)]), [['adm-b', 0, [1]], ['nope', KafkaError.UNKNOWN_TOPIC_OR_PARTITION, []]]);
    assert.equal(second.nextCursor, null);
  });

  it('DescribeQuorum: this node is the leader and only voter of __cluster_metadata', async () => {
    raw.send(DescribeQuorum, 2, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] });
    const r = (await raw.receive(DescribeQuorum, 2)).body;
    const p = r.topics[0]!.partitions[0]!;
    assert.deepEqual([r.errorCode, p.errorCode, p.leaderId, p.currentVoters.map((v) => v.replicaId), p.observers], [0, 0, 0, [0], []]);
    assert.ok(p.leaderEpoch >= 0 && p.highWatermark >= 0);
    assert.deepEqual(r.nodes[0]!.listeners[0]!.port, h.listener.port);
    raw.send(DescribeQuorum, 2, { topics: [{ topicName: 'adm-a', partitions: [{ partitionIndex: 0 }] }] });
    assert.equal((await raw.receive(DescribeQuorum, 2)).body.errorCode, KafkaError.INVALID_REQUEST);
  });

  it('ListConfigResources: v1 lists topics, the broker and groups; v0 (client metrics) lists none', async () => {
    raw.send(ListConfigResources, 1, { resourceTypes: [2, 4] });
    const r = (await raw.receive(ListConfigResources, 1)).body;
    assert.deepEqual(r.configResources, [{ resourceName: 'adm-a', resourceType: 2 }, { resourceName: 'adm-b', resourceType: 2 }, { resourceName: '0', resourceType: 4 }]);
    raw.send(ListConfigResources, 0, { resourceTypes: [] });
    assert.deepEqual((await raw.receive(ListConfigResources, 0)).body.configResources, []);
  });
});
