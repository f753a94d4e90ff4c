/**
 * Batches far larger than any read budget (up to the 16 MiB message limit) are served whole by
 * every reader of a log: reads with a budget smaller than the batch, timestamp lookups,
 * recovery after a reopen (with the indexes rebuilt, and with a torn tail inside a large
 * batch), and compaction.
 */
import assert from 'node:assert/strict';
import { truncate, unlink, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeBatch } from '../../../src/storage/codec/record-batch.js';
import { diskFixture, readAll, TestClock } from './helpers.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const SIZES = [0, 1, 100 * KiB, 768 * KiB, MiB, 4 * MiB, 16 * MiB];
const CFG = { segmentMaxBytes: 2 * MiB, segmentMaxAgeMs: -1, maxBatchBytes: 16 * MiB + 64 * KiB };

function value(size: number, seed: number): string {
  // Latin-1 letters, one byte per character: the value's bytes depend on size and seed.
  return String.fromCharCode(97 + (seed % 26)).repeat(size);
}

function big(key: string, size: number, seed: number, ts: number): Buffer {
  return encodeBatch([{ key: Buffer.from(key), value: Buffer.from(value(size, seed), 'latin1'), timestamp: ts }]);
}

test('large batches are read whole with any budget, found by timestamp, and survive reopening with rebuilt indexes', async () => {
  const fx = diskFixture('never')();
  try {
    let log = await fx.open(CFG, new TestClock());
    for (const [i, size] of SIZES.entries()) {
      await log.append(big(`k${i}`, size, i, 10_000 + i));
      await log.append(big(`small${i}`, 10, i, 10_000 + i));
    }
    const check = async (maxBytes: number): Promise<void> => {
      const got = await readAll(log, maxBytes);
      assert.equal(got.length, SIZES.length * 2, `every record with reads of ${maxBytes} bytes`);
      SIZES.forEach((size, i) => {
        assert.equal(got[2 * i]!.offset, 2 * i);
        assert.equal(got[2 * i]!.value!.length, size, `the ${size}-byte record whole (reads of ${maxBytes} bytes)`);
        assert.equal(got[2 * i]!.value, value(size, i));
      });
    };
    await check(1);
    await check(64 * KiB);
    assert.equal(await log.offsetForTimestamp(10_000 + SIZES.length - 1), 2 * (SIZES.length - 1), 'the 16 MiB record found by its timestamp');
    await log.close();

    // Without index files: recovery rebuilds them by walking every batch, large ones included.
    for (const f of await readdir(fx.dir)) if (f.endsWith('.index') || f.endsWith('.timeindex')) await unlink(join(fx.dir, f));
    log = await fx.open(CFG, new TestClock());
    assert.equal(log.recovery.truncatedBytes, 0);
    assert.equal(log.nextOffset, SIZES.length * 2);
    await check(1);
    await log.close();
  } finally {
    await fx.cleanup();
  }
});

test('a torn tail inside a 16 MiB batch is cut at that batch; everything before it is served', async () => {
  const fx = diskFixture('never')();
  try {
    let log = await fx.open(CFG, new TestClock());
    await log.append(big('a', 4 * MiB, 1, 1));
    await log.append(big('b', 16 * MiB, 2, 2));
    await log.close();
    const files = (await readdir(fx.dir)).filter((f) => f.endsWith('.log')).sort();
    const last = join(fx.dir, files[files.length - 1]!);
    await truncate(last, 9 * MiB); // half of the 16 MiB batch, which has a segment to itself
    log = await fx.open(CFG, new TestClock());
    assert.ok(log.recovery.truncatedBytes >= 9 * MiB - 100, 'the torn batch is cut');
    assert.deepEqual(log.lost, { from: 1, to: 2 }, 'its offset is not handed out again');
    assert.equal(log.nextOffset, 2);
    const got = await readAll(log, 1);
    assert.deepEqual(got.map((g) => [g.offset, g.value!.length]), [[0, 4 * MiB]]);
    await log.close();
  } finally {
    await fx.cleanup();
  }
});

test('compaction keeps and drops large records by key, byte for byte', async () => {
  const fx = diskFixture('never')();
  try {
    const log = await fx.open({ ...CFG, cleanupPolicy: 'compact', deleteRetentionMs: 0 }, new TestClock());
    await log.append(big('x', 4 * MiB, 1, 1));
    await log.append(big('y', 16 * MiB, 2, 2));
    await log.append(big('x', MiB, 3, 3)); // supersedes the first
    await log.append(big('z', 10, 4, 4)); // rolls: the segments before are sealed
    const r = await log.compact();
    assert.equal(r.recordsRemoved, 1);
    const got = await readAll(log, 1);
    assert.deepEqual(
      got.map((g) => [g.offset, g.key, g.value!.length, g.value === value(g.value!.length, g.offset === 1 ? 2 : g.offset === 2 ? 3 : 4)]),
      [
        [1, 'y', 16 * MiB, true],
        [2, 'x', MiB, true],
        [3, 'z', 10, true],
      ],
    );
    await log.close();
  } finally {
    await fx.cleanup();
  }
});
