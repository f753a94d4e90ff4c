/**
 * Endpoint fuzzing for the Kafka protocol: every connection of a real kafkajs session (admin,
 * idempotent producer, consumer group) is recorded, cut into request frames, mutated, split at
 * random points and replayed against a live broker over many connections. The broker must not
 * crash, and a healthy producer and consumer must keep working while the blast runs and after.
 *
 * HOPPER_FUZZ_RUNS=100000 runs the long version by hand; the suite runs a few hundred cases.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CompressionTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import { startHarness, type Harness } from '../protocol/kafka/endpoint/harness.js';
import { blast } from './blast.js';
import { frameMutation, fuzzRuns, mutateFrames, splitAt } from './mutate.js';
import { openFilesUnder } from './open-files.js';
import { startRecorder } from './recorder.js';

/** Kafka framing: a 4-byte size, then the request. */
function kafkaFrames(session: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let at = 0;
  while (at + 4 <= session.length) {
    const end = at + 4 + session.readInt32BE(at);
    frames.push(session.subarray(at, Math.min(end, session.length)));
    at = end;
  }
  return frames;
}

async function realSession(bootstrap: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'fuzz-seed', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'fz-t', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '600000' }] }] });
  await admin.fetchTopicMetadata({ topics: ['fz-t'] });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const compression of [CompressionTypes.None, CompressionTypes.GZIP]) {
    await producer.send({
      topic: 'fz-t',
      compression,
      messages: Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(i * 500, i), headers: { h: 'v', n: String(i) } })),
    });
  }
  const consumer = kafka.consumer({ groupId: 'fz-g', sessionTimeout: 6000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'fz-t', fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async () => {
        if (++seen === 10) resolve();
      },
    });
  });
  await consumer.disconnect();
  await admin.fetchOffsets({ groupId: 'fz-g', topics: ['fz-t'] });
  await admin.deleteTopics({ topics: ['fz-t'] });
  await producer.disconnect();
  await admin.disconnect();
}

describe('Kafka endpoint under mutated real sessions', () => {
  let h: Harness;
  let producer: Producer;
  let seeds: Buffer[][];
  let n = 0;

  /** A record produced (acks=all) and read back by offset through a fresh consumer group. */
  async function stillServes(): Promise<void> {
    const value = `ping ${++n}`;
    const [r] = await producer.send({ topic: 'fz-healthy', acks: -1, messages: [{ value }] });
    const offset = Number(r!.baseOffset);
    const read = await h.broker.vhost('/').topic('fz-healthy').partition(0).read(offset, 1 << 16);
    assert.ok(read.bytes.includes(Buffer.from(value)), 'the healthy producer wrote its record');
  }

  before(async () => {
    h = await startHarness({ connectionsMaxIdleMs: 5000 });
    const rec = await startRecorder(h.listener.port);
    await realSession(`127.0.0.1:${rec.port}`);
    await rec.close();
    seeds = rec.sessions().map(kafkaFrames).filter((f) => f.length > 0);
    assert.ok(seeds.length >= 2, `recorded ${seeds.length} connections`);
    producer = h.kafka().producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await stillServes();
  });
  let closed = false;
  after(async () => {
    if (closed) return;
    await producer.disconnect();
    await h.close();
  });

  it('replays each recorded connection unchanged, split at random points', async () => {
    const cases = seeds.flatMap((s) => fc.sample(fc.array(fc.nat(), { maxLength: 30 }), 5).map((cuts) => splitAt(Buffer.concat(s), cuts)));
    await blast(cases, { port: h.listener.port, quietMs: 300, concurrency: 10 });
    await stillServes();
  });

  it('survives mutated sessions and keeps serving a healthy producer throughout', async () => {
    const cases = fc.sample(
      fc.tuple(fc.nat(), fc.array(frameMutation, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 20 })),
      fuzzRuns(200),
    );
    const batch = 50;
    for (let i = 0; i < cases.length; i += batch) {
      const streams = cases.slice(i, i + batch).map(([which, ms, cuts]) => splitAt(Buffer.concat(mutateFrames(seeds[which % seeds.length]!, ms)), cuts));
      await Promise.all([blast(streams, { port: h.listener.port, quietMs: 150, concurrency: 25 }), stillServes()]);
      await stillServes();
    }
  });

  it('leaves no file open in the data directory once the broker is closed', async () => {
    await producer.disconnect();
    await h.listener.close();
    await h.broker.close();
    const left = openFilesUnder(h.broker.ctx.dataDir);
    closed = true;
    await h.close().catch(() => undefined);
    if (left === null) return;
    assert.deepEqual(left, [], 'files still open after close');
  });
});
