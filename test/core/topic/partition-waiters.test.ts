/** PartitionWaiters: one wake per wait, cancel everywhere, nothing left behind. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartitionWaiters } from '../../../src/core/topic/partition-waiters.js';

const a = PartitionWaiters.key('t', 0);
const b = PartitionWaiters.key('t', 1);

test('a waiter on several partitions is woken once, by the first notify, and leaves every set', () => {
  const w = new PartitionWaiters();
  let woken = 0;
  w.wait([a, b], () => woken++);
  assert.equal(w.waiting(a), 1);
  assert.equal(w.waiting(b), 1);
  w.notify(b);
  w.notify(a);
  assert.equal(woken, 1);
  assert.equal(w.waiting(a), 0);
  assert.equal(w.waiting(b), 0);
});

test('cancel removes the waiter; a notify of an unwaited key does nothing', () => {
  const w = new PartitionWaiters();
  let woken = 0;
  const cancel = w.wait([a, b], () => woken++);
  cancel();
  w.notify(a);
  w.notify(PartitionWaiters.key('other', 0));
  assert.equal(woken, 0);
  assert.equal(w.waiting(a) + w.waiting(b), 0);
});

test('a reader that waits again while being woken is not woken twice by the same notify', () => {
  const w = new PartitionWaiters();
  let woken = 0;
  const wake = (): void => {
    woken++;
    w.wait([a], wake);
  };
  w.wait([a], wake);
  w.wait([a], () => woken++);
  w.notify(a);
  assert.equal(woken, 2);
  assert.equal(w.waiting(a), 1, 'the re-registered reader waits for the next append');
  w.notify(a);
  assert.equal(woken, 3);
});
