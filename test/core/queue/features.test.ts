import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHopperError } from '../../../src/core/errors.js';
import { validateQueueOptions } from '../../../src/core/queue/options.js';
import type { Delivery } from '../../../src/core/queue/types.js';
import { harness, msg, settle, text } from './helpers.js';

test('delayed messages are invisible until due, in due order, across a restart', async () => {
  const h = harness();
  let q = await h.open();
  await q.publish(msg('late'), { delayMs: 5000 });
  await q.publish(msg('soon'), { delayMs: 1000 });
  await q.publish(msg('now'));
  assert.equal(q.stats().delayed, 2);
  const [now] = await q.receive({ max: 5 });
  assert.equal(text(now!), 'now');
  q.ack(now!.leaseId);
  await q.close();
  q = await h.open();
  assert.equal(q.stats().delayed, 2);
  h.time.advance(1000);
  assert.deepEqual((await q.receive({ max: 5 })).map(text), ['soon']);
  h.time.advance(3999);
  assert.deepEqual(await q.receive(), []);
  h.time.advance(1);
  assert.deepEqual((await q.receive({ max: 5 })).map(text), ['late']);
  await q.close();
});

test('queue delivery delay and dueAt; long polls wake when a delay ends', async () => {
  const h = harness();
  const q = await h.open({ deliveryDelayMs: 500 });
  await q.publish(msg('d'));
  await q.publish(msg('at'), { dueAt: h.time.now() + 200 });
  const p = q.receive({ waitMs: 10_000, max: 5 });
  h.time.advance(200);
  assert.deepEqual((await p).map(text), ['at']);
  h.time.advance(300);
  assert.deepEqual((await q.receive()).map(text), ['d']);
  await q.close();
});

test('TTL of a delayed message counts from its due time', async () => {
  const h = harness();
  const q = await h.open({ messageTtlMs: 100 });
  await q.publish(msg('d'), { delayMs: 1000 });
  h.time.advance(1050);
  const [d] = await q.receive();
  assert.equal(text(d!), 'd', 'due at 1000, expires at 1100');
  q.nack(d!.leaseId, true);
  h.time.advance(50);
  assert.deepEqual(await q.receive(), []);
  assert.equal(q.stats().expired, 1);
  await q.close();
});

test('priorities: higher first, FIFO within a level, clamped to maxPriority', async () => {
  const h = harness();
  let q = await h.open({ maxPriority: 5 });
  const ps = [0, 3, 9, 3, 1, undefined, 5];
  for (let i = 0; i < ps.length; i++) await q.publish(msg(`m${i}`, ps[i] === undefined ? {} : { priority: ps[i]! }));
  const order = ['m2', 'm6', 'm1', 'm3', 'm4', 'm0', 'm5'];
  const [first] = await q.receive();
  assert.equal(text(first!), order[0]);
  q.nack(first!.leaseId, true); // back in front of its level
  assert.deepEqual((await q.receive({ max: 2, visibilityTimeoutMs: Infinity })).map(text), order.slice(0, 2));
  await q.close();
  q = await h.open({ maxPriority: 5 });
  assert.deepEqual((await q.receive({ max: 10 })).map(text), order);
  await q.close();
});

test('fifo groups: a group in flight is blocked, others are not; order kept across requeue', async () => {
  const h = harness();
  const q = await h.open({ fifo: true, visibilityTimeoutMs: 1000 });
  for (const [t, g] of [
    ['a1', 'A'],
    ['a2', 'A'],
    ['b1', 'B'],
    ['a3', 'A'],
    ['b2', 'B'],
  ] as const) {
    await q.publish(msg(t, { groupId: g }));
  }
  // One receive takes a group's messages together (SQS FIFO), oldest group first.
  const ra = await q.receive({ max: 2 });
  assert.deepEqual(ra.map(text), ['a1', 'a2']);
  const rb = await q.receive({ max: 10 });
  assert.deepEqual(rb.map(text), ['b1', 'b2'], 'A is blocked, B is not');
  assert.deepEqual(await q.receive({ max: 10 }), []);
  q.ack(ra[0]!.leaseId);
  assert.deepEqual(await q.receive({ max: 10 }), [], 'a2 still in flight: a3 waits');
  q.ack(rb[0]!.leaseId);
  q.ack(rb[1]!.leaseId);
  h.time.advance(1000); // a2's lease expires: back to the front of A
  const again = await q.receive({ max: 1 });
  assert.deepEqual(again.map(text), ['a2']);
  assert.deepEqual([again[0]!.redelivered, again[0]!.deliveryCount], [true, 2]);
  q.ack(again[0]!.leaseId);
  assert.deepEqual((await q.receive({ max: 10 })).map(text), ['a3']);
  await q.close();
});

test('fifo groups with push consumers: the next of a group waits for the ack', async () => {
  const h = harness();
  const q = await h.open({ fifo: true });
  const got: Delivery[] = [];
  q.consume({ prefetchCount: 10 }, (d) => got.push(d));
  for (const t of ['1', '2', '3']) await q.publish(msg(t, { groupId: 'g' }));
  assert.deepEqual(got.map(text), ['1']);
  q.ack(got[0]!.leaseId);
  assert.deepEqual(got.map(text), ['1', '2']);
  q.nack(got[1]!.leaseId, true);
  assert.deepEqual(got.map(text), ['1', '2', '2']);
  await q.close();
});

test('fifo group order survives a restart', async () => {
  const h = harness();
  let q = await h.open({ fifo: true });
  for (const t of ['1', '2', '3']) await q.publish(msg(t, { groupId: 'g' }));
  await q.receive({ visibilityTimeoutMs: Infinity });
  await q.close();
  q = await h.open({ fifo: true });
  const ds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const [d] = await q.receive();
    ds.push(text(d!));
    q.ack(d!.leaseId);
  }
  assert.deepEqual(ds, ['1', '2', '3']);
  await q.close();
});

test('dedupe: a duplicate within the window is accepted, not enqueued, and gets the original offset', async () => {
  const h = harness();
  let q = await h.open({ fifo: true, deduplicate: true, dedupWindowMs: 60_000 });
  const a = await q.publish(msg('a', { groupId: 'g', deduplicationId: 'x' }));
  const [dup, other] = await Promise.all([
    q.publish(msg('a again', { groupId: 'g', deduplicationId: 'x' })),
    q.publish(msg('b', { groupId: 'g', messageId: 'y' })),
  ]);
  assert.deepEqual(dup, { offset: a.offset, duplicate: true });
  assert.equal(other.duplicate, false);
  // concurrent duplicates of a publish still in flight
  const [p1, p2] = await Promise.all([q.publish(msg('c', { deduplicationId: 'z' })), q.publish(msg('c', { deduplicationId: 'z' }))]);
  assert.equal(p1.offset, p2.offset);
  assert.deepEqual([p1.duplicate, p2.duplicate], [false, true]);
  assert.equal(q.stats().ready, 3);
  await q.close();
  q = await h.open({ fifo: true, deduplicate: true, dedupWindowMs: 60_000 });
  assert.equal((await q.publish(msg('a3', { deduplicationId: 'x' }))).duplicate, true, 'window survives a restart');
  h.time.advance(60_000);
  assert.equal((await q.publish(msg('a4', { deduplicationId: 'x' }))).duplicate, false, 'window passed');
  await q.close();
});

test('dedupe window survives a crash, even for messages already consumed', async () => {
  const h = harness();
  let q = await h.open({ deduplicate: true });
  await q.publish(msg('a', { messageId: 'm1' }));
  const [d] = await q.receive();
  await q.ackDurable(d!.leaseId);
  h.backend.crash();
  q.abort();
  q = await h.open({ deduplicate: true });
  assert.equal((await q.publish(msg('a', { messageId: 'm1' }))).duplicate, true);
  await q.close();
});

test('message size limit and option validation', async () => {
  const h = harness();
  const q = await h.open({ maxMessageBytes: 3 });
  await assert.rejects(q.publish(msg('four')), (e) => isHopperError(e, 'MESSAGE_TOO_LARGE'));
  await q.close();
  assert.throws(() => validateQueueOptions({ maxPriority: 256 }), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => validateQueueOptions({ overflow: 'nope' as never }), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => validateQueueOptions({ bogus: 1 } as never), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => validateQueueOptions({ fifo: true, maxPriority: 3 }), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
  assert.deepEqual(validateQueueOptions({ maxLength: 5 }).maxLength, 5);
  await assert.rejects(h.open({ maxLength: -1 }), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
});

test('checkpoints bound the restart replay and free settled log segments', async () => {
  const h = harness();
  const tuning = { checkpointEveryMessages: 100 };
  let q = await h.open({}, { tuning });
  for (let round = 0; round < 5; round++) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => q.publish(msg(`m${round}-${i}`))));
    const ds = await q.receive({ max: 100 });
    for (const d of ds) q.ack(d.leaseId);
    await q.flush();
    await settle(10);
  }
  assert.ok(q.internals().logStartOffset >= 300, `log start ${q.internals().logStartOffset}`);
  await q.close();
  q = await h.open({}, { tuning });
  assert.equal(q.stats().ready, 0);
  await q.close();
});

test('close completes while a periodic checkpoint is pending', { timeout: 5000 }, async () => {
  const h = harness();
  const q = await h.open({}, { tuning: { checkpointEveryMessages: 10 } });
  await Promise.all(Array.from({ length: 20 }, (_, i) => q.publish(msg(`m${i}`))));
  await q.close();
  const q2 = await h.open();
  assert.equal(q2.stats().ready, 20);
  await q2.close();
});
