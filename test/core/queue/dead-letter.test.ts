import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHopperError } from '../../../src/core/errors.js';
import type { TypedValue } from '../../../src/core/message.js';
import { annotateDeath } from '../../../src/core/queue/dead-letter.js';
import { harness, msg, quiesce, settle, text } from './helpers.js';

const DLX = { deadLetterTarget: { exchange: 'dlx', routingKey: null } };

function deaths(v: TypedValue | undefined): Record<string, TypedValue>[] {
  assert.equal(v?.type, 'array');
  return (v as { value: TypedValue[] }).value.map((e) => (e as { value: Record<string, TypedValue> }).value);
}

test('x-death: RabbitMQ format, most recent first, same queue+reason counts up', () => {
  const m = msg('x', { exchange: 'ex', routingKey: 'rk', expirationMs: 5000 });
  const one = annotateDeath(m, 'q1', 'rejected', 10_000);
  assert.equal(one.count, 1);
  assert.equal(one.message.properties.expirationMs, undefined, 'expiration removed');
  assert.equal(m.properties.expirationMs, 5000, 'input untouched');
  const two = annotateDeath(one.message, 'q2', 'expired', 20_000);
  const three = annotateDeath(two.message, 'q1', 'rejected', 30_000);
  assert.equal(three.count, 2);
  const a = three.message.properties.attributes!;
  const ds = deaths(a['x-death']);
  assert.deepEqual(
    ds.map((d) => [d['queue'], d['reason'], d['count']]),
    [
      [{ type: 'string', value: 'q1' }, { type: 'string', value: 'rejected' }, { type: 'long', value: 2n }],
      [{ type: 'string', value: 'q2' }, { type: 'string', value: 'expired' }, { type: 'long', value: 1n }],
    ],
  );
  assert.deepEqual(ds[0]!['time'], { type: 'timestamp', value: 30 });
  assert.deepEqual(ds[0]!['exchange'], { type: 'string', value: 'ex' });
  assert.deepEqual(ds[0]!['routing-keys'], { type: 'array', value: [{ type: 'string', value: 'rk' }] });
  assert.deepEqual(ds[0]!['original-expiration'], { type: 'string', value: '5000' });
  assert.deepEqual(a['x-first-death-queue'], { type: 'string', value: 'q1' });
  assert.deepEqual(a['x-first-death-reason'], { type: 'string', value: 'rejected' });
  assert.deepEqual(a['x-last-death-queue'], { type: 'string', value: 'q1' });
  assert.deepEqual(a['x-last-death-reason'], { type: 'string', value: 'rejected' });
  assert.deepEqual(two.message.properties.attributes!['x-last-death-queue'], { type: 'string', value: 'q2' });
});

test('reject without requeue dead-letters through the hook; settled only after it resolves', async () => {
  const h = harness();
  let release!: () => void;
  const calls: string[] = [];
  const q = await h.open(DLX, {
    deadLetter: (m, info) => {
      calls.push(`${text({ message: m } as never)}:${info.reason}:${info.exchange}`);
      return new Promise<void>((r) => (release = r));
    },
  });
  await q.publish(msg('a'));
  const [d] = await q.receive();
  q.nack(d!.leaseId, false);
  await settle();
  assert.deepEqual(calls, ['a:rejected:dlx']);
  assert.equal(q.stats().deadLettered, 0);
  // Not settled yet: a close now brings it back (at-least-once).
  release();
  await settle();
  assert.equal(q.stats().deadLettered, 1);
  await q.close();
  const q2 = await h.open(DLX);
  assert.equal(q2.stats().ready, 0);
  await q2.close();
});

test('a failing dead-letter hook is retried', async () => {
  const h = harness();
  let fails = 1;
  const q = await h.open(DLX, {
    deadLetter: async () => {
      if (fails-- > 0) throw new Error('no route yet');
      h.dead.push({} as never);
    },
  });
  await q.publish(msg('a'));
  const [d] = await q.receive();
  q.nack(d!.leaseId, false);
  await settle();
  assert.equal(h.dead.length, 0);
  h.time.advance(1000);
  await settle();
  assert.equal(h.dead.length, 1);
  assert.equal(q.stats().deadLettered, 1);
  await q.close();
});

test('maxDeliveries: the next attempt dead-letters with delivery_limit (nack and visibility expiry)', async () => {
  const h = harness();
  const q = await h.open({ ...DLX, maxDeliveries: 2, visibilityTimeoutMs: 100 });
  await q.publish(msg('a'));
  const [d1] = await q.receive();
  q.nack(d1!.leaseId, true);
  const [d2] = await q.receive();
  assert.equal(d2!.deliveryCount, 2);
  h.time.advance(100); // second delivery's lease expires: limit reached
  await settle();
  assert.equal(h.dead.length, 1);
  assert.equal(h.dead[0]!.info.reason, 'delivery_limit');
  assert.deepEqual(await q.receive(), []);
  await q.close();
});

test('maxDeliveries without a target drops; limit survives a restart', async () => {
  const h = harness();
  let q = await h.open({ maxDeliveries: 1 });
  await q.publish(msg('a'));
  await q.receive({ visibilityTimeoutMs: Infinity });
  await q.close(); // leased once: after restart its count is 1 = the limit
  q = await h.open({ maxDeliveries: 1 });
  assert.deepEqual(await q.receive(), []);
  assert.equal(q.stats().dropped, 1);
  await q.close();
});

test('queue TTL expires messages without consumers, dead-lettered as expired', async () => {
  const h = harness();
  const q = await h.open({ ...DLX, messageTtlMs: 1000 });
  await q.publish(msg('a'));
  h.time.advance(500);
  await q.publish(msg('b'));
  h.time.advance(500);
  await settle();
  assert.deepEqual(h.dead.map((d) => [text(d as never), d.info.reason]), [['a', 'expired']]);
  assert.equal(q.stats().ready, 1);
  h.time.advance(500);
  await settle();
  assert.equal(q.stats().ready, 0);
  assert.equal(q.stats().expired, 2);
  await q.close();
});

test('per-message expiration applies at the head only (RabbitMQ semantics)', async () => {
  const h = harness();
  const q = await h.open();
  await q.publish(msg('long', { expirationMs: 10_000 }));
  await q.publish(msg('short', { expirationMs: 100 }));
  h.time.advance(200);
  assert.equal(q.stats().ready, 2, 'short is behind long: not expired yet');
  const [d] = await q.receive();
  assert.equal(text(d!), 'long');
  assert.deepEqual(await q.receive(), [], 'short is expired once at the head, never delivered');
  assert.equal(q.stats().expired, 1);
  await q.close();
});

test('TTL survives a restart', async () => {
  const h = harness();
  let q = await h.open({ messageTtlMs: 1000 });
  await q.publish(msg('a'));
  await q.close();
  h.time.advance(2000);
  q = await h.open({ messageTtlMs: 1000 });
  assert.deepEqual(await q.receive(), []);
  await q.close();
});

test('max length drop-head drops or dead-letters the oldest', async () => {
  const h = harness();
  const q = await h.open({ ...DLX, maxLength: 2 });
  for (const t of ['a', 'b', 'c']) await q.publish(msg(t));
  await settle();
  assert.deepEqual(h.dead.map((d) => [text(d as never), d.info.reason]), [['a', 'maxlen']]);
  assert.deepEqual((await q.receive({ max: 5 })).map(text), ['b', 'c']);
  await q.close();

  const h2 = harness();
  const q2 = await h2.open({ maxLengthBytes: 5 });
  for (const t of ['aa', 'bb', 'cc']) await q2.publish(msg(t));
  assert.deepEqual((await q2.receive({ max: 5 })).map(text), ['bb', 'cc']);
  assert.equal(q2.stats().dropped, 1);
  await q2.close();
});

test('max length counts ready messages only, and a waiting consumer takes a message first', async () => {
  const h = harness();
  const q = await h.open({ maxLength: 0 });
  const got: string[] = [];
  q.consume({ prefetchCount: 1 }, (d) => got.push(text(d)));
  await q.publish(msg('a'));
  await q.publish(msg('b')); // no credit: enqueued, over max length 0, dropped
  assert.deepEqual(got, ['a']);
  assert.equal(q.stats().dropped, 1);
  await q.close();
});

test('max length 0: a waiting consumer gets a message whose body must first be read from the log', async () => {
  // Regression: after a restart nothing is cached; drop-head trimmed the head while the read of
  // it for the waiting consumer was in flight, so the consumer never got it.
  const h = harness();
  let q = await h.open({ maxLength: 0 });
  await q.publish(msg('a'), { delayMs: 10 });
  await q.close();
  q = await h.open({ maxLength: 0 });
  const got: string[] = [];
  q.consume({ prefetchCount: 1 }, (d) => got.push(text(d)));
  h.time.advance(10);
  await settle(20);
  assert.deepEqual(got, ['a']);
  assert.equal(q.stats().dropped, 0);
  await q.close();
});

test('reject-publish and reject-publish-dlx refuse with QUEUE_FULL', async () => {
  const h = harness();
  const q = await h.open({ maxLength: 1, overflow: 'reject-publish' });
  await q.publish(msg('a'));
  await assert.rejects(q.publish(msg('b')), (e) => isHopperError(e, 'QUEUE_FULL'));
  await q.close();
  const h2 = harness();
  const q2 = await h2.open({ ...DLX, maxLength: 1, overflow: 'reject-publish-dlx' });
  await q2.publish(msg('a'));
  await assert.rejects(q2.publish(msg('b')), (e) => isHopperError(e, 'QUEUE_FULL'));
  assert.deepEqual(h2.dead.map((d) => [text(d as never), d.info.reason]), [['b', 'maxlen']]);
  assert.deepEqual((await q2.receive({ max: 5 })).map(text), ['a']);
  await q2.close();
});

test('purge settles ready messages, not leased ones, durably', async () => {
  const h = harness();
  let q = await h.open();
  for (const t of ['a', 'b', 'c', 'd']) await q.publish(msg(t));
  const [d] = await q.receive({ visibilityTimeoutMs: Infinity });
  assert.equal(await q.purge(), 3);
  assert.equal(q.stats().ready, 0);
  assert.equal(q.stats().inFlight, 1);
  h.backend.crash();
  q.abort();
  q = await h.open();
  assert.deepEqual((await q.receive({ max: 5 })).map(text), ['a']);
  void d;
  await q.close();
});

test('x-expires: the idle hook fires once the queue is unused', async () => {
  const h = harness();
  let expired = 0;
  const q = await h.open({ expiresMs: 1000 }, { onIdleExpired: () => void expired++ });
  h.time.advance(600);
  const c = q.consume({}, () => undefined);
  h.time.advance(2000);
  assert.equal(expired, 0, 'a consumer keeps it in use');
  c.cancel();
  h.time.advance(999);
  assert.equal(expired, 0);
  h.time.advance(1);
  assert.equal(expired, 1);
  await q.close();
});

test('a message that becomes the head by a delivery still expires on time', async () => {
  const h = harness();
  const q = await h.open();
  await q.publish(msg('a'));
  await q.publish(msg('b', { expirationMs: 20 }));
  q.consume({ prefetchCount: 1 }, () => undefined); // takes a: b is now the head
  h.time.advance(20);
  assert.equal(q.stats().ready, 0);
  assert.equal(q.stats().expired, 1);
  await q.close();
});

test('dead letters read back from the log go out in the order they died, with a bounded number of bytes in flight', async () => {
  const h = harness();
  let q = await h.open({ ...DLX, messageTtlMs: 1000 });
  for (let i = 0; i < 10; i++) await q.publish(msg(`m${i}xx`)); // 4 bytes each
  await q.close();
  // After a restart nothing is cached: every body is read back from the log.
  const calls: string[] = [];
  const releases: (() => void)[] = [];
  q = await h.open({ ...DLX, messageTtlMs: 1000 }, {
    tuning: { deadLetterInFlightBytes: 10 },
    deadLetter: (m) => {
      calls.push(m.value!.toString());
      return new Promise<void>((r) => releases.push(r));
    },
  });
  h.time.advance(2000);
  await settle(20);
  // 4 + 4 bytes fit the 10-byte budget, a third would not: it waits for the hook.
  assert.deepEqual(calls, ['m0xx', 'm1xx']);
  while (calls.length < 10 || releases.length > 0) {
    const r = releases.shift();
    assert.ok(r, `a hook call is pending (${calls.length} so far)`);
    r();
    await settle(20);
  }
  assert.deepEqual(calls, Array.from({ length: 10 }, (_, i) => `m${i}xx`), 'in the order they died');
  assert.equal(q.stats().deadLettered, 10);
  await q.close();
});

test('one dead letter larger than the in-flight budget still goes', async () => {
  const h = harness();
  let q = await h.open({ ...DLX, messageTtlMs: 1000 });
  await q.publish(msg('x'.repeat(100)));
  await q.publish(msg('y'));
  await q.close();
  q = await h.open({ ...DLX, messageTtlMs: 1000 }, { tuning: { deadLetterInFlightBytes: 10 } });
  h.time.advance(2000);
  await quiesce(q);
  assert.deepEqual(h.dead.map((d) => d.message.value!.length), [100, 1]);
  assert.equal(q.stats().deadLettered, 2);
  await q.close();
});
