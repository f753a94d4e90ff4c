/**
 * The node id is a setting (Kafka's node.id; 0 by default, which every client tested here
 * handles: the other endpoint tests run on it). With another id, clients find the broker,
 * the partition leaders and the group coordinator under that id.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Partitioners } from 'kafkajs';
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { startHarness, waitFor, type Harness } from './harness.js';

const KCAT = process.env.HOPPER_KCAT ?? '/usr/bin/kcat';

describe('node id 7', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ nodeId: 7 });
    await h.broker.vhost('/').createTopic('node7', { partitions: 2 });
  });
  after(async () => {
    await h.close();
  });

  it('kafkajs: the cluster is broker 7, leader and controller; a consumer group round-trips through coordinator 7', async () => {
    const kafka = h.kafka();
    const admin = kafka.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    assert.deepEqual(cluster.brokers.map((b) => b.nodeId), [7]);
    assert.equal(cluster.controller, 7);
    const md = await admin.fetchTopicMetadata({ topics: ['node7'] });
    assert.deepEqual(md.topics[0]!.partitions.map((p) => p.leader), [7, 7]);
    await admin.disconnect();

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'node7', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'node7-g', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'node7', fromBeginning: true });
    const got: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    await waitFor(() => got.length === 3, 15_000, 'three records');
    await consumer.disconnect();
    assert.deepEqual(got.sort(), ['a', 'b', 'c']);
  });

  it('@platformatic/kafka: metadata names broker 7; an idempotent producer writes', async () => {
    const admin = new Admin({ clientId: 'node7-admin', bootstrapBrokers: [h.bootstrap] });
    const md = await admin.metadata({ topics: ['node7'] });
    assert.deepEqual([...md.brokers.keys()], [7]);
    assert.deepEqual(md.topics.get('node7')!.partitions.map((p) => p.leader), [7, 7]);
    await admin.close();
    const producer = new Producer({ clientId: 'node7-producer', bootstrapBrokers: [h.bootstrap], serializers: stringSerializers, idempotent: true });
    const r = await producer.send({ messages: [{ topic: 'node7', partition: 1, value: 'p' }] });
    assert.equal(r.offsets![0]!.partition, 1);
    await producer.close();
  });

  it('kcat -L: broker 7 leads every partition', { skip: existsSync(KCAT) ? false : 'kcat is not installed' }, async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(KCAT, ['-b', h.bootstrap, '-L', '-J', '-t', 'node7'], { timeout: 20_000 }, (e, stdout) => (e ? reject(e) : resolve(stdout))),
    );
    const md = JSON.parse(out) as { brokers: { id: number }[]; topics: { partitions: { leader: number }[] }[] };
    assert.deepEqual(md.brokers.map((b) => b.id), [7]);
    assert.deepEqual(md.topics[0]!.partitions.map((p) => p.leader), [7, 7]);
  });
});
