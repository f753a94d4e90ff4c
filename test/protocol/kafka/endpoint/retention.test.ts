/**
 * Topic retention as in Kafka: 7 days by default (log.retention.ms, a broker setting),
 * retention.ms per topic, log.retention.bytes / retention.bytes by size. Whole segments whose
 * newest record is past the limit are deleted, the active one included, and the log start
 * offset moves; Kafka clients see it in ListOffsets and Fetch. Time is the broker's clock,
 * driven here by the test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Broker } from '../../../../src/core/broker/broker.js';
import type { BrokerOptions } from '../../../../src/core/broker/options.js';
import { listenKafka, type KafkaListener } from '../../../../src/protocol/kafka/server/listener.js';
import { tempDir } from '../../../helpers/tmp.js';
import { waitFor } from './harness.js';

const DAY_MS = 24 * 3600 * 1000;

/** The broker's clock: real time plus an offset the test moves forward. */
class AheadClock {
  aheadMs = 0;
  now(): number {
    return Date.now() + this.aheadMs;
  }
}

async function withKafka(opts: Partial<BrokerOptions>, fn: (k: { broker: Broker; kafka: Kafka; clock: AheadClock }) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempDir('hopper-retention-');
  const clock = new AheadClock();
  // The retention timer is the broker's; the test runs retention itself at chosen times.
  const broker = await Broker.open({ dataDir: dir, clock, retentionCheckIntervalMs: 3_600_000, ...opts });
  let listener: KafkaListener | null = null;
  try {
    listener = await listenKafka(broker, { port: 0 });
    const kafka = new Kafka({ clientId: 'retention', brokers: [`127.0.0.1:${listener.port}`], logLevel: logLevel.NOTHING, retry: { initialRetryTime: 50, retries: 8 } });
    await fn({ broker, kafka, clock });
  } finally {
    await listener?.close();
    await broker.close();
    await cleanup();
  }
}

async function produce(kafka: Kafka, topic: string, values: string[]): Promise<void> {
  const p = kafka.producer();
  await p.connect();
  for (const value of values) await p.send({ topic, acks: -1, messages: [{ value }] });
  await p.disconnect();
}

async function offsets(kafka: Kafka, topic: string): Promise<{ low: number; high: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [p] = await admin.fetchTopicOffsets(topic);
    return { low: Number(p!.low), high: Number(p!.high) };
  } finally {
    await admin.disconnect();
  }
}

async function readFromStart(kafka: Kafka, topic: string, n: number): Promise<string[]> {
  const got: string[] = [];
  const c = kafka.consumer({ groupId: `r-${topic}-${Math.random()}`, maxWaitTimeInMs: 100 });
  await c.connect();
  try {
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    await waitFor(() => got.length >= n, 20_000, `${n} records`);
  } finally {
    await c.disconnect();
  }
  return got;
}

async function createTopic(kafka: Kafka, topic: string, configEntries: { name: string; value: string }[] = []): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1024' }, ...configEntries] }] });
  await admin.disconnect();
}

test('by default a topic keeps 7 days: older segments are deleted, the log start offset moves, new records go on', async () => {
  await withKafka({}, async ({ broker, kafka, clock }) => {
    await createTopic(kafka, 'ret.default');
    await produce(kafka, 'ret.default', Array.from({ length: 40 }, (_, i) => `old${i}`.padEnd(100, '.')));
    assert.deepEqual(await offsets(kafka, 'ret.default'), { low: 0, high: 40 });

    clock.aheadMs = 7 * DAY_MS - 60_000; // not yet 7 days
    await broker.enforceRetention();
    assert.deepEqual(await offsets(kafka, 'ret.default'), { low: 0, high: 40 }, 'nothing is 7 days old yet');

    clock.aheadMs = 7 * DAY_MS + 60_000;
    await broker.enforceRetention();
    assert.deepEqual(await offsets(kafka, 'ret.default'), { low: 40, high: 40 }, 'every record was older: all of it went, the active segment too');

    await produce(kafka, 'ret.default', ['new0', 'new1']);
    assert.deepEqual(await offsets(kafka, 'ret.default'), { low: 40, high: 42 });
    assert.deepEqual(await readFromStart(kafka, 'ret.default', 2), ['new0', 'new1']);
  });
});

test('retention.ms per topic overrides the broker-wide default; -1 keeps forever', async () => {
  await withKafka({}, async ({ broker, kafka, clock }) => {
    await createTopic(kafka, 'ret.hour', [{ name: 'retention.ms', value: String(3_600_000) }]);
    await createTopic(kafka, 'ret.forever', [{ name: 'retention.ms', value: '-1' }]);
    await createTopic(kafka, 'ret.week');
    for (const t of ['ret.hour', 'ret.forever', 'ret.week']) await produce(kafka, t, Array.from({ length: 20 }, (_, i) => `${t}-${i}`.padEnd(100, '.')));

    clock.aheadMs = 2 * 3_600_000;
    await broker.enforceRetention();
    assert.equal((await offsets(kafka, 'ret.hour')).low, 20, 'past its hour');
    assert.equal((await offsets(kafka, 'ret.week')).low, 0);
    assert.equal((await offsets(kafka, 'ret.forever')).low, 0);

    clock.aheadMs = 30 * DAY_MS;
    await broker.enforceRetention();
    assert.equal((await offsets(kafka, 'ret.week')).low, 20, 'past the 7-day default');
    assert.equal((await offsets(kafka, 'ret.forever')).low, 0, 'kept');
    assert.equal((await readFromStart(kafka, 'ret.forever', 20)).length, 20);
  });
});

test('log.retention.ms is a broker setting, shown by DescribeConfigs; topics follow it unless they set their own', async () => {
  await withKafka({ logRetentionMs: 60_000 }, async ({ broker, kafka, clock }) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const nodeId = (await admin.describeCluster()).brokers[0]!.nodeId;
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: String(nodeId) }] });
      const entries = described.resources[0]!.configEntries;
      assert.equal(entries.find((e) => e.configName === 'log.retention.ms')?.configValue, '60000');
      assert.equal(entries.find((e) => e.configName === 'log.retention.bytes')?.configValue, '-1');
      await createTopic(kafka, 'ret.minute');
      const topicConfigs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'ret.minute' }] });
      assert.equal(topicConfigs.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue, '60000');
    } finally {
      await admin.disconnect();
    }
    await produce(kafka, 'ret.minute', ['a', 'b', 'c']);
    clock.aheadMs = 120_000;
    await broker.enforceRetention();
    assert.deepEqual(await offsets(kafka, 'ret.minute'), { low: 3, high: 3 });
  });
});

test('log.retention.bytes bounds each partition by size, deleting the oldest whole segments', async () => {
  await withKafka({ logRetentionBytes: 4096 }, async ({ broker, kafka }) => {
    await createTopic(kafka, 'ret.bytes');
    await produce(kafka, 'ret.bytes', Array.from({ length: 100 }, (_, i) => `r${i}`.padEnd(200, '.')));
    await broker.enforceRetention();
    const log = broker.vhost('/').topic('ret.bytes').partition(0);
    assert.ok(log.sizeBytes >= 4096, `kept at least the limit (${log.sizeBytes})`);
    assert.ok(log.sizeBytes < 4096 + 1024 + 512, `deleted down to about the limit (${log.sizeBytes})`);
    const { low, high } = await offsets(kafka, 'ret.bytes');
    assert.equal(high, 100);
    assert.ok(low > 0 && low === log.logStartOffset);
    const got = await readFromStart(kafka, 'ret.bytes', high - low);
    assert.equal(got[0]!.replace(/\.+$/, ''), `r${low}`);
  });
});
