/**
 * Producers auto-creating one new topic at once, and admins creating it at once, must get one
 * topic: before the fix each got its own object over the same partition files and acknowledged
 * records were lost at the next start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Broker } from '../../../../src/core/broker/broker.js';
import { Produce } from '../../../../src/protocol/kafka/api/produce.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { listenKafka } from '../../../../src/protocol/kafka/server/listener.js';
import { encodeBatch } from '../../../../src/storage/codec/record-batch.js';
import { tempDir } from '../../../helpers/tmp.js';
import { readStored } from './harness.js';
import { RawClient } from './raw-client.js';

const PRODUCERS = 5;
const PER_PRODUCER = 40;

const client = (port: number) =>
  new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } });

test('kafkajs producers auto-creating one topic at once: every acknowledged record survives a restart', async () => {
  const tmp = await tempDir();
  try {
    let broker = await Broker.open({ dataDir: tmp.dir });
    let listener = await listenKafka(broker, { port: 0, numPartitions: 2 });
    const kafka = client(listener.port);
    const producers = Array.from({ length: PRODUCERS }, () => kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true }));
    await Promise.all(producers.map((p) => p.connect()));
    await Promise.all(
      producers.map(async (p, n) => {
        for (let i = 0; i < PER_PRODUCER; i += 10) {
          await p.send({ topic: 'auto-new', acks: -1, messages: Array.from({ length: 10 }, (_, k) => ({ key: `k${k}`, value: `${n}-${i + k}` })) });
        }
      }),
    );
    await Promise.all(producers.map((p) => p.disconnect()));
    await listener.close();
    await broker.close();

    broker = await Broker.open({ dataDir: tmp.dir });
    listener = await listenKafka(broker, { port: 0 });
    try {
      const values = new Set<string>();
      for (let p = 0; p < 2; p++) for (const m of (await readStored(broker, 'auto-new', p)).messages) values.add(m.message.value!.toString());
      assert.equal(values.size, PRODUCERS * PER_PRODUCER);
    } finally {
      await listener.close();
      await broker.close();
    }
  } finally {
    await tmp.cleanup();
  }
});

test('Produce requests to one unknown topic from several connections at once auto-create it once; every record survives a restart', async () => {
  const tmp = await tempDir();
  try {
    let broker = await Broker.open({ dataDir: tmp.dir });
    let listener = await listenKafka(broker, { port: 0 });
    const clients = await Promise.all(Array.from({ length: PRODUCERS }, () => RawClient.open(listener.port)));
    // No Metadata first: the Produce handler creates the topic (as with clients that skip it).
    for (const [n, c] of clients.entries()) {
      for (let i = 0; i < PER_PRODUCER; i++) {
        const records = encodeBatch([{ key: null, value: Buffer.from(`${n}-${i}`), timestamp: Date.now() }]);
        c.send(Produce, 9, { acks: -1, timeoutMs: 5000, topicData: [{ name: 'produced-new', partitionData: [{ index: 0, records }] }] });
      }
    }
    for (const c of clients) {
      for (let i = 0; i < PER_PRODUCER; i++) assert.equal((await c.receive(Produce, 9)).body.responses[0]!.partitionResponses[0]!.errorCode, KafkaError.NONE);
      c.close();
    }
    await listener.close();
    await broker.close();

    broker = await Broker.open({ dataDir: tmp.dir });
    try {
      const values = new Set((await readStored(broker, 'produced-new')).messages.map((m) => m.message.value!.toString()));
      assert.equal(values.size, PRODUCERS * PER_PRODUCER);
    } finally {
      await broker.close();
    }
  } finally {
    await tmp.cleanup();
  }
});

test('admins creating one topic at once: one succeeds, the others get TOPIC_ALREADY_EXISTS', async () => {
  const tmp = await tempDir();
  const broker = await Broker.open({ dataDir: tmp.dir });
  const listener = await listenKafka(broker, { port: 0 });
  try {
    const admins = Array.from({ length: 4 }, () => client(listener.port).admin());
    await Promise.all(admins.map((a) => a.connect()));
    const results = await Promise.allSettled(admins.map((a) => a.createTopics({ topics: [{ topic: 'made-once', numPartitions: 3 }] })));
    // kafkajs resolves false when the topic already exists.
    const created = results.filter((r) => r.status === 'fulfilled' && r.value === true).length;
    assert.equal(created, 1, JSON.stringify(results));
    assert.equal(broker.vhost('/').topic('made-once').partitionCount, 3);
    await Promise.all(admins.map((a) => a.disconnect()));
  } finally {
    await listener.close();
    await broker.close();
    await tmp.cleanup();
  }
});
