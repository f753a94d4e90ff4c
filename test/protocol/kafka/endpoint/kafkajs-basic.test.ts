import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompressionTypes, Partitioners } from 'kafkajs';
import { startHarness, waitFor, type Harness } from './harness.js';

describe('kafka endpoint with kafkajs', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('produces and consumes, auto-creating the topic', async () => {
    const kafka = h.kafka();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const sent = await producer.send({ topic: 'basic', messages: [{ key: 'k1', value: 'hello' }, { value: 'world', headers: { h: 'v' } }] });
    assert.equal(sent[0]!.errorCode, 0);
    await producer.disconnect();
    assert.ok(h.broker.vhost('/').hasTopic('basic'));

    const consumer = kafka.consumer({ groupId: 'basic-g', sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'basic', fromBeginning: true });
    const got: { key: string | null; value: string; headers: Record<string, unknown> }[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push({ key: message.key?.toString() ?? null, value: message.value!.toString(), headers: message.headers ?? {} });
      },
    });
    await waitFor(() => got.length >= 2, 15_000, 'two messages');
    await consumer.disconnect();
    assert.deepEqual(got.map((m) => m.value), ['hello', 'world']);
    assert.equal(got[0]!.key, 'k1');
    assert.equal(String(got[1]!.headers.h), 'v');
  });

  it('keyed messages land in the partition kafkajs picks (murmur2, as Kafka)', async () => {
    const kafka = h.kafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'keyed', numPartitions: 6 }] });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    const results = await producer.send({ topic: 'keyed', messages: keys.map((k) => ({ key: k, value: k })) });
    await producer.disconnect();
    const topic = h.broker.vhost('/').topic('keyed');
    for (const k of keys) {
      // Hopper's own choice for a key (used by other protocols) must match the client's.
      const p = topic.partitionFor(Buffer.from(k));
      assert.ok(results.some((r) => r.partition === p), `key ${k} → partition ${p}`);
    }
    const offsets = await admin.fetchTopicOffsets('keyed');
    const total = offsets.reduce((n, o) => n + Number(o.high), 0);
    assert.equal(total, 40);
    for (const o of offsets) {
      let expected = 0;
      for (const k of keys) if (topic.partitionFor(Buffer.from(k)) === o.partition) expected++;
      assert.equal(Number(o.high), expected, `partition ${o.partition}`);
    }
    await admin.disconnect();
  });

  it('stores gzip batches as received and serves them back', async () => {
    const kafka = h.kafka();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const values = Array.from({ length: 50 }, (_, i) => `gzip-value-${i}-${'x'.repeat(100)}`);
    await producer.send({ topic: 'gz', compression: CompressionTypes.GZIP, messages: values.map((value) => ({ value })) });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'gz-g', maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'gz', fromBeginning: true });
    const got: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    await waitFor(() => got.length >= values.length, 15_000, 'gzip messages');
    await consumer.disconnect();
    assert.deepEqual(got, values);
    const log = h.broker.vhost('/').topic('gz').partition(0);
    assert.equal(log.nextOffset, 50);
  });

  it('admin: create, describe, alter configs, add partitions, delete records and topics', async () => {
    const admin = h.kafka().admin();
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic: 'adm', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '60000' }] }] }), true);
    assert.equal(await admin.createTopics({ topics: [{ topic: 'adm' }] }), false);
    const md = await admin.fetchTopicMetadata({ topics: ['adm'] });
    assert.equal(md.topics[0]!.partitions.length, 2);
    assert.equal(md.topics[0]!.partitions[0]!.leader, 0);

    const cfg = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'adm' }] });
    const retention = cfg.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms');
    assert.equal(retention?.configValue, '60000');
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'adm', configEntries: [{ name: 'retention.ms', value: '120000' }] }] });
    const cfg2 = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'adm' }] });
    assert.equal(cfg2.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue, '120000');
    await assert.rejects(admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'adm', configEntries: [{ name: 'no.such.config', value: '1' }] }] }));

    await admin.createPartitions({ topicPartitions: [{ topic: 'adm', count: 4 }] });
    assert.equal(h.broker.vhost('/').topic('adm').partitionCount, 4);

    const producer = h.kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'adm', messages: [0, 1, 2, 3, 4].map((i) => ({ value: String(i), partition: 0 })) });
    await producer.disconnect();
    await admin.deleteTopicRecords({ topic: 'adm', partitions: [{ partition: 0, offset: '3' }] });
    const offs = await admin.fetchTopicOffsets('adm');
    const p0 = offs.find((o) => o.partition === 0)!;
    assert.equal(p0.high, '5');
    assert.ok(Number(p0.low) <= 3);

    const cluster = await admin.describeCluster();
    assert.equal(cluster.brokers.length, 1);
    assert.equal(cluster.controller, 0);

    await admin.deleteTopics({ topics: ['adm'] });
    assert.equal(h.broker.vhost('/').hasTopic('adm'), false);
    assert.ok(!(await admin.listTopics()).includes('adm'));
    await admin.disconnect();
  });

  it('seeks, resets offsets and replays by timestamp', async () => {
    const kafka = h.kafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'replay', numPartitions: 1 }] });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const t0 = Date.now() - 100_000;
    for (let i = 0; i < 10; i++) {
      await producer.send({ topic: 'replay', messages: [{ value: `v${i}`, timestamp: String(t0 + i * 1000) }] });
    }
    await producer.disconnect();

    const byTs = await admin.fetchTopicOffsetsByTimestamp('replay', t0 + 4500);
    assert.equal(byTs[0]!.offset, '5');
    const latest = await admin.fetchTopicOffsets('replay');
    assert.equal(latest[0]!.high, '10');
    assert.equal(latest[0]!.low, '0');


    const consumer = kafka.consumer({ groupId: 'replay-seek', maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'replay' });
    const got: string[] = [];
    let seeked = false;
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value!.toString());
      },
    });
    consumer.seek({ topic: 'replay', partition: 0, offset: '3' });
    seeked = true;
    await waitFor(() => got.includes('v9'), 15_000, 'replay from seek');
    await consumer.disconnect();
    assert.ok(seeked);
    assert.equal(got[0], 'v3');
    assert.deepEqual(got.slice(0, 7), ['v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9']);
    await admin.disconnect();
  });

  it('resetOffsets commits -2 or -1 and fetchOffsets returns it; a consumer then applies its own reset policy, as with Kafka', async () => {
    const kafka = h.kafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'reset', numPartitions: 1 }] });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'reset', messages: Array.from({ length: 5 }, (_, i) => ({ value: `old${i}` })) });
    const committed = async (groupId: string) => (await admin.fetchOffsets({ groupId, topics: ['reset'] }))[0]!.partitions[0]!.offset;
    // kafkajs's resetOffsets commits -2 (earliest) or -1 (latest), each after a wait of its own
    // consumer's maxWaitTimeInMs (5 s): both at once.
    await Promise.all([
      admin.resetOffsets({ groupId: 'reset-early', topic: 'reset', earliest: true }),
      admin.resetOffsets({ groupId: 'reset-late', topic: 'reset', earliest: false }),
    ]);
    assert.equal(await committed('reset-early'), '-2');
    assert.equal(await committed('reset-late'), '-1');

    /** The first value a consumer of `groupId` gets, producing a new record now and then until one arrives. */
    const firstValue = async (groupId: string, fromBeginning: boolean): Promise<string> => {
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'reset', fromBeginning });
      const got: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
      for (let i = 0; got.length === 0; i++) {
        if (i > 100) throw new Error(`${groupId} got nothing`);
        await producer.send({ topic: 'reset', messages: [{ value: `new-${groupId}-${i}` }] });
        await new Promise((r) => setTimeout(r, 200));
      }
      await consumer.disconnect();
      return got[0]!;
    };
    // kafkajs treats a negative committed offset as none and applies fromBeginning (Kafka's
    // Java consumer applies auto.offset.reset the same way; librdkafka does for -1, and starts at
    // the log start for -2).
    assert.match(await firstValue('reset-early', false), /^new-reset-early-/, 'not old0: -2 is not resolved to the log start at commit time');
    assert.equal(await firstValue('reset-late', true), 'old0', 'not a new record: -1 is not resolved to the log end at commit time');
    await producer.disconnect();
    await admin.disconnect();
  });
});
