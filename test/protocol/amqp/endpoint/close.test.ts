/**
 * Closing after publishing without confirms (what amqp-publish does): once the client has
 * channel.close-ok or connection.close-ok, every message it published on that channel is in its
 * queue, so a basic.get on another connection finds it (RabbitMQ's guarantee). A queue takes a
 * message in when its log accepts the append, so the close does not wait for the fsync; a
 * stream's records are readable only once fsynced, so a close after stream publishes waits,
 * bounded, and a stalled or failed store still gets its close-ok.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type amqp from 'amqplib';
import { diskFs } from '../../../../src/storage/fs/index.js';
import type { StorageFile, StorageFs } from '../../../../src/storage/fs/types.js';
import { gatedFs, sleep, startBroker, waitFor, type TestBroker } from './helpers.js';

// Enough 1 KiB persistent messages that several group commits are still in flight at close:
// before close-ok waited for them, the count seen right after close fell short in nearly every run.
const N = 2000;
const BODY = Buffer.alloc(1024, 'x');

let b: TestBroker;
before(async () => {
  b = await startBroker();
});
after(async () => {
  await b.stop();
});

function publishAll(ch: amqp.Channel, queue: string, n: number): void {
  for (let i = 0; i < n; i++) ch.sendToQueue(queue, BODY, { persistent: true });
}

/**
 * Another client, connected beforehand so that nothing (no handshake) delays its look right
 * after the close: the queue's count, and one basic.get.
 */
async function observer(tb: TestBroker): Promise<(queue: string) => Promise<{ count: number; got: boolean }>> {
  const c = await tb.connect();
  const ch = await c.createChannel();
  return async (queue) => {
    const { messageCount } = await ch.checkQueue(queue);
    const m = await ch.get(queue, { noAck: true });
    return { count: messageCount, got: m !== false };
  };
}

/** Read in the broker the moment the client has its close-ok: what a basic.get would find. */
function ready(tb: TestBroker, queue: string): number {
  return tb.broker.vhost().queue(queue).stats().ready;
}

/**
 * Waits until the server has read (and routed) everything published so far on `ch`: amqplib
 * interleaves channels' frames, so a connection.close could otherwise overtake the publishes,
 * and frames after connection.close are dropped (as RabbitMQ drops them).
 */
async function onTheWire(ch: amqp.Channel, queue: string): Promise<void> {
  await ch.checkQueue(queue);
}

test('channel.close-ok is sent once the channel\'s publishes are enqueued', async () => {
  const c = await b.connect();
  const setup = await c.createChannel();
  await setup.assertQueue('close-ch', { durable: true });
  const look = await observer(b);
  const ch = await c.createChannel();
  publishAll(ch, 'close-ch', N);
  await ch.close();
  assert.equal(ready(b, 'close-ch'), N);
  assert.deepEqual(await look('close-ch'), { count: N, got: true });
  await c.close();
});

test('connection.close-ok is sent once every channel\'s publishes are enqueued', async () => {
  const c0 = await b.connect();
  const setup = await c0.createChannel();
  await setup.assertQueue('close-conn1', { durable: true });
  await setup.assertQueue('close-conn2', { durable: true });
  await c0.close();
  const look = await observer(b);
  const c = await b.connect();
  const ch1 = await c.createChannel();
  const ch2 = await c.createChannel();
  publishAll(ch1, 'close-conn1', N);
  publishAll(ch2, 'close-conn2', N);
  await Promise.all([onTheWire(ch1, 'close-conn1'), onTheWire(ch2, 'close-conn2')]);
  // No channel.close: connection.close closes both channels implicitly.
  await c.close();
  assert.deepEqual([ready(b, 'close-conn1'), ready(b, 'close-conn2')], [N, N]);
  assert.deepEqual(await look('close-conn1'), { count: N, got: true });
  assert.deepEqual(await look('close-conn2'), { count: N, got: true });
});

test('close-ok does not wait for the fsync: the messages are in the queue while it runs, and only confirms wait for it', async () => {
  const gate = gatedFs();
  const gb = await startBroker({ broker: { fs: gate.fs } });
  try {
    const c = await gb.connect();
    const setup = await c.createChannel();
    await setup.assertQueue('held', { durable: true });
    const look = await observer(gb);
    gate.hold((path) => path.includes('held') && path.includes('/messages/'));
    const ch = await c.createChannel();
    publishAll(ch, 'held', 10);
    await ch.close();
    await waitFor(() => gate.waiting > 0, 2000, 'the held fsync');
    // Found by another connection while none of them is fsynced, as in RabbitMQ's classic queues.
    assert.deepEqual(await look('held'), { count: 10, got: true });
    // A consumer gets a persistent message before its publisher's confirm, which waits for the fsync.
    const consumer = await c.createChannel();
    const delivered: string[] = [];
    await consumer.consume('held', (m) => m && delivered.push(m.content.toString()), { noAck: true });
    const cc = await c.createConfirmChannel();
    let confirmed = false;
    const confirm = new Promise<void>((resolve, reject) =>
      cc.sendToQueue('held', Buffer.from('rpc'), { persistent: true }, (err) => (err ? reject(err) : ((confirmed = true), resolve()))),
    );
    await waitFor(() => delivered.includes('rpc'), 2000, 'the delivery before the fsync');
    await sleep(50);
    assert.equal(confirmed, false, 'no confirm while the fsync is held');
    assert.ok(gate.waiting > 0);
    gate.release();
    await confirm;
    await c.close();
  } finally {
    gate.release();
    await gb.stop();
  }
});

test('the wait is bounded: a close waiting for a stream append (readable once fsynced) still gets close-ok', async () => {
  const gate = gatedFs();
  const gb = await startBroker({ broker: { fs: gate.fs }, listener: { closeDrainTimeoutMs: 200 } });
  try {
    const c = await gb.connect();
    const setup = await c.createChannel();
    await setup.assertQueue('stalled', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    gate.hold((path) => path.includes('stalled'));
    const ch = await c.createChannel();
    publishAll(ch, 'stalled', 10);
    await waitFor(() => gate.waiting > 0, 2000, 'the held fsync');
    let t = Date.now();
    await ch.close();
    assert.ok(Date.now() - t >= 150, 'channel.close-ok waited for the store');
    const ch2 = await c.createChannel();
    publishAll(ch2, 'stalled', 10);
    await onTheWire(ch2, 'stalled');
    t = Date.now();
    await c.close();
    assert.ok(Date.now() - t >= 150, 'connection.close-ok waited for the store');
  } finally {
    gate.release();
    await gb.stop();
  }
});

test('a failed store still gets channel.close-ok at once', async () => {
  let failing = false;
  let injected = 0;
  const fs: StorageFs = Object.create(diskFs);
  fs.open = async (path, mode) => {
    const f = await diskFs.open(path, mode);
    const wrapped: StorageFile = Object.create(f);
    wrapped.datasync = async () => {
      if (failing && path.includes('failing') && path.includes('/messages/')) {
        injected++;
        throw new Error('EIO: injected');
      }
      return f.datasync();
    };
    return wrapped;
  };
  const gb = await startBroker({ broker: { fs }, listener: { closeDrainTimeoutMs: 30_000 } });
  try {
    const c = await gb.connect();
    const ch = await c.createChannel();
    await ch.assertQueue('failing', { durable: true });
    failing = true;
    publishAll(ch, 'failing', 10);
    const t = Date.now();
    await ch.close();
    assert.ok(Date.now() - t < 10_000, 'close-ok did not wait for the timeout');
    assert.ok(injected > 0, 'the store failed');
    await c.close();
  } finally {
    failing = false;
    await gb.stop().catch(() => undefined);
  }
});
