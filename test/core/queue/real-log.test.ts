/**
 * The queue over the real segment log: crashes in the middle of traffic on the simulated fs
 * (power loss with torn tails), and the backlog-on-disk property (a queue with no consumer does
 * not hold its messages in the heap).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { makeMessage } from '../../../src/core/message.js';
import type { Queue } from '../../../src/core/queue/queue.js';
import { diskBackend, harness, msg, quiesce, settle, simBackend, text } from './helpers.js';

for (const seed of [1, 2, 3, 4, 5]) {
  test(`crash mid-traffic on the simulated fs (seed ${seed}): no durable ack comes back, no stored message is lost`, async () => {
    const backend = simBackend(seed);
    const h = harness(backend);
    let q: Queue = await h.open({ visibilityTimeoutMs: 1_000_000 });
    const stored = new Set<string>();
    const durablyAcked = new Set<string>();
    const pending: Promise<unknown>[] = [];
    let n = 0;
    const consumer = q.consume({ prefetchCount: 7 }, (d) => {
      const body = text(d);
      // Ack every other one durably, nack-requeue some, leave the rest in flight.
      if (d.offset % 3 === 0) pending.push(q.ackDurable(d.leaseId).then(() => durablyAcked.add(body), () => undefined));
      else if (d.offset % 3 === 1 && d.deliveryCount === 1) q.nack(d.leaseId, true);
    });
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 10; i++) {
        const body = `m${n++}`;
        pending.push(q.publish(msg(body)).then(() => stored.add(body), () => undefined));
      }
      await settle(1 + (round % 3));
    }
    // Power loss while appends, acks and journal writes are in flight.
    backend.crash();
    q.abort();
    void consumer;
    await Promise.allSettled(pending);
    q = await h.open({ visibilityTimeoutMs: 1_000_000 });
    const back = new Set<string>();
    for (;;) {
      const ds = await q.receive({ max: 100 });
      if (ds.length === 0) break;
      for (const d of ds) {
        const body = text(d);
        assert.ok(!back.has(body), `${body} delivered twice after recovery`);
        back.add(body);
        // After a crash, any recovered message may have been delivered: all are flagged.
        assert.equal(d.redelivered, true);
        q.ack(d.leaseId);
      }
    }
    for (const b of durablyAcked) assert.ok(!back.has(b), `${b} was acked durably but came back`);
    for (const b of stored) assert.ok(back.has(b) || durablyAcked.has(b), `${b} was stored but is lost`);
    await q.close();
  });
}

test('reopen after a clean close on disk is fast and replays nothing', async () => {
  const backend = diskBackend();
  const h = harness(backend);
  try {
    let q = await h.open();
    await Promise.all(Array.from({ length: 2000 }, (_, i) => q.publish(makeMessage(Buffer.alloc(100, i % 256)))));
    const ds = await q.receive({ max: 500 });
    for (const d of ds.slice(0, 250)) q.ack(d.leaseId);
    await q.close();
    q = await h.open();
    assert.equal(q.stats().ready, 1750);
    const again = await q.receive({ max: 10 });
    assert.equal(again[0]!.offset, 250);
    assert.equal(again[0]!.redelivered, true);
    await q.close();
  } finally {
    await backend.cleanup();
  }
});

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function heapBytes(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

test('a backlog of 100,000 ready 1 KiB messages stays on disk, not in the heap', async () => {
  const backend = diskBackend({ kind: 'never' });
  const h = harness(backend);
  try {
    const q = await h.open({}, { tuning: { cacheBytes: 1024 * 1024 } });
    const body = (): Buffer => Buffer.alloc(1024, 7); // a fresh buffer per message, as a real publish has
    // Warm up code paths before measuring.
    await Promise.all(Array.from({ length: 1000 }, () => q.publish(makeMessage(body()))));
    const before = heapBytes();
    const n = 100_000;
    for (let i = 0; i < n; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, () => q.publish(makeMessage(body()))));
    }
    await quiesce(q);
    const grown = heapBytes() - before;
    assert.equal(q.stats().ready, n + 1000);
    // 100 MB of messages; the queue may keep its 1 MiB cache and a few runs of index.
    assert.ok(grown < 8 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MiB`);
    const [d] = await q.receive();
    assert.equal(d!.offset, 0);
    await q.close();
  } finally {
    await backend.cleanup();
  }
});
