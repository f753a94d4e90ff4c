/**
 * The storage contract suite: one set of behaviours every store and fsync policy must show.
 * contract.test.ts runs it over disk (always, interval:20, never) and the simulated store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchField, forEachBatch } from '../../../src/storage/codec/record-batch.js';
import { type SegmentLog } from '../../../src/storage/log/index.js';
import { parseSegmentFileName } from '../../../src/storage/log/layout.js';
import { CRC_CHECKED } from '../../../src/storage/types.js';
import { batch, type FixtureFactory, type LogFixture, readAll, records, rejectsWithCode, TestClock } from './helpers.js';

async function withLog(factory: FixtureFactory, fn: (fx: LogFixture) => Promise<void>): Promise<void> {
  const fx = factory();
  try {
    await fn(fx);
  } finally {
    await fx.cleanup();
  }
}

async function segmentFiles(fx: LogFixture): Promise<number[]> {
  return (await fx.fs.readdir(fx.dir))
    .map(parseSegmentFileName)
    .filter((p) => p !== null && p.kind === 'log' && p.suffix === '')
    .map((p) => p!.base)
    .sort((a, b) => a - b);
}

/** n single-record batches of about `size` bytes each, keys k0.., timestamps from ts0 step 1000. */
async function fill(log: SegmentLog, n: number, opts: { size?: number; ts0?: number; key?: (i: number) => string } = {}): Promise<void> {
  for (let i = 0; i < n; i++) {
    await log.append(batch([{ key: opts.key ? opts.key(i) : `k${i}`, value: 'v'.repeat(opts.size ?? 100) + i, ts: (opts.ts0 ?? 1_000) + i * 1000 }]));
  }
}

export function logContract(name: string, factory: FixtureFactory): void {
  describe(`log contract: ${name}`, () => {
    it('round-trips records, headers and timestamps; offsets are contiguous', () =>
      withLog(factory, async (fx) => {
        const log = await fx.open();
        const a = await log.append(batch([{ key: 'a', value: 'one', ts: 5 }]));
        const b = await log.append(batch([{ key: 'b', value: 'two', ts: 6 }, { key: null, value: null, ts: 7, headers: [{ key: 'h', value: 'x' }] }, { key: 'c', value: '', ts: 8 }]));
        const c = await log.append(batch([{ key: 'd', value: 'four', ts: 9 }]));
        assert.deepEqual([a, b, c], [
          { baseOffset: 0, lastOffset: 0 },
          { baseOffset: 1, lastOffset: 3 },
          { baseOffset: 4, lastOffset: 4 },
        ]);
        assert.equal(log.nextOffset, 5);
        const got = records((await log.read(0, 1 << 20)).bytes);
        assert.deepEqual(
          got.map((g) => [g.offset, g.key, g.value, g.ts]),
          [
            [0, 'a', 'one', 5],
            [1, 'b', 'two', 6],
            [2, null, null, 7],
            [3, 'c', '', 8],
            [4, 'd', 'four', 9],
          ],
        );
        assert.deepEqual(got[2]!.headers, [{ key: 'h', value: 'x' }]);
        await log.close();
      }));

    it('reads from any offset inside a batch, whole batches, at least one', () =>
      withLog(factory, async (fx) => {
        const log = await fx.open({ indexIntervalBytes: 200 });
        const bases: number[] = [];
        for (let i = 0; i < 40; i++) {
          const n = 1 + (i % 4);
          const r = await log.append(batch(Array.from({ length: n }, (_, j) => ({ key: `k${i}`, value: `v${i}.${j}`.padEnd(30 + i, '.') }))));
          bases.push(r.baseOffset);
        }
        for (let off = 0; off < log.nextOffset; off++) {
          const r = await log.read(off, 1); // tiny maxBytes: still one whole batch
          let first = -1;
          let count = 0;
          forEachBatch(r.bytes, (h) => {
            if (first < 0) first = h.baseOffset;
            count++;
            assert.ok(h.baseOffset <= off || count > 1);
            if (count === 1) assert.ok(h.baseOffset + h.lastOffsetDelta >= off, `batch ${h.baseOffset} contains ${off}`);
          });
          assert.equal(count, 1);
          assert.equal(first, bases.filter((b) => b <= off).pop());
        }
        const end = await log.read(log.nextOffset, 1000);
        assert.equal(end.bytes.length, 0);
        assert.equal(end.nextOffset, log.nextOffset);
        await rejectsWithCode(log.read(log.nextOffset + 1, 100), 'OFFSET_OUT_OF_RANGE');
        await rejectsWithCode(log.read(-1, 100), 'OFFSET_OUT_OF_RANGE');
        // A big maxBytes returns many whole batches.
        const many = await log.read(0, 1 << 20);
        assert.equal(records(many.bytes).length, log.nextOffset);
        await log.close();
      }));

    it('finds offsets by timestamp across segments', () =>
      withLog(factory, async (fx) => {
        const log = await fx.open({ segmentMaxBytes: 600, indexIntervalBytes: 150 });
        await fill(log, 30, { ts0: 10_000 }); // record i has timestamp 10000 + 1000 i
        assert.ok(log.segments.length > 3);
        assert.equal(await log.offsetForTimestamp(0), 0);
        assert.equal(await log.offsetForTimestamp(10_000), 0);
        assert.equal(await log.offsetForTimestamp(10_001), 1);
        assert.equal(await log.offsetForTimestamp(25_000), 15);
        assert.equal(await log.offsetForTimestamp(24_999), 15);
        assert.equal(await log.offsetForTimestamp(39_000), 29);
        assert.equal(await log.offsetForTimestamp(39_001), null);
        await log.close();
        const again = await fx.open({ segmentMaxBytes: 600, indexIntervalBytes: 150 });
        assert.equal(await again.offsetForTimestamp(25_000), 15);
        assert.equal(await again.offsetForTimestamp(39_001), null);
        await again.close();
      }));

    it('rolls by size', () =>
      withLog(factory, async (fx) => {
        const log = await fx.open({ segmentMaxBytes: 1000 });
        await fill(log, 20); // ~170 B each
        assert.deepEqual(await segmentFiles(fx), log.segments.map((s) => s.base));
        assert.ok(log.segments.length >= 4, `${log.segments.length} segments`);
        for (const s of log.segments) assert.ok(s.size <= 1000 && s.size > 0);
        assert.equal((await readAll(log)).length, 20);
        await log.close();
      }));

    it('rolls by age', () =>
      withLog(factory, async (fx) => {
        const clock = new TestClock();
        const log = await fx.open({ segmentMaxAgeMs: 60_000 }, clock);
        await fill(log, 3);
        clock.advance(59_999);
        await fill(log, 1);
        assert.equal(log.segments.length, 1, 'not old enough yet');
        clock.advance(1);
        await log.append(batch([{ key: 'late', value: 'x' }]));
        assert.deepEqual(log.segments.map((s) => s.base), [0, 4]);
        clock.advance(30_000);
        await fill(log, 2);
        assert.equal(log.segments.length, 2, 'the new segment ages from its own first batch');
        assert.deepEqual(await segmentFiles(fx), [0, 4]);
        assert.equal((await readAll(log)).length, 7);
        await log.close();
      }));

    it('retention by time deletes old whole segments; the active one only once its newest record is old too', () =>
      withLog(factory, async (fx) => {
        const clock = new TestClock(100_000);
        const log = await fx.open({ segmentMaxBytes: 600, retentionMs: 10_000 }, clock);
        await fill(log, 12, { ts0: 100_000 }); // timestamps 100000..111000
        const segs = log.segments.map((s) => s.base);
        assert.ok(segs.length >= 3);
        // The active segment's newest record (111000) is 10 s old only after 121000.
        clock.ms = 121_000;
        await log.enforceRetention();
        assert.deepEqual(log.segments.map((s) => s.base), [segs.at(-1)], 'every sealed segment went, the active one stays');
        assert.equal(log.logStartOffset, segs.at(-1));
        assert.deepEqual(await segmentFiles(fx), [segs.at(-1)]);
        await rejectsWithCode(log.read(0, 100), 'OFFSET_OUT_OF_RANGE');
        assert.equal((await readAll(log)).length, log.nextOffset - log.logStartOffset);
        // Once it is old too, it is sealed and deleted (as Kafka does): the log is empty at its end.
        clock.ms = 121_001;
        await log.enforceRetention();
        assert.deepEqual(log.segments.map((s) => s.base), [12]);
        assert.equal(log.logStartOffset, 12);
        assert.equal(log.nextOffset, 12);
        assert.deepEqual(await segmentFiles(fx), [12]);
        assert.deepEqual(await readAll(log), []);
        assert.equal((await log.append(batch([{ key: 'k', value: 'after', ts: 121_001 }]))).baseOffset, 12);
        await log.close();
        const again = await fx.open({ segmentMaxBytes: 600 }, clock);
        assert.equal(again.logStartOffset, 12);
        assert.equal(again.nextOffset, 13);
        assert.deepEqual((await readAll(again)).map((g) => g.value), ['after']);
        await again.close();
      }));

    it('retention by bytes keeps the newest segments within the limit', () =>
      withLog(factory, async (fx) => {
        const log = await fx.open({ segmentMaxBytes: 600, retentionBytes: 1500 });
        await fill(log, 30);
        const total = log.sizeBytes;
        await log.enforceRetention();
        assert.ok(log.sizeBytes >= 1500 && log.sizeBytes < total);
        assert.ok(log.sizeBytes - log.segments[0]!.size < 1500, 'deleted no more than needed');
        assert.equal(log.segments[0]!.base, log.logStartOffset);
        const got = await readAll(log);
        assert.equal(got[0]!.offset, log.logStartOffset);
        assert.equal(got.at(-1)!.offset, 29);
        await log.close();
      }));

    it('compaction keeps the latest record per key, preserves offsets, drops expired tombstones', () =>
      withLog(factory, async (fx) => {
        const clock = new TestClock(1_000_000);
        const cfg = { segmentMaxBytes: 400, cleanupPolicy: 'compact' as const, deleteRetentionMs: 50_000 };
        const log = await fx.open(cfg, clock);
        const keys = ['a', 'b', 'c', 'a', 'b', 'a', 'd', 'c', 'e', 'a'];
        const expected = new Map<string, number>();
        for (const [i, k] of keys.entries()) {
          await log.append(batch([{ key: k, value: `${k}${i}`, ts: 1_000_000 }]));
          expected.set(k, i);
        }
        // A tombstone for d, a keyless record, then a batch mixing kept and superseded records.
        await log.append(batch([{ key: 'd', value: null, ts: 1_000_000 }])); // 10
        await log.append(batch([{ key: null, value: 'nokey', ts: 1_000_000 }])); // 11
        await log.append(batch([{ key: 'x', value: 'x1' }, { key: 'y', value: 'y1' }, { key: 'x', value: 'x2' }, { key: 'z', value: 'z1' }])); // 12..15
        for (let i = 0; i < 6; i++) await log.append(batch([{ key: 'pad', value: 'p'.repeat(150) + i, ts: 1_000_000 }]));
        const next = log.nextOffset;
        await log.enforceRetention();
        const got = await readAll(log);
        const offsets = got.map((g) => g.offset);
        assert.deepEqual([...offsets].sort((a, b) => a - b), offsets, 'offsets stay ordered');
        const byKey = new Map(got.filter((g) => g.key !== null).map((g) => [g.key!, g]));
        for (const [k, i] of expected) if (k !== 'd') assert.equal(byKey.get(k)!.value, `${k}${i}`);
        for (const k of ['a', 'b', 'c', 'e']) assert.equal(got.filter((g) => g.key === k).length, 1, `one ${k}`);
        assert.equal(byKey.get('a')!.offset, 9);
        assert.deepEqual(got.filter((g) => g.key === 'd').map((g) => [g.offset, g.value]), [[10, null]], 'tombstone kept before its horizon');
        assert.ok(got.some((g) => g.key === null && g.value === 'nokey' && g.offset === 11));
        assert.deepEqual(got.filter((g) => g.offset >= 12 && g.offset <= 15).map((g) => [g.offset, g.key]), [[13, 'y'], [14, 'x'], [15, 'z']]);
        assert.equal(log.nextOffset, next);
        clock.advance(60_000);
        await log.enforceRetention();
        const after = await readAll(log);
        assert.equal(after.filter((g) => g.key === 'd').length, 0, 'tombstone removed after its horizon');
        await log.close();
        const again = await fx.open(cfg, clock);
        assert.deepEqual(await readAll(again), after);
        const r = await again.append(batch([{ key: 'a', value: 'again' }]));
        assert.equal(r.baseOffset, next);
        await again.close();
      }));

    it('deleteRecordsBefore survives reopen', () =>
      withLog(factory, async (fx) => {
        const log = await fx.open({ segmentMaxBytes: 600 });
        await fill(log, 20);
        await log.deleteRecordsBefore(7);
        assert.equal(log.logStartOffset, 7);
        await rejectsWithCode(log.read(6, 100), 'OFFSET_OUT_OF_RANGE');
        assert.equal((await readAll(log))[0]!.offset, 7);
        assert.ok(log.segments[0]!.base <= 7 && log.segments[1]!.base > 7, 'whole segments below 7 deleted');
        await rejectsWithCode(log.deleteRecordsBefore(21), 'OFFSET_OUT_OF_RANGE');
        await log.close();
        const again = await fx.open({ segmentMaxBytes: 600 });
        assert.equal(again.logStartOffset, 7);
        assert.equal((await readAll(again))[0]!.offset, 7);
        await again.deleteRecordsBefore(20); // everything
        assert.equal(again.logStartOffset, 20);
        assert.equal((await again.read(20, 100)).bytes.length, 0);
        await again.close();
        const third = await fx.open({ segmentMaxBytes: 600 });
        assert.equal(third.logStartOffset, 20);
        assert.equal((await third.append(batch([{ key: 'n', value: 'n' }]))).baseOffset, 20);
        assert.deepEqual((await readAll(third)).map((g) => g.offset), [20]);
        await third.close();
      }));

    it('reopen recovers everything and continues at nextOffset', () =>
      withLog(factory, async (fx) => {
        const log = await fx.open({ segmentMaxBytes: 2000, indexIntervalBytes: 300 });
        await fill(log, 50);
        const before = await readAll(log);
        await log.close();
        const again = await fx.open({ segmentMaxBytes: 2000, indexIntervalBytes: 300 });
        assert.equal(again.recovery.truncatedBytes, 0);
        assert.equal(again.recovery.rebuiltIndexes, 0);
        assert.equal(again.nextOffset, 50);
        assert.deepEqual(await readAll(again), before);
        assert.equal((await again.append(batch([{ key: 'z', value: 'z' }]))).baseOffset, 50);
        for (let off = 0; off <= 50; off++) assert.ok(records((await again.read(off, 1)).bytes).some((g) => g.offset === off));
        await again.close();
      }));

    it('rejects oversize and corrupt batches with the right codes', () =>
      withLog(factory, async (fx) => {
        const log = await fx.open({ maxBatchBytes: 500 });
        await rejectsWithCode(log.append(batch([{ key: 'big', value: 'x'.repeat(600) }])), 'MESSAGE_TOO_LARGE');
        const good = batch([{ key: 'k', value: 'v' }]);
        const flipped = Buffer.from(good);
        flipped[flipped.length - 2]! ^= 0x01;
        await rejectsWithCode(log.append(flipped), 'CORRUPT_MESSAGE');
        await rejectsWithCode(log.append(good.subarray(0, good.length - 3)), 'CORRUPT_MESSAGE');
        await rejectsWithCode(log.append(Buffer.concat([good, good])), 'CORRUPT_MESSAGE');
        const badMagic = Buffer.from(good);
        badMagic[BatchField.magic] = 1;
        await rejectsWithCode(log.append(badMagic), 'CORRUPT_MESSAGE');
        await rejectsWithCode(log.append(Buffer.alloc(10)), 'CORRUPT_MESSAGE');
        // CRC_CHECKED skips only the CRC: lengths and magic are still checked.
        await rejectsWithCode(log.append(badMagic, CRC_CHECKED), 'CORRUPT_MESSAGE');
        await rejectsWithCode(log.append(good.subarray(0, good.length - 3), CRC_CHECKED), 'CORRUPT_MESSAGE');
        assert.equal(log.nextOffset, 0);
        assert.equal(log.failure, null);
        assert.deepEqual(await log.append(good), { baseOffset: 0, lastOffset: 0 });
        await log.close();
        await rejectsWithCode(log.append(good), 'CLOSED');
      }));

    it('concurrent appends get distinct contiguous offsets in call order', () =>
      withLog(factory, async (fx) => {
        const log = await fx.open({ segmentMaxBytes: 20_000, indexIntervalBytes: 1000 });
        const sizes = Array.from({ length: 300 }, (_, i) => 1 + (i % 3));
        const results = await Promise.all(
          sizes.map((n, i) => log.append(batch(Array.from({ length: n }, (_, j) => ({ key: `p${i}`, value: `${i}:${j}` }))))),
        );
        let expect = 0;
        for (const [i, r] of results.entries()) {
          assert.equal(r.baseOffset, expect);
          assert.equal(r.lastOffset, expect + sizes[i]! - 1);
          expect = r.lastOffset + 1;
        }
        assert.equal(log.nextOffset, expect);
        const got = await readAll(log);
        assert.equal(got.length, expect);
        for (const [i, r] of results.entries()) assert.equal(got[r.baseOffset]!.value, `${i}:0`);
        assert.ok(log.segments.length > 1);
        await log.flush();
        await log.close();
      }));

    it('reads racing retention, compaction and appends never fail or serve bad bytes', () =>
      withLog(factory, async (fx) => {
        const log = await fx.open({ segmentMaxBytes: 800, cleanupPolicy: 'compact,delete', retentionBytes: 3000, deleteRetentionMs: 0 });
        await fill(log, 40, { key: (i) => `k${i % 6}` });
        const reads: Promise<void>[] = [];
        const appends: Promise<unknown>[] = [];
        for (let round = 0; round < 5; round++) {
          for (let off = log.logStartOffset; off < log.nextOffset; off += 3) {
            reads.push(
              log.read(off, 500).then(
                (r) => void records(r.bytes), // decodes with CRC checks
                (err: { code?: string }) => assert.equal(err.code, 'OFFSET_OUT_OF_RANGE'), // deleted meanwhile
              ),
            );
          }
          for (let i = 0; i < 5; i++) appends.push(log.append(batch([{ key: `k${i}`, value: `r${round}.${i}`.padEnd(80, '.') }])));
          reads.push(log.enforceRetention());
        }
        await Promise.all([...reads, ...appends]);
        const got = await readAll(log);
        assert.equal(got.at(-1)!.offset, log.nextOffset - 1);
        assert.ok(log.logStartOffset > 0);
        for (let i = 1; i < got.length; i++) assert.ok(got[i]!.offset > got[i - 1]!.offset);
        await log.close();
      }));

    it('reconfigure changes rolling and retention at run time', () =>
      withLog(factory, async (fx) => {
        const log = await fx.open();
        await fill(log, 5);
        assert.equal(log.segments.length, 1);
        log.reconfigure({ segmentMaxBytes: 300, retentionBytes: 400 });
        await fill(log, 6);
        assert.ok(log.segments.length > 2);
        await log.enforceRetention();
        assert.ok(log.logStartOffset > 0);
        assert.throws(() => log.reconfigure({ segmentMaxBytes: -5 }), { code: 'INVALID_ARGUMENT' });
        log.reconfigure({ fsync: { kind: 'interval', intervalMs: 5 } });
        await fill(log, 2);
        await log.flush();
        await log.close();
      }));
  });
}
