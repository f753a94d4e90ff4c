import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHopperError } from '../../../src/core/errors.js';
import type { Delivery } from '../../../src/core/queue/types.js';
import { harness, msg, settle, text } from './helpers.js';

async function publishAll(q: { publish: (m: ReturnType<typeof msg>) => Promise<unknown> }, names: string[]): Promise<void> {
  for (const n of names) await q.publish(msg(n));
}

test('prefetch bounds unsettled deliveries; an ack lets the next one through', async () => {
  const h = harness();
  const q = await h.open();
  await publishAll(q, ['a', 'b', 'c', 'd']);
  const got: Delivery[] = [];
  q.consume({ prefetchCount: 2 }, (d) => got.push(d));
  assert.deepEqual(got.map(text), ['a', 'b']);
  q.ack(got[0]!.leaseId);
  assert.deepEqual(got.map(text), ['a', 'b', 'c']);
  assert.equal(q.stats().inFlight, 2);
  await q.close();
});

test('a consumer that acks inside its callback drains the queue (re-entrancy)', async () => {
  const h = harness();
  const q = await h.open();
  await Promise.all(Array.from({ length: 500 }, (_, i) => q.publish(msg(`m${i}`))));
  const seen: string[] = [];
  q.consume({ prefetchCount: 1 }, (d) => {
    seen.push(text(d));
    q.ack(d.leaseId);
  });
  assert.equal(seen.length, 500);
  assert.deepEqual(seen.slice(0, 3), ['m0', 'm1', 'm2']);
  assert.equal(q.stats().ready, 0);
  await q.close();
});

test('round-robin among equal consumers; higher consumer priority first while it has credit', async () => {
  const h = harness();
  const q = await h.open();
  const a: string[] = [];
  const b: string[] = [];
  q.consume({ prefetchCount: 10 }, (d) => a.push(text(d)));
  q.consume({ prefetchCount: 10 }, (d) => b.push(text(d)));
  await publishAll(q, ['1', '2', '3', '4']);
  assert.deepEqual([a, b], [['1', '3'], ['2', '4']]);

  const h2 = harness();
  const q2 = await h2.open();
  const low: string[] = [];
  const high: string[] = [];
  q2.consume({ prefetchCount: 10, priority: 0 }, (d) => low.push(text(d)));
  q2.consume({ prefetchCount: 2, priority: 5 }, (d) => high.push(text(d)));
  await Promise.all(['1', '2', '3', '4'].map((n) => q2.publish(msg(n))));
  assert.deepEqual([high, low], [['1', '2'], ['3', '4']]);
  await q.close();
  await q2.close();
});

test('single active consumer: only the first gets messages until it goes', async () => {
  const h = harness();
  const q = await h.open({ singleActiveConsumer: true });
  const a: Delivery[] = [];
  const b: Delivery[] = [];
  const ca = q.consume({ prefetchCount: 1 }, (d) => a.push(d));
  q.consume({ prefetchCount: 1 }, (d) => b.push(d));
  await publishAll(q, ['1', '2']);
  assert.deepEqual([a.map(text), b.map(text)], [['1'], []]);
  ca.cancel(); // '1' goes back to the front, and b takes over
  assert.deepEqual(b.map(text), ['1']);
  assert.equal(b[0]!.redelivered, true);
  await q.close();
});

test('exclusive consumers refuse company', async () => {
  const h = harness();
  const q = await h.open();
  const c = q.consume({ exclusive: true }, () => undefined);
  assert.throws(() => q.consume({}, () => undefined), (e) => isHopperError(e, 'ACCESS_REFUSED'));
  c.cancel();
  q.consume({}, () => undefined);
  assert.throws(() => q.consume({ exclusive: true }, () => undefined), (e) => isHopperError(e, 'ACCESS_REFUSED'));
  await q.close();
});

test('cancel returns leases to the front in order; stop keeps them settleable', async () => {
  const h = harness();
  const q = await h.open();
  await publishAll(q, ['a', 'b', 'c', 'd']);
  const got: Delivery[] = [];
  const c = q.consume({ prefetchCount: 3 }, (d) => got.push(d));
  c.stop();
  assert.equal(q.stats().consumers, 0);
  q.ack(got[1]!.leaseId); // still settleable after stop
  c.cancel();
  const rest = await q.receive({ max: 10 });
  assert.deepEqual(rest.map(text), ['a', 'c', 'd']);
  assert.deepEqual(rest.map((d) => d.redelivered), [true, true, false]);
  await q.close();
});

test('prefetchBytes bounds bytes in flight (but an idle consumer always gets one)', async () => {
  const h = harness();
  const q = await h.open();
  await publishAll(q, ['aaaa', 'bbbb', 'cccccccccc']);
  const got: Delivery[] = [];
  q.consume({ prefetchBytes: 9 }, (d) => got.push(d));
  assert.deepEqual(got.map(text), ['aaaa', 'bbbb']);
  q.ack(got[0]!.leaseId);
  q.ack(got[1]!.leaseId);
  assert.deepEqual(got.map(text), ['aaaa', 'bbbb', 'cccccccccc']);
  await q.close();
});

test('auto-ack consumers settle on delivery; pause holds them back', async () => {
  const h = harness();
  const q = await h.open();
  const got: string[] = [];
  const c = q.consume({ autoAck: true }, (d) => got.push(text(d)));
  c.pause();
  await publishAll(q, ['a', 'b']);
  assert.deepEqual(got, []);
  c.resume();
  assert.deepEqual(got, ['a', 'b']);
  assert.equal(q.stats().inFlight, 0);
  assert.equal(q.stats().acked, 2);
  await q.close();
  const q2 = await h.open();
  assert.equal(q2.stats().ready, 0);
  await q2.close();
});

test('long polling resolves when a message arrives, or empty at the deadline', async () => {
  const h = harness();
  const q = await h.open();
  const p1 = q.receive({ waitMs: 20_000, max: 5 });
  await q.publish(msg('x'));
  const r1 = await p1;
  assert.deepEqual(r1.map(text), ['x']);
  const p2 = q.receive({ waitMs: 1000 });
  h.time.advance(999);
  assert.equal(q.stats().waiters, 1);
  h.time.advance(1);
  assert.deepEqual(await p2, []);
  assert.deepEqual(await q.receive({ waitMs: 0 }), []);
  await q.close();
});

test('pending receives are bounded', async () => {
  const h = harness();
  const q = await h.open({}, { tuning: { maxWaiters: 2 } });
  const a = q.receive({ waitMs: 100 });
  const b = q.receive({ waitMs: 100 });
  await assert.rejects(q.receive({ waitMs: 100 }), (e) => isHopperError(e, 'RESOURCE_LIMIT'));
  h.time.advance(100);
  assert.deepEqual([await a, await b], [[], []]);
  await q.close();
});

test('maxInFlight: receive refuses with TOO_MANY_IN_FLIGHT, consumers wait', async () => {
  const h = harness();
  const q = await h.open({ maxInFlight: 2 });
  await publishAll(q, ['a', 'b', 'c']);
  const ds = await q.receive({ max: 10 });
  assert.equal(ds.length, 2);
  await assert.rejects(q.receive(), (e) => isHopperError(e, 'TOO_MANY_IN_FLIGHT'));
  const got: string[] = [];
  q.consume({}, (d) => got.push(text(d)));
  assert.deepEqual(got, []);
  q.ack(ds[0]!.leaseId);
  assert.deepEqual(got, ['c']);
  await q.close();
});

test('a consumer behind the cache reads from the log in order', async () => {
  const h = harness();
  const q = await h.open({}, { tuning: { cacheBytes: 100, readAheadBytes: 2048 } });
  const n = 2000;
  await Promise.all(Array.from({ length: n }, (_, i) => q.publish(msg(`m${i}`))));
  const seen: string[] = [];
  q.consume({ prefetchCount: 50 }, (d) => {
    seen.push(text(d));
    q.ack(d.leaseId);
  });
  for (let i = 0; i < 200 && seen.length < n; i++) await settle(1);
  assert.equal(seen.length, n);
  assert.deepEqual(seen, Array.from({ length: n }, (_, i) => `m${i}`));
  await q.close();
});

test('closing rejects pending receives and later calls', async () => {
  const h = harness();
  const q = await h.open();
  const p = q.receive({ waitMs: 1000 });
  const closing = q.close();
  await assert.rejects(p, (e) => isHopperError(e, 'CLOSED'));
  await closing;
  await assert.rejects(q.publish(msg('x')), (e) => isHopperError(e, 'CLOSED'));
  assert.throws(() => q.ack('nope'), (e) => isHopperError(e, 'CLOSED'));
});
