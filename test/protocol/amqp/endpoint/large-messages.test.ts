/**
 * Messages of every size up to maxMessageBytes (16 MiB) are delivered whole, through basic.get
 * and consumers, wherever the queue finds their body: in the cache of recent publishes, on
 * disk after a restart, and on disk behind a backlog that pushed them out of the cache. The
 * sizes straddle the queue's read-ahead budget (768 KiB) and its recent-publish cache (8 MiB):
 * a message bigger than a cache must still be delivered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type amqp from 'amqplib';
import { tempDir } from '../../../helpers/tmp.js';
import { startBroker, waitFor, type TestBroker } from './helpers.js';
import { body, digest, SIZES } from './large-bodies.js';

const KiB = 1024;

/** Fails the test instead of hanging when a basic.get is never answered. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function publishAll(ch: amqp.ConfirmChannel, queue: string, sizes: readonly number[], seed: number): Promise<void> {
  for (const size of sizes) {
    ch.sendToQueue(queue, body(size, seed), { persistent: true, headers: { size } });
    // One at a time keeps the client's buffers small.
    await ch.waitForConfirms();
  }
}

/** basic.get each message in turn and checks it is the one published, whole. */
async function getAll(ch: amqp.Channel, queue: string, sizes: readonly number[], seed: number): Promise<void> {
  for (const size of sizes) {
    const m = await within(ch.get(queue, { noAck: false }), 20_000, `basic.get of the ${size}-byte message`);
    assert.ok(m, `basic.get found the ${size}-byte message`);
    assert.equal(m.properties.headers?.['size'], size);
    assert.equal(m.content.length, size, `the ${size}-byte message comes back whole`);
    assert.equal(digest(m.content), digest(body(size, seed)), `the ${size}-byte message's bytes`);
    ch.ack(m);
  }
  assert.equal(await ch.get(queue), false, 'nothing else is left');
}

/** Consumes `sizes.length` messages and checks they are the ones published, in order. */
async function consumeAll(ch: amqp.Channel, queue: string, sizes: readonly number[], seed: number): Promise<void> {
  const got: { size: number; digest: string; headerSize: unknown }[] = [];
  await ch.prefetch(2);
  const { consumerTag } = await ch.consume(queue, (m) => {
    if (m === null) return;
    got.push({ size: m.content.length, digest: digest(m.content), headerSize: m.properties.headers?.['size'] });
    ch.ack(m);
  });
  await waitFor(() => got.length >= sizes.length, 60_000, `${sizes.length} deliveries on ${queue} (got ${got.length})`);
  await ch.cancel(consumerTag);
  assert.equal(got.length, sizes.length);
  sizes.forEach((size, i) => {
    assert.equal(got[i]!.headerSize, size);
    assert.equal(got[i]!.size, size, `delivery ${i} is the ${size}-byte message, whole`);
    assert.equal(got[i]!.digest, digest(body(size, seed)), `the ${size}-byte message's bytes`);
  });
}

async function withBroker(fn: (dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempDir('hopper-amqp-large-');
  try {
    await fn(dir);
  } finally {
    await cleanup();
  }
}

test('every size up to 16 MiB is delivered from the cache of recent publishes, by basic.get and to a consumer', async () => {
  await withBroker(async (dir) => {
    const b = await startBroker({ dataDir: dir });
    try {
      const c = await b.connect();
      const pub = await c.createConfirmChannel();
      const ch = await c.createChannel();
      await pub.assertQueue('large.cache', { durable: true });
      for (const size of SIZES) {
        await publishAll(pub, 'large.cache', [size], 1);
        await getAll(ch, 'large.cache', [size], 1);
      }
      for (const size of SIZES) {
        await publishAll(pub, 'large.cache', [size], 2);
        await consumeAll(ch, 'large.cache', [size], 2);
      }
    } finally {
      await b.stop();
    }
  });
});

test('every size up to 16 MiB is delivered from disk after a restart, by basic.get and to a consumer', async () => {
  await withBroker(async (dir) => {
    let b: TestBroker = await startBroker({ dataDir: dir });
    try {
      const c = await b.connect();
      const pub = await c.createConfirmChannel();
      await pub.assertQueue('large.restart.get', { durable: true });
      await pub.assertQueue('large.restart.consume', { durable: true });
      await publishAll(pub, 'large.restart.get', SIZES, 3);
      await publishAll(pub, 'large.restart.consume', SIZES, 4);
      await b.stopKeepingData();

      b = await startBroker({ dataDir: dir });
      const c2 = await b.connect();
      const ch = await c2.createChannel();
      assert.equal((await ch.checkQueue('large.restart.get')).messageCount, SIZES.length);
      await getAll(ch, 'large.restart.get', SIZES, 3);
      await consumeAll(ch, 'large.restart.consume', SIZES, 4);
      // Nothing was left unacked: a second restart finds both queues empty.
      await b.stopKeepingData();
      b = await startBroker({ dataDir: dir });
      const ch3 = await (await b.connect()).createChannel();
      assert.equal((await ch3.checkQueue('large.restart.get')).messageCount, 0);
      assert.equal((await ch3.checkQueue('large.restart.consume')).messageCount, 0);
    } finally {
      await b.stopKeepingData();
    }
  });
});

test('every size up to 16 MiB is delivered from disk behind a backlog that pushed it out of the cache', async () => {
  await withBroker(async (dir) => {
    const b = await startBroker({ dataDir: dir });
    try {
      const c = await b.connect();
      const pub = await c.createConfirmChannel();
      const ch = await c.createChannel();
      // More filler than the 8 MiB cache of recent publishes holds: the large messages published
      // before it are only on disk when a consumer reaches them.
      const filler = Array.from({ length: 160 }, () => 64 * KiB);
      for (const [queue, seed] of [['large.backlog.get', 5], ['large.backlog.consume', 6]] as const) {
        await pub.assertQueue(queue, { durable: true });
        await publishAll(pub, queue, SIZES, seed);
        await publishAll(pub, queue, filler, seed);
      }
      await getAll(ch, 'large.backlog.get', [...SIZES, ...filler], 5);
      await consumeAll(ch, 'large.backlog.consume', [...SIZES, ...filler], 6);
    } finally {
      await b.stop();
    }
  });
});

/** Longer than any publish takes: the messages expire only when the clock jumps. */
const TTL_MS = 3_600_000;

test('every size up to 16 MiB is dead-lettered whole from disk after a restart, rejected or expired', async () => {
  await withBroker(async (dir) => {
    let b: TestBroker = await startBroker({ dataDir: dir });
    try {
      const c = await b.connect();
      const pub = await c.createConfirmChannel();
      await pub.assertQueue('large.dlq', { durable: true });
      await pub.assertQueue('large.rejecting', { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'large.dlq' } });
      await pub.assertQueue('large.expiring', {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'large.dlq', 'x-message-ttl': TTL_MS },
      });
      await publishAll(pub, 'large.rejecting', SIZES, 9);
      await b.stopKeepingData();

      b = await startBroker({ dataDir: dir });
      const ch = await (await b.connect()).createChannel();
      for (const size of SIZES) {
        const m = await within(ch.get('large.rejecting'), 20_000, `basic.get of the ${size}-byte message`);
        assert.ok(m);
        ch.nack(m, false, false);
      }
      await getAll(ch, 'large.dlq', SIZES, 9);

      // Expired while the broker was down (its clock jumps past the TTL): dead-lettered on the
      // next start, read from disk.
      const pub2 = await (await b.connect()).createConfirmChannel();
      await publishAll(pub2, 'large.expiring', SIZES, 10);
      await b.stopKeepingData();
      const later = { now: () => Date.now() + 2 * TTL_MS };
      b = await startBroker({ dataDir: dir, broker: { clock: later } });
      const ch3 = await (await b.connect()).createChannel();
      await waitFor(async () => (await ch3.checkQueue('large.dlq')).messageCount === SIZES.length, 30_000, 'the expired messages in the dead-letter queue');
      await getAll(ch3, 'large.dlq', SIZES, 10);
      assert.equal((await ch3.checkQueue('large.expiring')).messageCount, 0);
    } finally {
      await b.stopKeepingData();
    }
  });
});
