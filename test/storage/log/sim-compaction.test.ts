/**
 * Compaction's swap protocol under power loss: a crash at any step of a compaction leaves, after
 * recovery, a log where every record is one that was there before (same offset, same content),
 * every key's latest record is still there, the end offset is unchanged, and no transient file
 * (.cleaned, .swap) is left behind.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimFs } from '../../../src/storage/fs/sim.js';
import { batch, type Got, readAll, simFixtureOn, ticks } from './helpers.js';

const CFG = { segmentMaxBytes: 700, cleanupPolicy: 'compact' as const, segmentMaxAgeMs: -1, deleteRetentionMs: 0 };

async function build(): Promise<{ sim: SimFs; before: Got[]; next: number }> {
  const sim = new SimFs({ seed: 31 });
  const log = await simFixtureOn(sim).open(CFG);
  for (let i = 0; i < 60; i++) {
    const k = `k${(i * 7) % 11}`;
    const recs = [{ key: k, value: `${k}@${i}`.padEnd(40, '.'), ts: 1000 }];
    if (i % 5 === 0) recs.push({ key: `k${i % 11}`, value: null as unknown as string, ts: 1000 }); // tombstones
    if (i % 4 === 0) recs.push({ key: `k${(i + 3) % 11}`, value: `x${i}`, ts: 1000 });
    await log.append(batch(recs));
  }
  const before = await readAll(log);
  const next = log.nextOffset;
  await log.close();
  return { sim, before, next };
}

function latestPerKey(recs: Got[]): Map<string, Got> {
  const m = new Map<string, Got>();
  for (const r of recs) if (r.key !== null) m.set(r.key, r);
  return m;
}

describe('sim: compaction crash safety', () => {
  it('a crash at any step of a compaction recovers to a valid state', async () => {
    let completedAt = -1;
    let checked = 0;
    for (let n = 1; (completedAt < 0 && n < 3000) || n <= completedAt + 2; n += n < 60 ? 1 : 3) {
      const { sim, before, next } = await build();
      const log = await simFixtureOn(sim).open(CFG);
      let done = false;
      const run = log.compact().then(
        () => void (done = true),
        () => undefined, // the crash fails it midway
      );
      await ticks(n);
      if (done && completedAt < 0) completedAt = n;
      sim.crash();
      await run;
      const again = await simFixtureOn(sim).open(CFG);
      const after = await readAll(again);
      const byOffset = new Map(before.map((g) => [g.offset, g]));
      for (let i = 1; i < after.length; i++) assert.ok(after[i]!.offset > after[i - 1]!.offset);
      for (const g of after) assert.deepEqual(g, byOffset.get(g.offset), `crash at tick ${n}: offset ${g.offset} unchanged`);
      const latest = latestPerKey(before);
      const kept = new Set(after.map((g) => g.offset));
      for (const [k, g] of latest) {
        if (g.value !== null || g.offset >= again.segments.at(-1)!.base) assert.ok(kept.has(g.offset), `tick ${n}: latest ${k} kept`);
      }
      assert.equal(again.nextOffset, next);
      assert.deepEqual(sim.list('/data/log').filter((f) => /\.(cleaned|swap|tmp)$/.test(f)), []);
      if (done) assert.ok(after.length < before.length, 'a finished compaction removed records');
      await again.close();
      checked++;
    }
    assert.ok(completedAt > 10, `compaction took ${completedAt} simulated steps`);
    assert.ok(checked > 20);
  });
});
