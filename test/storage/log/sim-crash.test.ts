/**
 * Crash behaviour on the simulated store: what was acknowledged survives power loss, torn and
 * flipped tails are cut at the last valid batch, and offsets are never handed out twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchField, forEachBatch } from '../../../src/storage/codec/record-batch.js';
import { SimFs } from '../../../src/storage/fs/sim.js';
import { SeededRandom } from '../../../src/storage/fs/sim-faults.js';
import type { SegmentLog } from '../../../src/storage/log/index.js';
import { batch, readAll, records, simFixtureOn, ticks } from './helpers.js';

interface Acked {
  offset: number;
  value: string;
}

/** Producers appending until the log fails; returns what was acknowledged. */
function produce(log: SegmentLog, producers: number, acked: Acked[]): Promise<void> {
  let seq = 0;
  const one = async (p: number): Promise<void> => {
    for (;;) {
      const value = `p${p}-${seq++}`.padEnd(20 + (seq % 50), '*');
      try {
        const r = await log.append(batch([{ key: `p${p}`, value }]));
        acked.push({ offset: r.baseOffset, value });
      } catch {
        return; // the crash failed the old log; nothing more is acknowledged
      }
    }
  };
  return Promise.all(Array.from({ length: producers }, (_, p) => one(p))).then(() => undefined);
}

async function checkRecovered(log: SegmentLog, acked: Acked[]): Promise<void> {
  const got = await readAll(log);
  got.forEach((g, i) => assert.equal(g.offset, i, 'offsets contiguous from 0'));
  for (const a of acked) assert.equal(got[a.offset]?.value, a.value, `acknowledged offset ${a.offset} survived`);
  const maxAcked = acked.reduce((m, a) => Math.max(m, a.offset), -1);
  assert.ok(log.nextOffset > maxAcked);
  const r = await log.append(batch([{ key: 'after', value: 'crash' }]));
  assert.equal(r.baseOffset, got.length, 'the next append continues right after what survived');
}

describe('sim: crash after acknowledged appends', () => {
  it('loses nothing acknowledged (fsync always, torn crashes, rolling segments, 40 seeds)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const sim = new SimFs({ seed });
      const fx = simFixtureOn(sim);
      const cfg = { segmentMaxBytes: 1500 + seed * 37, indexIntervalBytes: 100 + seed };
      const acked: Acked[] = [];
      const rng = new SeededRandom(seed * 7919);
      // Several lives, each cut short by a crash at a random moment.
      for (let life = 0; life < 3; life++) {
        const log = await fx.open(cfg);
        await checkRecovered(log, acked);
        acked.push({ offset: log.nextOffset - 1, value: 'crash' });
        const running = produce(log, 1 + rng.int(8), acked);
        await ticks(1 + rng.int(400));
        sim.crash({ torn: rng.next() < 0.7 });
        await running;
      }
      const log = await fx.open(cfg);
      await checkRecovered(log, acked);
      await log.close();
    }
  });

  it('each append resolves only when its bytes are durable (group commit shares fsyncs)', async () => {
    const sim = new SimFs({ seed: 5 });
    const log = await simFixtureOn(sim).open({ segmentMaxBytes: 4000 });
    let violations = 0;
    const durableHas = (offset: number): boolean => {
      for (const name of sim.list('/data/log').filter((n) => n.endsWith('.log'))) {
        const bytes = sim.durableBytes(`/data/log/${name}`);
        let found = false;
        forEachBatch(bytes, (h) => {
          if (h.baseOffset <= offset && offset <= h.baseOffset + h.lastOffsetDelta) found = true;
        });
        if (found) return true;
      }
      return false;
    };
    const syncsBefore = sim.stats.fsyncs;
    const all: Promise<void>[] = [];
    for (let wave = 0; wave < 10; wave++) {
      for (let i = 0; i < 30; i++) {
        all.push(log.append(batch([{ key: 'k', value: `w${wave}-${i}` }])).then((r) => void (durableHas(r.baseOffset) || violations++)));
      }
      await ticks(2); // let the next wave arrive while an fsync is in flight
    }
    await Promise.all(all);
    assert.equal(violations, 0);
    const syncs = sim.stats.fsyncs - syncsBefore;
    assert.ok(syncs < 100, `300 appends shared ${syncs} fsyncs`);
    assert.ok(log.ioStats.writes < 100, `${log.ioStats.writes} writev calls for 300 appends`);
    await log.close();
  });

  it('under interval and never, flush() makes everything before it survive a crash', async () => {
    for (const fsync of ['interval:50', 'never']) {
      const sim = new SimFs({ seed: 9 });
      const fx = simFixtureOn(sim, '/data/log', fsync);
      const log = await fx.open({ segmentMaxBytes: 2000 });
      for (let i = 0; i < 40; i++) await log.append(batch([{ key: 'k', value: `v${i}` }]));
      await log.flush();
      for (let i = 40; i < 50; i++) await log.append(batch([{ key: 'k', value: `v${i}` }])); // acknowledged, maybe lost
      sim.crash({ torn: true });
      const again = await fx.open({ segmentMaxBytes: 2000 });
      const got = await readAll(again);
      assert.ok(got.length >= 40, `${fsync}: ${got.length} records survived`);
      got.forEach((g, i) => assert.equal(g.value, `v${i}`));
      await again.close();
    }
  });
});

/** Saves every file of a folder; the returned function puts the folder back as it was. */
function snapshotDir(sim: SimFs, dir: string): () => void {
  const saved = new Map(sim.list(dir).map((name) => [name, Buffer.from(sim.fileBytes(`${dir}/${name}`))] as const));
  return () => {
    for (const name of sim.list(dir)) if (!saved.has(name)) sim.removeFile(`${dir}/${name}`);
    for (const [name, bytes] of saved) sim.putFile(`${dir}/${name}`, bytes);
  };
}

/** A log of two segments whose active one ends with three batches; returns its layout. */
async function buildTail(sim: SimFs): Promise<{ path: string; bytes: Buffer; batches: { pos: number; size: number; base: number; last: number }[] }> {
  const fx = simFixtureOn(sim);
  const log = await fx.open({ segmentMaxBytes: 600, indexIntervalBytes: 64 });
  for (let i = 0; i < 12; i++) {
    if (i === 8) log.reconfigure({ segmentMaxBytes: 100_000 }); // the last batches share the active segment
    await log.append(batch(Array.from({ length: 1 + (i % 3) }, (_, j) => ({ key: `k${i}`, value: `value-${i}-${j}`.padEnd(40, '#') }))));
  }
  const active = log.segments.at(-1)!;
  await log.close();
  const path = active.path('log');
  const bytes = sim.fileBytes(path);
  const batches: { pos: number; size: number; base: number; last: number }[] = [];
  forEachBatch(bytes, (h, pos) => void batches.push({ pos, size: 12 + h.batchLength, base: h.baseOffset, last: h.baseOffset + h.lastOffsetDelta }));
  assert.ok(batches.length >= 3 && log.segments.length >= 2);
  return { path, bytes, batches };
}

describe('sim: torn and damaged tails', () => {
  it('a tail torn at every byte of the last two batches is cut at the last whole batch; offsets go on past the clean end', async () => {
    const sim = new SimFs({ seed: 3 });
    const { path, bytes, batches } = await buildTail(sim);
    const fx = simFixtureOn(sim);
    const cfg = { segmentMaxBytes: 100_000, segmentMaxAgeMs: -1, indexIntervalBytes: 64 };
    const full = await fx.open(cfg);
    const reference = await readAll(full);
    await full.close();
    const cleanEnd = batches.at(-1)!.last + 1;
    const restore = snapshotDir(sim, '/data/log');
    const from = batches.at(-2)!.pos;
    for (let cut = bytes.length - 1; cut >= from; cut--) {
      restore();
      sim.putFile(path, bytes.subarray(0, cut));
      const log = await fx.open(cfg);
      const whole = batches.filter((b) => b.pos + b.size <= cut);
      const end = whole.at(-1)!.last + 1;
      assert.equal(log.nextOffset, cleanEnd, `cut at ${cut}: the log goes on at the end the clean close recorded`);
      assert.deepEqual(log.lost, end < cleanEnd ? { from: end, to: cleanEnd } : null);
      assert.equal(log.recovery.truncatedBytes, cut - (whole.at(-1)!.pos + whole.at(-1)!.size));
      assert.equal(log.damage.length, 1, 'the cut is reported');
      assert.equal(log.damage[0]!.fromOffset, end);
      assert.deepEqual(await readAll(log), reference.slice(0, end));
      assert.equal((await log.append(batch([{ key: 'n', value: 'new' }]))).baseOffset, cleanEnd, 'offset continues, none reused');
      await log.close();
    }
  });

  it('a flipped byte anywhere in the last batch drops that batch, except the fields outside the CRC that do not matter', async () => {
    const sim = new SimFs({ seed: 4 });
    const { path, bytes, batches } = await buildTail(sim);
    const fx = simFixtureOn(sim);
    const cfg = { segmentMaxBytes: 100_000, segmentMaxAgeMs: -1, indexIntervalBytes: 64 };
    const last = batches.at(-1)!;
    const restore = snapshotDir(sim, '/data/log');
    for (let i = 0; i < last.size; i++) {
      restore();
      const damaged = Buffer.from(bytes);
      damaged[last.pos + i]! ^= 0x5a;
      sim.putFile(path, damaged);
      const log = await fx.open(cfg);
      const harmless = i >= BatchField.partitionLeaderEpoch && i < BatchField.magic;
      const dataEnd = harmless ? last.last + 1 : last.base;
      assert.equal(log.nextOffset, last.last + 1, `flip at byte ${i} of the last batch: offsets go on past the clean end`);
      assert.equal(log.damage.length, harmless ? 0 : 1);
      const got = await readAll(log); // decodes with CRC checks
      assert.equal(got.length, dataEnd);
      assert.equal((await log.append(batch([{ key: 'n', value: 'new' }]))).baseOffset, last.last + 1);
      await log.close();
    }
  });

  it('a read never serves a sealed batch whose CRC fails', async () => {
    const sim = new SimFs({ seed: 6 });
    const fx = simFixtureOn(sim);
    const log = await fx.open({ segmentMaxBytes: 600 });
    for (let i = 0; i < 12; i++) await log.append(batch([{ key: `k${i}`, value: `v${i}`.padEnd(60, '.') }]));
    const first = log.segments[0]!;
    await log.close();
    const bytes = sim.fileBytes(first.path('log'));
    const positions: number[] = [];
    forEachBatch(bytes, (_h, pos) => void positions.push(pos));
    sim.corrupt(first.path('log'), positions[1]! + 40); // inside batch 1's records
    const again = await fx.open({ segmentMaxBytes: 600 });
    const r0 = await again.read(0, 1 << 20);
    assert.deepEqual(records(r0.bytes).map((g) => g.offset), [0], 'stops before the damaged batch');
    await assert.rejects(again.read(1, 1 << 20), { code: 'CORRUPT_MESSAGE' });
    assert.ok(records((await again.read(positions.length, 1 << 20)).bytes).length > 0, 'later segments still read');
    await again.close();
  });
});
