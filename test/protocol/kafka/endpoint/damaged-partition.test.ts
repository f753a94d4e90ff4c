/**
 * A topic partition whose log is cut between runs (to zero, or to half) never hands out an
 * offset again: new records get offsets past everything acknowledged before, so a consumer
 * group's committed offset still points before the new records and the group receives them.
 * The cut is reported (Broker.damage, health degraded, error log).
 */
import assert from 'node:assert/strict';
import { readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Broker } from '../../../../src/core/broker/broker.js';
import { escapeName } from '../../../../src/core/paths.js';
import { listenKafka, type KafkaListener } from '../../../../src/protocol/kafka/server/listener.js';
import type { Logger } from '../../../../src/server/logger.js';
import { tempDir } from '../../../helpers/tmp.js';
import { waitFor } from './harness.js';

interface Running {
  broker: Broker;
  listener: KafkaListener;
  kafka: Kafka;
  errors: string[];
  stop(): Promise<void>;
}

async function start(dir: string): Promise<Running> {
  const errors: string[] = [];
  const logger: Logger = { error: (m) => void errors.push(m), warn() {}, info() {}, debug() {} };
  const broker = await Broker.open({ dataDir: dir, logger });
  const listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
  const kafka = new Kafka({ clientId: 'damaged', brokers: [`127.0.0.1:${listener.port}`], logLevel: logLevel.NOTHING, retry: { initialRetryTime: 50, retries: 8 } });
  return {
    broker,
    listener,
    kafka,
    errors,
    async stop() {
      await listener.close();
      await broker.close();
    },
  };
}

/** The partition's last segment file. */
async function lastSegment(dataDir: string, topic: string, partition = 0): Promise<string> {
  const topics = join(dataDir, 'vhosts', escapeName('/'), 'topics');
  const folder = (await readdir(topics)).find((n) => n.startsWith(`${escapeName(topic)}.`))!;
  const dir = join(topics, folder, String(partition));
  const logs = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
  return join(dir, logs[logs.length - 1]!);
}

/** Runs a group consumer until it has `n` records; returns their offsets and values. */
async function consume(kafka: Kafka, topic: string, group: string, n: number): Promise<{ offset: number; value: string }[]> {
  const got: { offset: number; value: string }[] = [];
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommitInterval: 50, eachMessage: async ({ message }) => void got.push({ offset: Number(message.offset), value: message.value!.toString() }) });
    await waitFor(() => got.length >= n, 20_000, `${n} records (got ${got.length})`);
  } finally {
    await consumer.disconnect(); // commits what it consumed
  }
  return got;
}

async function produce(kafka: Kafka, topic: string, values: string[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (const value of values) await producer.send({ topic, acks: -1, messages: [{ value }] });
  await producer.disconnect();
}

for (const [label, cut] of [
  ['to zero', (size: number) => 0 * size],
  ['to half its size', (size: number) => Math.floor(size / 2)],
] as const) {
  test(`a partition cut ${label} after a clean stop: new records get new offsets and a group with committed offsets receives them`, async () => {
    const { dir, cleanup } = await tempDir('hopper-damaged-topic-');
    let r: Running | null = null;
    try {
      r = await start(dir);
      const admin = r.kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'dmg.t', numPartitions: 1 }] });
      await admin.disconnect();
      await produce(r.kafka, 'dmg.t', Array.from({ length: 100 }, (_, i) => `old${i}`));
      const first = await consume(r.kafka, 'dmg.t', 'g', 100);
      assert.equal(first.at(-1)!.offset, 99);
      await r.stop();
      r = null;

      const file = await lastSegment(dir, 'dmg.t');
      await truncate(file, cut((await readFile(file)).length));

      r = await start(dir);
      const log = r.broker.vhost('/').topic('dmg.t').partition(0);
      assert.equal(log.nextOffset, 100, 'the log goes on where it ended, not where its data now ends');
      assert.ok(log.lost !== null && log.lost.to === 100);
      const report = r.broker.damage().find((d) => d.kind === 'topic');
      assert.ok(report, 'the cut is reported');
      assert.equal(report.name, 'dmg.t');
      assert.equal(report.partition, 0);
      assert.equal(report.toOffset, 100);
      assert.ok(r.broker.health().degraded.some((d) => d.includes("topic 'dmg.t' partition 0")));
      assert.ok(r.errors.some((e) => e.includes(`${escapeName('dmg.t')}.`) && e.includes('lost')), r.errors.join(' | '));

      await produce(r.kafka, 'dmg.t', ['new0', 'new1', 'new2']);
      const after = await consume(r.kafka, 'dmg.t', 'g', 3);
      assert.deepEqual(after, [
        { offset: 100, value: 'new0' },
        { offset: 101, value: 'new1' },
        { offset: 102, value: 'new2' },
      ]);
      await r.stop();
      r = null;

      // A clean restart after that: no gap, no new damage, offsets go on.
      r = await start(dir);
      assert.equal(r.broker.vhost('/').topic('dmg.t').partition(0).nextOffset, 103);
      assert.deepEqual(r.broker.damage(), []);
      assert.deepEqual(r.errors, []);
    } finally {
      await r?.stop();
      await cleanup();
    }
  });
}
