import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHopperError } from '../../../src/core/errors.js';
import type { Delivery } from '../../../src/core/queue/types.js';
import { harness, msg, settle, simBackend, text } from './helpers.js';

test('reconfigure changes limits at run time; index-shaping options are fixed', async () => {
  const h = harness();
  const q = await h.open({ maxLength: 10 });
  for (const t of ['a', 'b', 'c']) await q.publish(msg(t));
  q.reconfigure({ maxLength: 1 }); // drop-head applies at once
  assert.deepEqual((await q.receive({ max: 5 })).map(text), ['c']);
  assert.equal(q.options.maxLength, 1);
  assert.throws(() => q.reconfigure({ maxPriority: 3 }), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => q.reconfigure({ visibilityTimeoutMs: -1 }), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
  await q.close();
});

test('delete stops the queue and removes its storage', async () => {
  const h = harness();
  let destroyed = 0;
  const storage = h.backend.storage(h.time);
  const q = await h.open({}, { storage: { ...storage, destroy: async () => void destroyed++ } });
  await q.publish(msg('a'));
  const p = q.receive({ waitMs: 1000 });
  await p; // got 'a'
  const p2 = assert.rejects(q.receive({ waitMs: 1000 }), (e) => isHopperError(e, 'CLOSED'));
  await q.delete();
  await p2;
  assert.equal(destroyed, 1);
  await assert.rejects(q.publish(msg('b')), (e) => isHopperError(e, 'CLOSED'));
});

test('a failed state log write: settles are refused with STORAGE_FAILED, durable acks reject', async () => {
  const backend = simBackend(7);
  const h = harness(backend);
  const q = await h.open();
  await q.publish(msg('a'));
  await q.publish(msg('b'));
  const ds = await q.receive({ max: 2 });
  backend.fs.failNext('write', 'EIO', { path: /\/state\// });
  await assert.rejects(q.ackDurable(ds[0]!.leaseId), (e) => isHopperError(e, 'STORAGE_FAILED'));
  assert.throws(() => q.ack(ds[1]!.leaseId), (e) => isHopperError(e, 'STORAGE_FAILED'));
  q.abort();
  // After the failure, a reopen still finds both messages (the ack never became durable).
  backend.crash();
  const q2 = await h.open();
  assert.deepEqual((await q2.receive({ max: 5 })).map(text), ['a', 'b']);
  await q2.close();
});

test('a failed message log write rejects the publish with STORAGE_FAILED and delivers nothing more from the failed log', async () => {
  const backend = simBackend(8);
  const h = harness(backend);
  const q = await h.open();
  backend.fs.failNext('write', 'EIO', { path: /\/messages\// });
  await assert.rejects(q.publish(msg('a')), (e) => isHopperError(e, 'STORAGE_FAILED'));
  await settle();
  // 'a' was in the queue from its accept until the write failed; nobody took it, and its body
  // could now only come from the failed log: it is dropped, not served.
  assert.deepEqual(await q.receive(), []);
  await assert.rejects(q.publish(msg('b')), (e) => isHopperError(e, 'STORAGE_FAILED'));
  q.abort();
});

test('after a failed message log write, a purge settles the withdrawn message without waiting for the failed log', async () => {
  const backend = simBackend(8);
  const h = harness(backend);
  const q = await h.open();
  await q.publish(msg('durable'));
  backend.fs.failNext('write', 'EIO', { path: /\/messages\// });
  await assert.rejects(q.publish(msg('a')), (e) => isHopperError(e, 'STORAGE_FAILED'));
  assert.equal(await q.purge(), 2);
  assert.deepEqual(await q.receive(), []);
  q.abort();
  await backend.crash();
  const q2 = await h.open();
  assert.deepEqual((await q2.receive({ max: 5 })).map(text), [], 'the purge of the durable message was journaled');
  await q2.close();
});

test('a message delivered before its write fails: the publish rejects, its ack is never journaled, and its offset is safe to reuse', async () => {
  const backend = simBackend(9);
  const h = harness(backend);
  const q = await h.open();
  await q.publish(msg('a'));
  const got: Delivery[] = [];
  q.consume({ prefetchCount: 10 }, (d) => got.push(d));
  backend.fs.failNext('write', 'EIO', { path: /\/messages\// });
  let confirmed = false;
  const pb = q.publish(msg('b')).then(() => void (confirmed = true));
  // Delivered from memory as soon as the log accepted the append, before its write.
  for (let i = 0; i < 100 && got.length < 2; i++) await new Promise<void>((r) => setImmediate(r));
  assert.deepEqual(got.map(text), ['a', 'b']);
  assert.equal(confirmed, false, 'delivered before the publish resolved');
  const b = got[1]!;
  await assert.rejects(pb, (e) => isHopperError(e, 'STORAGE_FAILED'));
  // The settle takes effect in memory, but never reaches the journal: its message was never durable.
  await assert.rejects(q.ackDurable(b.leaseId), (e) => isHopperError(e, 'STORAGE_FAILED'));
  await q.flush().catch(() => undefined);
  q.abort();
  await backend.crash();
  // After the restart the log goes on where its durable data ends: 'c' may get b's offset, and
  // nothing journaled about 'b' applies to it.
  const q2 = await h.open();
  const c = await q2.publish(msg('c'));
  assert.equal(c.offset, b.offset, 'the offset of the never-durable message is handed out again');
  const after = (await q2.receive({ max: 10 })).map(text);
  assert.deepEqual(after, ['a', 'c']);
  await q2.close();
});
