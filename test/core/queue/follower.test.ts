/**
 * Follower queues (QueueParts.follower): a queue over a log another owns (a topic partition for
 * a Kafka share group). It takes in appends with follow(), never publishes to nor trims the
 * log, skips offsets without a record as gaps, and keeps its state (settles, delivery counts,
 * give-backs) across a restart.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMessages } from '../../../src/storage/codec/message-codec.js';
import { openQueue } from '../../../src/core/queue/open.js';
import { ManualTime } from '../../../src/core/queue/time.js';
import type { Log } from '../../../src/storage/types.js';
import { MemoryDisk } from './memory-log.js';
import { FollowedLog } from '../../../src/core/share/followed-log.js';
import { msg, text } from './helpers.js';

async function setup(disk = new MemoryDisk()) {
  const time = new ManualTime();
  const owner = disk.open('topic');
  const open = () =>
    openQueue({
      name: 'f', follower: true, clock: time, scheduler: time, options: { maxDeliveries: 3 },
      storage: { openLog: async (kind, suggested) => (kind === 'messages' ? owner : disk.open('f/state', suggested)) },
    });
  return { disk, time, owner, open };
}

async function append(log: Log, ...values: string[]): Promise<void> {
  await log.append(encodeMessages(values.map((v) => msg(v))));
}

test('a follower queue delivers what its owner appends, once follow() is told, and refuses publishes', async () => {
  const { owner, open } = await setup();
  await append(owner, 'a', 'b');
  const q = await open();
  // Recovery found the records already there.
  assert.deepEqual((await q.receive({ max: 10 })).map(text), ['a', 'b']);
  await append(owner, 'c');
  assert.deepEqual(await q.receive({ max: 10 }), []);
  q.follow(owner.nextOffset);
  const got = await q.receive({ max: 10 });
  assert.deepEqual(got.map((d) => [text(d), d.offset, d.deliveryCount]), [['c', 2, 1]]);
  await assert.rejects(q.publish(msg('x')), /follows a log/);
  await q.close();
});

test('a follower never trims its log, and its state (settles, counts, give-backs) survives a restart', async () => {
  const { owner, open } = await setup();
  await append(owner, 'a', 'b', 'c', 'd');
  let q = await open();
  const ds = await q.receive({ max: 4, visibilityTimeoutMs: Infinity });
  q.ack(ds[0]!.leaseId);
  q.nack(ds[1]!.leaseId, true); // released: delivery count stays 1
  q.giveBack(ds[2]!.leaseId); // given back unseen: delivery count back to 0
  await q.flush();
  await q.checkpoint();
  assert.equal(owner.logStartOffset, 0, 'the owner trims its log, never the follower');
  q.abort();
  q = await open();
  const again = await q.receive({ max: 10 });
  assert.deepEqual(again.map((d) => [text(d), d.deliveryCount]), [['b', 2], ['c', 1], ['d', 2]]);
  assert.equal(q.settledFloor, 1);
  await q.close();
});

test('records the owner deleted (retention) are skipped as gaps, not reported as damage', async () => {
  const disk = new MemoryDisk();
  const time = new ManualTime();
  const owner = disk.open('topic');
  await append(owner, ...Array.from({ length: 5000 }, (_, i) => `r${i}`), 'c');
  // The share partition's view of the log (core/share/followed-log.ts): reads below the log start are empty.
  const view = new FollowedLog(owner, 0, false);
  let reads = 0;
  const read = view.read.bind(view);
  view.read = (...args) => (reads++, read(...args));
  const q = await openQueue({
    name: 'f', follower: true, clock: time, scheduler: time,
    storage: { openLog: async (kind, suggested) => (kind === 'messages' ? view : disk.open('f/state', suggested)) },
  });
  await owner.deleteRecordsBefore(5000);
  const got = await q.receive({ max: 10 });
  assert.deepEqual(got.map(text), ['c']);
  assert.equal(q.settledFloor, 5000);
  assert.ok(reads <= 3, `a gap costs a read, not one per offset (${reads} reads)`);
  assert.deepEqual(q.damage(), []);
  await q.close();
});

test('reopening a follower takes the log tail appended since its checkpoint without reading it', async () => {
  const disk = new MemoryDisk();
  const time = new ManualTime();
  const owner = disk.open('topic');
  const view = new FollowedLog(owner, 0, false);
  let reads = 0;
  const read = view.read.bind(view);
  view.read = (...args) => (reads++, read(...args));
  const open = () => openQueue({
    name: 'f', follower: true, clock: time, scheduler: time,
    storage: { openLog: async (kind, suggested) => (kind === 'messages' ? view : disk.open('f/state', suggested)) },
  });
  let q = await open();
  await q.close();
  await append(owner, ...Array.from({ length: 1000 }, (_, i) => `r${i}`));
  reads = 0;
  q = await open();
  assert.equal(reads, 0);
  assert.equal(q.stats().ready, 1000);
  const got = await q.receive({ max: 2 });
  assert.deepEqual(got.map(text), ['r0', 'r1']);
  await q.close();
});
