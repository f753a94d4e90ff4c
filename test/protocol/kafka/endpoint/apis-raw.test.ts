import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteTopics } from '../../../../src/protocol/kafka/api/delete-topics.js';
import { DescribeConfigs } from '../../../../src/protocol/kafka/api/describe-configs.js';
import { FindCoordinator } from '../../../../src/protocol/kafka/api/find-coordinator.js';
import { IncrementalAlterConfigs } from '../../../../src/protocol/kafka/api/incremental-alter-configs.js';
import { ListOffsets } from '../../../../src/protocol/kafka/api/list-offsets.js';
import { Metadata } from '../../../../src/protocol/kafka/api/metadata.js';
import { OffsetForLeaderEpoch } from '../../../../src/protocol/kafka/api/offset-for-leader-epoch.js';
import { Produce } from '../../../../src/protocol/kafka/api/produce.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { ZERO_UUID } from '../../../../src/protocol/kafka/codec/schema.js';
import { encodeBatch } from '../../../../src/storage/codec/record-batch.js';
import { RawClient } from './raw-client.js';
import { startHarness, type Harness } from './harness.js';

describe('kafka APIs at the protocol level', () => {
  let h: Harness;
  let c: RawClient;
  before(async () => {
    h = await startHarness({ autoCreateTopics: false });
    c = await RawClient.open(h.listener.port);
    await h.broker.vhost('/').createTopic('raw', { partitions: 2 });
  });
  after(async () => {
    c.close();
    await h.close();
  });

  const metadata = async (topics: { topicId: string; name: string | null }[] | null, allow = true) => {
    c.send(Metadata, 12, { topics, allowAutoTopicCreation: allow, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    return (await c.receive(Metadata, 12)).body;
  };

  it('Metadata: the node is broker and controller; topics by name and by id; no auto-create when disabled', async () => {
    const all = await metadata(null);
    assert.deepEqual(all.brokers.map((b) => [b.nodeId, b.port]), [[0, h.listener.port]]);
    assert.equal(all.controllerId, 0);
    const raw = all.topics.find((t) => t.name === 'raw')!;
    assert.equal(raw.partitions.length, 2);
    assert.notEqual(raw.topicId, ZERO_UUID);
    const byId = await metadata([{ topicId: raw.topicId, name: null }]);
    assert.equal(byId.topics[0]!.name, 'raw');
    const again = await metadata([{ topicId: ZERO_UUID, name: 'raw' }]);
    assert.equal(again.topics[0]!.topicId, raw.topicId, 'topic ids are stable');
    const missing = await metadata([{ topicId: ZERO_UUID, name: 'nope' }]);
    assert.equal(missing.topics[0]!.errorCode, KafkaError.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(h.broker.vhost('/').hasTopic('nope'), false);
    const bad = await metadata([{ topicId: ZERO_UUID, name: 'bad name!' }]);
    assert.equal(bad.topics[0]!.errorCode, KafkaError.INVALID_TOPIC_EXCEPTION);
  });

  it('ListOffsets: earliest, latest, by timestamp and max timestamp', async () => {
    const t0 = 1_700_000_000_000;
    const records = encodeBatch([0, 1, 2].map((i) => ({ key: null, value: Buffer.from(`r${i}`), timestamp: t0 + [10, 30, 20][i]! })));
    c.send(Produce, 11, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'raw', partitionData: [{ index: 1, records }] }] });
    assert.equal((await c.receive(Produce, 11)).body.responses[0]!.partitionResponses[0]!.errorCode, 0);
    const ask = async (timestamp: number) => {
      c.send(ListOffsets, 8, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'raw', partitions: [{ partitionIndex: 1, timestamp }] }] });
      return (await c.receive(ListOffsets, 8)).body.topics[0]!.partitions[0]!;
    };
    assert.equal((await ask(-2)).offset, 0);
    assert.equal((await ask(-1)).offset, 3);
    const max = await ask(-3);
    assert.deepEqual([max.offset, max.timestamp], [1, t0 + 30]);
    const at = await ask(t0 + 15);
    assert.equal(at.offset, 1);
    assert.equal((await ask(t0 + 1000)).offset, -1);
    assert.equal((await ask(-4)).offset, 0, 'the earliest local offset is the earliest');
  });

  it('ListOffsets on an empty partition: -1 for a timestamp and for max timestamp; earliest and latest are its end', async () => {
    await h.broker.vhost('/').createTopic('raw-empty', { partitions: 1 });
    const ask = async (timestamp: number) => {
      c.send(ListOffsets, 8, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'raw-empty', partitions: [{ partitionIndex: 0, timestamp }] }] });
      const p = (await c.receive(ListOffsets, 8)).body.topics[0]!.partitions[0]!;
      return [p.offset, p.timestamp];
    };
    assert.deepEqual(await ask(1234), [-1, -1]);
    assert.deepEqual(await ask(0), [-1, -1]);
    assert.deepEqual(await ask(-3), [-1, -1]);
    assert.deepEqual(await ask(-2), [0, -1]);
    assert.deepEqual(await ask(-1), [0, -1]);
    assert.deepEqual(await ask(-4), [0, -1]);
  });

  it('OffsetForLeaderEpoch: epoch 0 ends at the log end', async () => {
    c.send(OffsetForLeaderEpoch, 4, { replicaId: -1, topics: [{ topic: 'raw', partitions: [{ partition: 1, currentLeaderEpoch: 0, leaderEpoch: 0 }, { partition: 7, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] });
    const r = (await c.receive(OffsetForLeaderEpoch, 4)).body.topics[0]!.partitions;
    assert.deepEqual([r[0]!.errorCode, r[0]!.leaderEpoch, r[0]!.endOffset], [0, 0, 3]);
    assert.equal(r[1]!.errorCode, KafkaError.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('FindCoordinator v4 answers a batch of keys with this node', async () => {
    c.send(FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: ['g1', 'g2'] });
    const r = (await c.receive(FindCoordinator, 4)).body;
    assert.deepEqual(r.coordinators.map((x) => [x.key, x.nodeId, x.port, x.errorCode]), [['g1', 0, h.listener.port, 0], ['g2', 0, h.listener.port, 0]]);
  });

  it('IncrementalAlterConfigs sets and deletes; DescribeConfigs reports the source', async () => {
    const alter = async (configs: { name: string; configOperation: number; value: string | null }[]) => {
      c.send(IncrementalAlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'raw', configs }], validateOnly: false });
      return (await c.receive(IncrementalAlterConfigs, 1)).body.responses[0]!;
    };
    const describe = async () => {
      c.send(DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: 'raw', configurationKeys: ['retention.ms', 'cleanup.policy'] }], includeSynonyms: false, includeDocumentation: false });
      return (await c.receive(DescribeConfigs, 4)).body.results[0]!.configs;
    };
    assert.equal((await alter([{ name: 'retention.ms', configOperation: 0, value: '5000' }, { name: 'cleanup.policy', configOperation: 2, value: 'compact' }])).errorCode, 0);
    let cfg = await describe();
    // APPEND to a list that is not set starts from Kafka's default (delete); configs come in Kafka's (name) order.
    assert.deepEqual(cfg.map((e) => [e.name, e.value, e.configSource]), [['cleanup.policy', 'delete,compact', 1], ['retention.ms', '5000', 1]]);
    assert.equal(h.broker.vhost('/').topic('raw').config.retentionMs, 5000);
    assert.equal((await alter([{ name: 'retention.ms', configOperation: 1, value: null }])).errorCode, 0);
    cfg = await describe();
    assert.equal(cfg.find((e) => e.name === 'retention.ms')!.configSource, 5);
    assert.equal((await alter([{ name: 'retention.ms', configOperation: 0, value: 'soon' }])).errorCode, KafkaError.INVALID_CONFIG);
  });

  it('DeleteTopics v6 deletes by topic id', async () => {
    await h.broker.vhost('/').createTopic('doomed');
    const id = (await metadata([{ topicId: ZERO_UUID, name: 'doomed' }])).topics[0]!.topicId;
    c.send(DeleteTopics, 6, { topics: [{ name: null, topicId: id }], topicNames: [], timeoutMs: 1000 });
    const r = (await c.receive(DeleteTopics, 6)).body.responses[0]!;
    assert.deepEqual([r.name, r.errorCode], ['doomed', 0]);
    assert.equal(h.broker.vhost('/').hasTopic('doomed'), false);
  });
});
