/**
 * A queue delivers a message once its log has accepted the append, before the fsync, while its
 * publish resolves (confirms) only after the fsync; and nothing durable (a journal event, a
 * checkpoint) names a message before its append is durable. The memory disk holds the message
 * log's appends back (a slow fsync) so that everything below happens in that window, then a
 * crash loses them: the log hands their offsets out again, and the new messages there must not
 * inherit an ack, a delivery count or a checkpoint entry of the lost ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Queue } from '../../../src/core/queue/queue.js';
import type { QueueOptions } from '../../../src/core/queue/options.js';
import type { Delivery } from '../../../src/core/queue/types.js';
import { harness, memoryBackend, msg, settle, text } from './helpers.js';

test('a message is delivered while its append is being fsynced; its publish resolves only after', async () => {
  const backend = memoryBackend();
  const h = harness(backend);
  const q = await h.open();
  const got: Delivery[] = [];
  const c = q.consume({ prefetchCount: 10 }, (d) => got.push(d));
  backend.disk.hold('messages');
  let resolved = false;
  const p = q.publish(msg('a')).then((r) => ((resolved = true), r));
  await settle(10);
  assert.deepEqual(got.map(text), ['a'], 'delivered from memory');
  assert.equal(resolved, false, 'not confirmed before the append is durable');
  // A receive, a purge's count and the stats see it too (AMQP's basic.get after a publish).
  assert.equal(q.stats().inFlight, 1);
  c.cancel(); // its lease comes back
  assert.equal(q.stats().ready, 1);
  const purged = q.purge();
  let purgeDone = false;
  void purged.then(() => (purgeDone = true));
  await settle(10);
  assert.equal(purgeDone, false, 'a purge is durable only once the messages it settles are');
  backend.disk.release();
  assert.deepEqual(await p, { offset: 0, duplicate: false });
  assert.equal(await purged, 1);
  await q.close();
});

test('ackDurable of a message still being fsynced resolves after its append and its settle are durable', async () => {
  const backend = memoryBackend();
  const h = harness(backend);
  const q = await h.open();
  backend.disk.hold('messages');
  const p = q.publish(msg('a'));
  await settle(5);
  const [d] = await q.receive({ max: 1 });
  assert.equal(text(d!), 'a');
  let acked = false;
  const ack = q.ackDurable(d!.leaseId).then(() => (acked = true));
  await settle(10);
  assert.equal(acked, false);
  backend.disk.release();
  await p;
  await ack;
  q.abort();
  backend.disk.crash();
  const q2 = await h.open();
  assert.deepEqual(await q2.receive({ max: 5 }), [], 'the durable ack held across the crash');
  await q2.close();
});

/**
 * What a queue may do with a message whose append is still pending; each must leave nothing
 * durable behind that names it.
 */
const actions: { name: string; options?: Partial<QueueOptions>; reopen?: Partial<QueueOptions>; act: (q: Queue, advance: (ms: number) => void) => Promise<void> }[] = [
  {
    name: 'ack by a consumer',
    act: async (q) => {
      const c = q.consume({ prefetchCount: 10 }, (d) => q.ack(d.leaseId));
      await settle(5);
      c.cancel();
    },
  },
  {
    name: 'auto-ack consumer',
    act: async (q) => {
      q.consume({ prefetchCount: 0, autoAck: true }, () => undefined);
      await settle(5);
    },
  },
  {
    name: 'receive (a delivery count)',
    options: { maxDeliveries: 1 },
    act: async (q) => {
      assert.equal((await q.receive({ max: 1, visibilityTimeoutMs: 60_000 })).length, 1);
    },
  },
  {
    name: 'nack without requeue (dropped)',
    act: async (q) => {
      const [d] = await q.receive({ max: 1 });
      q.nack(d!.leaseId, false);
    },
  },
  {
    name: 'nack without requeue (dead-lettered)',
    options: { deadLetterTarget: { exchange: 'dlx', routingKey: null } },
    act: async (q) => {
      const [d] = await q.receive({ max: 1 });
      q.nack(d!.leaseId, false);
      await settle(5);
    },
  },
  {
    name: 'purge',
    act: async (q) => {
      void q.purge().catch(() => undefined);
    },
  },
  {
    name: 'expiry (TTL)',
    options: { messageTtlMs: 10 },
    act: async (q, advance) => {
      advance(20);
      await settle(5);
    },
  },
  {
    name: 'drop-head (max-length 0 without consumers)',
    options: { maxLength: 0 },
    reopen: {},
    act: async () => undefined,
  },
  {
    name: 'checkpoint',
    act: async (q) => {
      const [d] = await q.receive({ max: 1 });
      q.ack(d!.leaseId);
      await q.checkpoint();
    },
  },
];

for (const a of actions) {
  test(`a message lost to a crash before its fsync: its ${a.name} does not apply to the next message at its offset`, async () => {
    const backend = memoryBackend();
    const h = harness(backend);
    const q = await h.open(a.options);
    backend.disk.hold('messages');
    const lost = q.publish(msg('lost')).catch(() => 'failed');
    await settle(5);
    await a.act(q, (ms) => h.time.advance(ms));
    await settle(10); // the state log's appends are not held: it journals all it would
    q.abort();
    backend.disk.crash();
    assert.equal(await lost, 'failed', 'never confirmed');
    const q2 = await h.open(a.reopen ?? a.options);
    const next = await q2.publish(msg('next'));
    assert.equal(next.offset, 0, 'the lost message\'s offset is handed out again');
    // Recovery replays the journal after the last checkpoint: crash again, so that whatever
    // the first run journaled about offset 0 is replayed over the new message.
    q2.abort();
    backend.disk.crash();
    const q3 = await h.open(a.reopen ?? a.options);
    const ds = await q3.receive({ max: 5 });
    assert.deepEqual(ds.map((d) => [text(d), d.deliveryCount]), [['next', 1]]);
    assert.deepEqual(h.dead.map((d) => d.message.value!.toString()).filter((b) => b !== 'lost'), [], 'nothing of the new message dead-lettered');
    await q3.close();
  });
}
