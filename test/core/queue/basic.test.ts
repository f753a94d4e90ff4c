import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHopperError } from '../../../src/core/errors.js';
import { harness, msg, settle, text } from './helpers.js';

test('publish, receive, ack: stats follow and acked messages are gone', async () => {
  const h = harness();
  const q = await h.open();
  const a = await q.publish(msg('a'));
  const b = await q.publish(msg('b'));
  assert.deepEqual([a.offset, b.offset], [0, 1]);
  assert.equal(q.stats().ready, 2);
  const [d] = await q.receive({ max: 1 });
  assert.ok(d);
  assert.equal(text(d), 'a');
  assert.equal(d.redelivered, false);
  assert.equal(d.deliveryCount, 1);
  assert.equal(q.stats().inFlight, 1);
  q.ack(d.leaseId);
  assert.throws(() => q.ack(d.leaseId), (e) => isHopperError(e, 'UNKNOWN_DELIVERY'));
  const rest = await q.receive({ max: 10 });
  assert.deepEqual(rest.map(text), ['b']);
  await q.ackDurable(rest[0]!.leaseId);
  assert.deepEqual(q.stats().ready + q.stats().inFlight, 0);
  await q.close();
});

test('nack with requeue puts the message back in front, marked redelivered, count kept', async () => {
  const h = harness();
  const q = await h.open();
  for (const t of ['a', 'b', 'c']) await q.publish(msg(t));
  const [a] = await q.receive();
  q.nack(a!.leaseId, true);
  const again = await q.receive({ max: 3 });
  assert.deepEqual(again.map(text), ['a', 'b', 'c']);
  assert.equal(again[0]!.redelivered, true);
  assert.equal(again[0]!.deliveryCount, 2);
  assert.notEqual(again[0]!.leaseId, a!.leaseId);
  assert.throws(() => q.ack(a!.leaseId), (e) => isHopperError(e, 'UNKNOWN_DELIVERY'));
  q.nack(again[1]!.leaseId, false); // no dead-letter target: dropped
  assert.equal(h.dead.length, 0);
  assert.equal(q.stats().dropped, 1);
  await q.close();
});

test('visibility timeout returns a message; a stale handle gets LEASE_EXPIRED', async () => {
  const h = harness();
  const q = await h.open({ visibilityTimeoutMs: 1000 });
  await q.publish(msg('a'));
  const [d] = await q.receive();
  h.time.advance(999);
  assert.equal(q.stats().inFlight, 1);
  h.time.advance(1);
  assert.equal(q.stats().inFlight, 0);
  assert.equal(q.stats().ready, 1);
  assert.throws(() => q.ack(d!.leaseId), (e) => isHopperError(e, 'LEASE_EXPIRED'));
  assert.throws(() => q.changeVisibility(d!.leaseId, 10), (e) => isHopperError(e, 'LEASE_EXPIRED'));
  const [d2] = await q.receive({ visibilityTimeoutMs: 500 });
  assert.equal(d2!.deliveryCount, 2);
  q.changeVisibility(d2!.leaseId, 5000); // extend
  h.time.advance(4999);
  assert.equal(q.stats().inFlight, 1);
  q.changeVisibility(d2!.leaseId, 0); // release now
  assert.equal(q.stats().ready, 1);
  assert.throws(() => q.ack(d2!.leaseId), (e) => isHopperError(e, 'UNKNOWN_DELIVERY'));
  await q.close();
});

test('changeVisibility to the deadline a lease already has returns the message once', async () => {
  // Regression: the deadline heap then holds two entries for the lease, both due together; the
  // lease was released twice and its message sat twice in the ready set (delivered twice).
  const h = harness();
  const q = await h.open();
  await q.publish(msg('a'));
  const [d] = await q.receive({ visibilityTimeoutMs: 87 });
  q.changeVisibility(d!.leaseId, 50);
  q.changeVisibility(d!.leaseId, 87); // back to the first deadline
  h.time.advance(87);
  await settle();
  assert.equal(q.stats().ready, 1);
  const again = await q.receive({ max: 5 });
  assert.deepEqual(again.map((x) => [text(x), x.deliveryCount]), [['a', 2]]);
  await q.close();
});

test('restart after close: acked never returns, unacked returns redelivered with its count', async () => {
  const h = harness();
  let q = await h.open();
  for (const t of ['a', 'b', 'c', 'd']) await q.publish(msg(t));
  const ds = await q.receive({ max: 3, visibilityTimeoutMs: Infinity });
  q.ack(ds[0]!.leaseId); // a acked
  q.nack(ds[1]!.leaseId, true); // b requeued (count 1), c stays leased (count 1)
  await q.close();
  q = await h.open();
  assert.deepEqual(q.recovery, { unclean: false, messagesScanned: 0, eventsReplayed: 0, lostMessages: 0 }, 'a clean close leaves nothing to replay');
  const all = await q.receive({ max: 10 });
  assert.deepEqual(all.map(text), ['b', 'c', 'd']);
  assert.deepEqual(
    all.map((d) => [d.redelivered, d.deliveryCount]),
    [
      [true, 2],
      [true, 2],
      [false, 1],
    ],
  );
  await q.close();
});

test('crash: a durable ack is never redelivered, an unacked message always is', async () => {
  const h = harness();
  let q = await h.open();
  for (const t of ['a', 'b', 'c']) await q.publish(msg(t));
  const ds = await q.receive({ max: 2 });
  await q.ackDurable(ds[0]!.leaseId);
  await q.flush(); // the delivery of b is journaled
  h.backend.crash();
  q.abort();
  q = await h.open();
  assert.equal(q.recovery.unclean, true);
  const all = await q.receive({ max: 10 });
  assert.deepEqual(all.map(text), ['b', 'c']);
  assert.equal(all[0]!.redelivered, true);
  assert.equal(all[0]!.deliveryCount, 2);
  // after an unclean stop every recovered message may have been delivered
  assert.equal(all[1]!.redelivered, true);
  assert.equal(all[1]!.deliveryCount, 1);
  await q.close();
});

test('many acks share journal appends (no append per ack)', async () => {
  const h = harness();
  const q = await h.open();
  await Promise.all(Array.from({ length: 1000 }, (_, i) => q.publish(msg(`m${i}`))));
  const before = h.disk.appends;
  const ds = await q.receive({ max: 1000 });
  for (const d of ds) q.ack(d.leaseId);
  await q.flush();
  assert.ok(h.disk.appends - before <= 3, `appends for 1000 acks: ${h.disk.appends - before}`);
  await settle();
  await q.close();
});
