/**
 * Endpoint fuzzing for AMQP 0-9-1: real sessions recorded from amqplib, cut into frames,
 * mutated, split at random points and sent to a live broker over many connections. The broker
 * must not crash (an uncaught exception or rejection fails this process), and a healthy
 * connection opened before the blast must keep getting its publishes confirmed and its gets
 * answered while the blast runs and after it.
 *
 * HOPPER_FUZZ_RUNS=100000 runs the long version by hand; the suite runs a few hundred cases.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type amqp from 'amqplib';
import { startBroker, type TestBroker } from '../protocol/amqp/endpoint/helpers.js';
import { blast } from './blast.js';
import { frameMutation, fuzzRuns, mutateFrames, splitAt } from './mutate.js';
import { openFilesUnder } from './open-files.js';
import { startRecorder } from './recorder.js';

/** AMQP framing: the 8-byte protocol header, then type(1) channel(2) size(4) payload frame-end(1). */
function amqpFrames(session: Buffer): Buffer[] {
  const frames = [session.subarray(0, 8)];
  let at = 8;
  while (at + 7 <= session.length) {
    const end = at + 7 + session.readUInt32BE(at + 3) + 1;
    frames.push(session.subarray(at, Math.min(end, session.length)));
    at = end;
  }
  return frames;
}

/** The frames up to and including connection.open: header, start-ok, tune-ok, open. */
const HANDSHAKE_FRAMES = 4;

/** One session exercising most of the protocol surface, as amqplib encodes it. */
async function realSession(url: string): Promise<void> {
  const amqplib = (await import('amqplib')).default;
  const c = await amqplib.connect(url, { clientProperties: { connection_name: 'fuzz-seed' } });
  const ch = await c.createConfirmChannel();
  await ch.assertExchange('fz.x', 'topic', { durable: true, arguments: { 'alternate-exchange': 'fz.alt' } });
  await ch.assertExchange('fz.h', 'headers', { durable: false, autoDelete: true });
  const q = await ch.assertQueue('fz.q', {
    durable: true,
    arguments: { 'x-max-length': 1000, 'x-message-ttl': 60_000, 'x-dead-letter-exchange': 'fz.dlx', 'x-max-priority': 5 },
  });
  await ch.assertQueue('', { exclusive: true });
  await ch.bindQueue(q.queue, 'fz.x', 'a.*.c');
  await ch.bindQueue(q.queue, 'fz.h', '', { 'x-match': 'any', kind: 'fuzz', n: 7 });
  await ch.bindExchange('fz.h', 'fz.x', '#');
  const headers = { s: 'text', i: -5, big: 2 ** 40, f: 1.5, b: true, t: new Date(0), bytes: Buffer.from([1, 2, 3]), arr: [1, 'two', { three: 3 }], tbl: { nested: { deep: 'x' } } };
  for (let i = 0; i < 5; i++) {
    ch.publish('fz.x', 'a.b.c', Buffer.alloc(i * 3000, i), { persistent: true, priority: i, headers, messageId: `m${i}`, correlationId: 'c', replyTo: 'r', expiration: '60000', contentType: 'text/plain', timestamp: 1 });
  }
  ch.publish('fz.h', '', Buffer.from('by headers'), { headers: { kind: 'fuzz' }, mandatory: true });
  await ch.waitForConfirms();
  const got = await ch.get(q.queue);
  if (got) ch.nack(got, false, true);
  await ch.prefetch(3);
  const { consumerTag } = await ch.consume(q.queue, (m) => m && ch.ack(m), { priority: 2, arguments: { 'x-priority': 2 } });
  await new Promise((r) => setTimeout(r, 50));
  await ch.cancel(consumerTag);
  const tx = await c.createChannel();
  await tx.assertQueue('fz.tx', { durable: false });
  await ch.purgeQueue(q.queue);
  await ch.unbindQueue(q.queue, 'fz.x', 'a.*.c');
  await ch.deleteQueue('fz.tx');
  await ch.deleteExchange('fz.h');
  await tx.close();
  await ch.close();
  await c.close();
}

describe('AMQP endpoint under mutated real sessions', () => {
  let b: TestBroker;
  let healthy: amqp.ConfirmChannel;
  let seed: Buffer[][];
  let n = 0;

  /** A publish confirmed and read back by the healthy connection. */
  async function stillServes(): Promise<void> {
    const body = Buffer.from(`ping ${++n}`);
    healthy.sendToQueue('fz.healthy', body, { persistent: true });
    await healthy.waitForConfirms();
    const m = await healthy.get('fz.healthy', { noAck: true });
    assert.ok(m !== false, 'the healthy connection got its message back');
    assert.deepEqual(m.content, body);
  }

  before(async () => {
    b = await startBroker({ listener: { handshakeTimeoutMs: 2000 } });
    const rec = await startRecorder(b.listener.port);
    await realSession(`amqp://guest:guest@127.0.0.1:${rec.port}`);
    await rec.close();
    seed = rec.sessions().map(amqpFrames);
    assert.equal(seed.length, 1);
    assert.ok(seed[0]!.length > 40, `recorded ${seed[0]!.length} frames`);
    const c = await b.connect();
    healthy = await c.createConfirmChannel();
    await healthy.assertQueue('fz.healthy', { durable: true });
  });
  after(() => b.stop());

  it('replays the recorded session unchanged, split at random points', async () => {
    const cases = fc.sample(fc.array(fc.nat(), { maxLength: 40 }), 20).map((cuts) => splitAt(Buffer.concat(seed[0]!), cuts));
    await blast(cases, { port: b.listener.port, quietMs: 300, concurrency: 10 });
    await stillServes();
  });

  it('survives mutated sessions and keeps serving a healthy connection throughout', async () => {
    const runs = fuzzRuns(200);
    const cases = fc.sample(
      fc.tuple(fc.boolean(), fc.array(frameMutation, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 20 })),
      runs,
    );
    const batch = 50;
    for (let i = 0; i < cases.length; i += batch) {
      const streams = cases.slice(i, i + batch).map(([keepHandshake, ms, cuts]) =>
        splitAt(Buffer.concat(mutateFrames(seed[0]!, ms, keepHandshake ? HANDSHAKE_FRAMES : 0)), cuts),
      );
      // The healthy connection is served while the batch is under way, not only after it.
      await Promise.all([blast(streams, { port: b.listener.port, quietMs: 150, concurrency: 25 }), stillServes()]);
      await stillServes();
    }
  });

  it('leaves no file open in the data directory once the broker is closed', async () => {
    await b.stopKeepingData();
    const left = openFilesUnder(b.broker.ctx.dataDir);
    if (left === null) return;
    assert.deepEqual(left, [], 'files still open after close');
  });
});
