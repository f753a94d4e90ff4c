/**
 * Large records in topics: every size up to the limit, published over AMQP to a stream or
 * produced by a Kafka client, reaches AMQP stream consumers, Kafka consumers and queues bound to
 * the topic's amq.kafka.<topic> exchange, whole, while recent and after a restart (from disk).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type amqp from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { listenKafka, type KafkaListener } from '../../../../src/protocol/kafka/server/listener.js';
import { tempDir } from '../../../helpers/tmp.js';
import { startBroker, waitFor, type TestBroker } from './helpers.js';
import { body, digest, SIZES } from './large-bodies.js';

/** Kafka counts a whole batch against message.max.bytes (16 MiB): leave room for its header. */
const KAFKA_SIZES = SIZES.map((s) => Math.min(s, 16 * 1024 * 1024 - 1024));

interface Running {
  b: TestBroker;
  kafkaListener: KafkaListener;
  kafka: Kafka;
  stop(): Promise<void>;
}

async function start(dir: string): Promise<Running> {
  const b = await startBroker({ dataDir: dir });
  const kafkaListener = await listenKafka(b.broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
  const kafka = new Kafka({
    clientId: 'large-streams',
    brokers: [`127.0.0.1:${kafkaListener.port}`],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 50, retries: 8 },
  });
  return {
    b,
    kafkaListener,
    kafka,
    async stop() {
      await kafkaListener.close();
      await b.stopKeepingData();
    },
  };
}

/** An AMQP stream consumer from the first offset: every record, in order, checked whole. */
async function amqpStreamReadsAll(b: TestBroker, stream: string, sizes: readonly number[], seed: number): Promise<void> {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.prefetch(2);
  const got: { size: number; digest: string; offset: unknown }[] = [];
  await ch.consume(stream, (m: amqp.ConsumeMessage | null) => {
    if (m === null) return;
    got.push({ size: m.content.length, digest: digest(m.content), offset: m.properties.headers?.['x-stream-offset'] });
    ch.ack(m);
  }, { arguments: { 'x-stream-offset': 'first' } });
  await waitFor(() => got.length >= sizes.length, 60_000, `${sizes.length} records from stream ${stream} (got ${got.length})`);
  await c.close();
  assert.equal(got.length, sizes.length);
  sizes.forEach((size, i) => {
    assert.equal(got[i]!.offset, i);
    assert.equal(got[i]!.size, size, `record ${i} is the ${size}-byte one, whole`);
    assert.equal(got[i]!.digest, digest(body(size, seed)));
  });
}

/** A kafkajs consumer from the beginning: every record, in order, checked whole. */
async function kafkaReadsAll(kafka: Kafka, topic: string, sizes: readonly number[], seed: number): Promise<void> {
  const consumer = kafka.consumer({ groupId: `large-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
  const got: { offset: string; size: number; digest: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push({ offset: message.offset, size: message.value?.length ?? 0, digest: digest(message.value) });
      },
    });
    await waitFor(() => got.length >= sizes.length, 60_000, `${sizes.length} records from topic ${topic} (got ${got.length})`);
  } finally {
    await consumer.disconnect();
  }
  assert.equal(got.length, sizes.length);
  sizes.forEach((size, i) => {
    assert.equal(got[i]!.offset, String(i));
    assert.equal(got[i]!.size, size, `record ${i} is the ${size}-byte one, whole`);
    assert.equal(got[i]!.digest, digest(body(size, seed)));
  });
}

/** basic.get on a queue bound to the topic: every record, in order, checked whole. */
async function queueHasAll(b: TestBroker, queue: string, sizes: readonly number[], seed: number): Promise<void> {
  const c = await b.connect();
  const ch = await c.createChannel();
  for (const size of sizes) {
    const m = await ch.get(queue, { noAck: true });
    assert.ok(m, `the ${size}-byte record reached queue ${queue}`);
    assert.equal(m.content.length, size);
    assert.equal(digest(m.content), digest(body(size, seed)));
  }
  assert.equal(await ch.get(queue), false);
  await c.close();
}

test('records of every size published over AMQP to a stream reach AMQP stream consumers and Kafka consumers, before and after a restart', async () => {
  const { dir, cleanup } = await tempDir('hopper-large-stream-');
  let r = await start(dir);
  try {
    const c = await r.b.connect();
    const ch = await c.createConfirmChannel();
    await ch.assertQueue('large.stream', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    for (const size of SIZES) {
      ch.sendToQueue('large.stream', body(size, 7), { persistent: true });
      await ch.waitForConfirms();
    }
    await c.close();
    await amqpStreamReadsAll(r.b, 'large.stream', SIZES, 7);
    await kafkaReadsAll(r.kafka, 'large.stream', SIZES, 7);
    await r.stop();

    r = await start(dir);
    await amqpStreamReadsAll(r.b, 'large.stream', SIZES, 7);
    await kafkaReadsAll(r.kafka, 'large.stream', SIZES, 7);
  } finally {
    await r.stop();
    await cleanup();
  }
});

test('records of every size produced by a Kafka client reach Kafka consumers, AMQP stream consumers and bound queues, before and after a restart', async () => {
  const { dir, cleanup } = await tempDir('hopper-large-topic-');
  let r = await start(dir);
  try {
    const admin = r.kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'large.topic', numPartitions: 1 }] });
    await admin.disconnect();
    const c = await r.b.connect();
    const ch = await c.createChannel();
    await ch.assertQueue('large.topic.q', { durable: true });
    await ch.bindQueue('large.topic.q', 'amq.kafka.large.topic', '#');
    await c.close();
    const producer = r.kafka.producer();
    await producer.connect();
    for (const size of KAFKA_SIZES) await producer.send({ topic: 'large.topic', acks: -1, messages: [{ value: body(size, 8) }] });
    await producer.disconnect();
    await kafkaReadsAll(r.kafka, 'large.topic', KAFKA_SIZES, 8);
    await amqpStreamReadsAll(r.b, 'large.topic', KAFKA_SIZES, 8);
    await r.stop();

    r = await start(dir);
    await kafkaReadsAll(r.kafka, 'large.topic', KAFKA_SIZES, 8);
    await amqpStreamReadsAll(r.b, 'large.topic', KAFKA_SIZES, 8);
    // The forwarded copies were stored by the queue; after the restart they come from its log.
    await queueHasAll(r.b, 'large.topic.q', KAFKA_SIZES, 8);
  } finally {
    await r.stop();
    await cleanup();
  }
});
