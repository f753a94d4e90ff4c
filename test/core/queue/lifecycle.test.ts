import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHopperError } from '../../../src/core/errors.js';
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

test('a failed message log write rejects the publish with STORAGE_FAILED and delivers nothing', async () => {
  const backend = simBackend(8);
  const h = harness(backend);
  const q = await h.open();
  backend.fs.failNext('write', 'EIO', { path: /\/messages\// });
  await assert.rejects(q.publish(msg('a')), (e) => isHopperError(e, 'STORAGE_FAILED'));
  await settle();
  assert.deepEqual(await q.receive(), []);
  q.abort();
});
