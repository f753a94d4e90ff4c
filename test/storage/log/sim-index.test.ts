/**
 * Damaged or missing .index / .timeindex files are detected on open and rebuilt from the .log;
 * reads and timestamp lookups then answer exactly as before the damage.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimFs } from '../../../src/storage/fs/sim.js';
import type { SegmentLog } from '../../../src/storage/log/index.js';
import { OffsetIndexEntry, TimeIndexEntry } from '../../../src/storage/log/layout.js';
import { batch, type Got, readAll, records, simFixtureOn } from './helpers.js';

const CFG = { segmentMaxBytes: 1500, indexIntervalBytes: 150, segmentMaxAgeMs: -1 };

interface Answers {
  all: Got[];
  perOffset: number[][];
  byTime: (number | null)[];
}

async function answers(log: SegmentLog): Promise<Answers> {
  const perOffset: number[][] = [];
  for (let off = 0; off < log.nextOffset; off++) perOffset.push(records((await log.read(off, 400)).bytes).map((g) => g.offset));
  const byTime: (number | null)[] = [];
  for (let t = 0; t <= 70; t += 3) byTime.push(await log.offsetForTimestamp(100_000 + t * 1000 - 1));
  return { all: await readAll(log), perOffset, byTime };
}

/** A closed log of several segments: batch i has 1-3 records, timestamps rising with jitter. */
async function build(): Promise<{ sim: SimFs; bases: number[]; baseline: Answers }> {
  const sim = new SimFs({ seed: 21 });
  const log = await simFixtureOn(sim).open(CFG);
  for (let i = 0; i < 40; i++) {
    const ts = 100_000 + i * 1000 + ((i * 7919) % 1500); // not monotonic between neighbours
    await log.append(batch(Array.from({ length: 1 + (i % 3) }, (_, j) => ({ key: `k${i}`, value: `v${i}.${j}`.padEnd(30, '-'), ts: ts + j }))));
  }
  const bases = log.segments.map((s) => s.base);
  const baseline = await answers(log);
  await log.close();
  assert.ok(bases.length >= 4, `${bases.length} segments`);
  return { sim, bases, baseline };
}

const path = (base: number, ext: string): string => `/data/log/${String(base).padStart(20, '0')}.${ext}`;

async function reopenAndCompare(sim: SimFs, baseline: Answers, minRebuilt: number): Promise<SegmentLog> {
  const log = await simFixtureOn(sim).open(CFG);
  assert.ok(log.recovery.rebuiltIndexes >= minRebuilt, `rebuilt ${log.recovery.rebuiltIndexes} indexes`);
  assert.deepEqual(await answers(log), baseline);
  return log;
}

describe('sim: index recovery', () => {
  it('rebuilds a missing offset index and a missing time index', async () => {
    const { sim, bases, baseline } = await build();
    sim.removeFile(path(bases[0]!, 'index'));
    sim.removeFile(path(bases[1]!, 'timeindex'));
    const log = await reopenAndCompare(sim, baseline, 2);
    await log.close();
    assert.ok(sim.list('/data/log').includes(`${String(bases[0]).padStart(20, '0')}.index`), 'rebuilt file written back');
    const third = await simFixtureOn(sim).open(CFG);
    assert.equal(third.recovery.rebuiltIndexes, 0, 'no rebuild the next time');
    await third.close();
  });

  it('rebuilds index files with a bad size, bad order, or a last entry that points at the wrong bytes', async () => {
    const { sim, bases, baseline } = await build();
    const idx0 = sim.fileBytes(path(bases[0]!, 'index'));
    sim.putFile(path(bases[0]!, 'index'), idx0.subarray(0, idx0.length - 3)); // size not a multiple of 8
    const idx1 = Buffer.from(sim.fileBytes(path(bases[1]!, 'index')));
    assert.ok(idx1.length >= 2 * OffsetIndexEntry.bytes);
    idx1.copy(idx1, 0, OffsetIndexEntry.bytes, 2 * OffsetIndexEntry.bytes); // first entry = second: not rising
    sim.putFile(path(bases[1]!, 'index'), idx1);
    const idx2 = Buffer.from(sim.fileBytes(path(bases[2]!, 'index')));
    const lastPos = idx2.length - OffsetIndexEntry.bytes + OffsetIndexEntry.position;
    idx2.writeUInt32BE(idx2.readUInt32BE(lastPos) + 5, lastPos); // points into the middle of a batch
    sim.putFile(path(bases[2]!, 'index'), idx2);
    const t3 = Buffer.from(sim.fileBytes(path(bases[3]!, 'timeindex')));
    sim.putFile(path(bases[3]!, 'timeindex'), Buffer.concat([t3, t3.subarray(0, TimeIndexEntry.bytes)])); // timestamps fall
    const log = await reopenAndCompare(sim, baseline, 4);
    await log.close();
  });

  it('rebuilds when every index file is gone, and when the active segment lost its tail under a stale index', async () => {
    const { sim, bases, baseline } = await build();
    for (const name of sim.list('/data/log')) if (/index$/.test(name)) sim.removeFile(`/data/log/${name}`);
    const log = await reopenAndCompare(sim, baseline, bases.length);
    await log.close();
    // The active segment's index (written at close) now covers bytes that a torn tail removes.
    const active = path(bases.at(-1)!, 'log');
    const size = sim.fileBytes(active).length;
    sim.tearTail(active, Math.floor(size / 2));
    const again = await simFixtureOn(sim).open(CFG);
    assert.ok(again.recovery.truncatedBytes > 0);
    const got = await readAll(again);
    const dataEnd = got.length;
    assert.deepEqual(got, baseline.all.slice(0, dataEnd));
    for (let off = 0; off < dataEnd; off++) {
      assert.deepEqual(records((await again.read(off, 400)).bytes).map((g) => g.offset), baseline.perOffset[off]!.filter((o) => o < dataEnd));
    }
    // The clean close recorded the end: offsets lost with the tail are not handed out again.
    assert.deepEqual(again.lost, { from: dataEnd, to: baseline.all.length });
    assert.equal((await again.append(batch([{ key: 'x', value: 'y' }]))).baseOffset, baseline.all.length);
    await again.close();
  });

  it('an index file with garbage that parses is never trusted past the log it describes', async () => {
    const { sim, bases, baseline } = await build();
    const bogus = Buffer.alloc(3 * OffsetIndexEntry.bytes);
    for (let i = 0; i < 3; i++) {
      bogus.writeUInt32BE(1000 + i, i * OffsetIndexEntry.bytes + OffsetIndexEntry.relativeOffset); // offsets past the segment
      bogus.writeUInt32BE(100 + i, i * OffsetIndexEntry.bytes + OffsetIndexEntry.position);
    }
    sim.putFile(path(bases[1]!, 'index'), bogus);
    sim.putFile(path(bases.at(-1)!, 'index'), bogus); // the active segment's too: its tail scan drops them
    const log = await reopenAndCompare(sim, baseline, 1);
    await log.close();
  });
});
