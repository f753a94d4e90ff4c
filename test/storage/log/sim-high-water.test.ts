/**
 * The high-water mark of offsets (high-water.ts, recovery rule 5) on the simulated disk: offsets
 * that may have been handed out are never handed out again after records are lost, and a
 * restart that lost nothing leaves no gap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimFs } from '../../../src/storage/fs/sim.js';
import { HIGH_WATER_FILE } from '../../../src/storage/log/layout.js';
import { RESERVE_OFFSETS } from '../../../src/storage/log/high-water.js';
import { batch, readAll, rejectsWithCode, simFixtureOn } from './helpers.js';

const CFG = { segmentMaxBytes: 4000, segmentMaxAgeMs: -1 };
const rec = (i: number) => batch([{ key: 'k', value: `v${i}` }]);

describe('sim: offsets are never reused', () => {
  it('under never, a crash that loses acknowledged appends goes on past every offset handed out', async () => {
    const sim = new SimFs({ seed: 11 });
    const fx = simFixtureOn(sim, '/data/log', 'never');
    const log = await fx.open(CFG);
    for (let i = 0; i < 60; i++) await log.append(rec(i));
    const handedOut = log.nextOffset;
    sim.crash({ torn: true });
    const again = await fx.open(CFG);
    const kept = (await readAll(again)).length;
    assert.ok(kept <= handedOut);
    assert.ok(again.nextOffset >= handedOut, `goes on at ${again.nextOffset}, past ${handedOut}`);
    assert.deepEqual(again.lost, { from: kept, to: again.nextOffset });
    assert.ok((await again.append(rec(99))).baseOffset >= handedOut);
    await again.close();
  });

  it('under always, a crash that tore an unacknowledged write leaves no gap', async () => {
    const sim = new SimFs({ seed: 12 });
    const fx = simFixtureOn(sim);
    const log = await fx.open(CFG);
    for (let i = 0; i < 60; i++) await log.append(rec(i));
    void log.append(rec(60)).catch(() => undefined); // in flight at the crash
    sim.crash({ torn: true });
    const again = await fx.open(CFG);
    const kept = (await readAll(again)).length;
    assert.ok(kept >= 60, 'everything acknowledged survives');
    assert.equal(again.nextOffset, kept);
    assert.equal(again.lost, null);
    await again.close();
  });

  it('a clean close records the exact end: the restart leaves no gap even far past the first reservation', async () => {
    const sim = new SimFs({ seed: 13 });
    const fx = simFixtureOn(sim);
    let log = await fx.open(CFG);
    for (let i = 0; i < 30; i++) await log.append(rec(i));
    await log.close();
    assert.equal(sim.fileBytes(`/data/log/${HIGH_WATER_FILE}`).toString(), '1 clean 30\n');
    log = await fx.open(CFG);
    assert.equal(log.nextOffset, 30);
    assert.equal(log.lost, null);
    assert.equal((await log.append(rec(30))).baseOffset, 30);
    // While open, the file holds a reservation above everything handed out.
    assert.match(sim.fileBytes(`/data/log/${HIGH_WATER_FILE}`).toString(), /^1 reserved \d+\n$/);
    const reserved = Number(/reserved (\d+)/.exec(sim.fileBytes(`/data/log/${HIGH_WATER_FILE}`).toString())![1]);
    assert.ok(reserved >= 31 + RESERVE_OFFSETS / 2);
    await log.close();
  });

  it('an append is acknowledged only once the mark covers it; a failed mark write fails the log', async () => {
    const sim = new SimFs({ seed: 14 });
    const fx = simFixtureOn(sim);
    const log = await fx.open(CFG);
    sim.failNext('fsync', 'EIO', { path: new RegExp(`${HIGH_WATER_FILE}\\.tmp$`) });
    await rejectsWithCode(log.append(rec(0)), 'STORAGE_FAILED');
    assert.ok(log.failure !== null);
    await rejectsWithCode(log.append(rec(1)), 'STORAGE_FAILED');
    await log.close().catch(() => undefined);
  });

  it('a log from before the mark existed (no file) opens as it is and gets one with its first append', async () => {
    const sim = new SimFs({ seed: 15 });
    const fx = simFixtureOn(sim);
    let log = await fx.open(CFG);
    for (let i = 0; i < 10; i++) await log.append(rec(i));
    await log.close();
    sim.removeFile(`/data/log/${HIGH_WATER_FILE}`);
    log = await fx.open(CFG);
    assert.equal(log.nextOffset, 10);
    assert.equal(log.lost, null);
    assert.deepEqual(log.damage, []);
    assert.equal((await log.append(rec(10))).baseOffset, 10);
    assert.match(sim.fileBytes(`/data/log/${HIGH_WATER_FILE}`).toString(), /^1 reserved \d+\n$/);
    await log.close();
  });
});
