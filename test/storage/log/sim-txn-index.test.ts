/**
 * The transaction index of logs opened with `transactions` (topic partitions): open
 * transactions, last stable offset and aborted transactions must always equal what a full scan
 * of the log gives, after clean reopens, lost or damaged .txnindex files, crashes at random
 * moments, an upgrade from logs without the index, retention and compaction.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { controlKey, controlValue, decodeRecords, encodeBatch, isControl, isTransactional } from '../../../src/storage/codec/record-batch.js';
import { SimFs } from '../../../src/storage/fs/sim.js';
import { SeededRandom } from '../../../src/storage/fs/sim-faults.js';
import { openLog, type SegmentLog } from '../../../src/storage/log/index.js';
import type { LogConfig } from '../../../src/storage/types.js';
import { batch, eachBatch, ticks } from './helpers.js';

const DIR = '/data/topic/0';
const CFG: Partial<LogConfig> = { segmentMaxBytes: 700, indexIntervalBytes: 120, segmentMaxAgeMs: -1 };

const open = (sim: SimFs, config: Partial<LogConfig> = CFG, transactions = true): Promise<SegmentLog> =>
  openLog({ fs: sim.mount(), dir: DIR, config, transactions });

function data(pid: number, values: string[]): Buffer {
  return encodeBatch(values.map((v) => ({ key: Buffer.from(`k-${v}`), value: Buffer.from(v), timestamp: 1_000 })), {
    producerId: pid, producerEpoch: 0, baseSequence: 0, transactional: true,
  });
}

function marker(pid: number, commit: boolean): Buffer {
  return encodeBatch([{ key: controlKey(commit), value: controlValue(0), timestamp: 1_000 }], {
    producerId: pid, producerEpoch: 0, baseSequence: -1, transactional: true, control: true,
  });
}

interface Aborted {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

/** The index computed the obvious way: every batch of the log, from its start. */
async function fullScan(log: SegmentLog): Promise<{ open: Map<number, number>; aborted: Aborted[] }> {
  const openTxns = new Map<number, number>();
  const aborted: Aborted[] = [];
  await eachBatch(log, (h, bytes, pos) => {
    if (h.producerId < 0 || !isTransactional(h.attributes)) return;
    if (!isControl(h.attributes)) {
      if (!openTxns.has(h.producerId)) openTxns.set(h.producerId, h.baseOffset);
      return;
    }
    const first = openTxns.get(h.producerId);
    openTxns.delete(h.producerId);
    const type = decodeRecords(bytes, pos)[0]!.key!.readInt16BE(2);
    if (type === 0 && first !== undefined) aborted.push({ producerId: h.producerId, firstOffset: first, lastOffset: h.baseOffset });
  });
  return { open: openTxns, aborted };
}

async function assertMatchesScan(log: SegmentLog, what: string): Promise<void> {
  const txns = log.transactions!;
  const ref = await fullScan(log);
  let lso = log.nextOffset;
  for (const first of ref.open.values()) lso = Math.min(lso, first);
  assert.equal(txns.lastStableOffset(), Math.max(lso, log.logStartOffset), `${what}: last stable offset`);
  for (const [pid, first] of ref.open) assert.equal(txns.openTransactionStart(pid), first, `${what}: producer ${pid} open at ${first}`);
  assert.equal(txns.openTransactionStart(999_999), -1);
  for (let from = log.logStartOffset; from < log.nextOffset; from += 3) {
    for (const width of [0, 4, 25, 10_000]) {
      const to = from + width;
      const want = ref.aborted.filter((a) => a.lastOffset >= from && a.firstOffset <= to);
      const got = txns.abortedIn(from, to).map(({ producerId, firstOffset, lastOffset }) => ({ producerId, firstOffset, lastOffset }));
      assert.deepEqual(got, want, `${what}: aborted in [${from}, ${to}]`);
    }
  }
}

/**
 * Transactional producers (ids 1..n) and one plain producer appending concurrently, as the
 * Kafka coordinator does: a marker only after the transaction's batches are acknowledged.
 * Returns when `steps` transactions ended or an append failed (a crash).
 */
async function workload(log: SegmentLog, rng: SeededRandom, producers: number, steps: number, tag: string): Promise<void> {
  let left = steps;
  let stopped = false;
  const guard = async (p: Promise<unknown>): Promise<boolean> => {
    try {
      await p;
      return true;
    } catch {
      stopped = true;
      return false;
    }
  };
  const txnProducer = async (pid: number): Promise<void> => {
    while (!stopped && left > 0) {
      left--;
      const batches = 1 + rng.int(3);
      for (let b = 0; b < batches && !stopped; b++) {
        if (!(await guard(log.append(data(pid, Array.from({ length: 1 + rng.int(3) }, (_, i) => `${tag}-${pid}-${left}-${b}-${i}`)))))) return;
      }
      // Now and then a transaction is left open: the next one of this producer continues it.
      if (rng.next() < 0.15) continue;
      if (!(await guard(log.append(marker(pid, rng.next() < 0.5))))) return;
    }
  };
  const plain = async (): Promise<void> => {
    for (let i = 0; !stopped && left > 0; i++) {
      if (!(await guard(log.append(batch([{ key: 'plain', value: `${tag}-plain-${i}` }]))))) return;
    }
  };
  await Promise.all([plain(), ...Array.from({ length: producers }, (_, p) => txnProducer(p + 1))]);
}

const txnFiles = (sim: SimFs): string[] => sim.list(DIR).filter((n) => n.endsWith('.txnindex')).sort();
const path = (name: string): string => `${DIR}/${name}`;

describe('sim: transaction index', () => {
  it('the last stable offset follows the earliest open transaction; aborts are listed by range', async () => {
    const sim = new SimFs({ seed: 3 });
    const log = await open(sim);
    for (let i = 0; i < 4; i++) await log.append(batch([{ value: `p${i}` }])); // offsets 0-3
    assert.equal(log.transactions!.lastStableOffset(), 4);
    await log.append(data(1, ['a'])); // 4
    await log.append(batch([{ value: 'p' }])); // 5
    await log.append(data(2, ['b'])); // 6
    await log.append(batch([{ value: 'p' }])); // 7
    await log.append(data(1, ['c'])); // 8
    await log.append(batch([{ value: 'p' }])); // 9
    assert.equal(log.transactions!.lastStableOffset(), 4);
    await log.append(marker(1, false)); // 10
    assert.equal(log.transactions!.lastStableOffset(), 6);
    await log.append(marker(2, true)); // 11
    assert.equal(log.transactions!.lastStableOffset(), 12);
    await log.append(marker(2, false)); // 12: nothing open for 2, nothing recorded
    assert.deepEqual(log.transactions!.abortedIn(0, 3), []);
    assert.deepEqual(log.transactions!.abortedIn(5, 12), [{ producerId: 1, firstOffset: 4, lastOffset: 10, lastStableOffset: 6 }]);
    assert.deepEqual(log.transactions!.abortedIn(11, 12), []);
    await log.close();
    const plain = await open(sim, CFG, false);
    assert.equal(plain.transactions, null, 'logs opened without the index have none');
    await plain.close();
  });

  it('matches a full scan, and a clean reopen replays nothing', async () => {
    const sim = new SimFs({ seed: 11 });
    const log = await open(sim);
    await workload(log, new SeededRandom(11), 4, 120, 'a');
    await assertMatchesScan(log, 'live');
    assert.ok(log.segments.length >= 8, `${log.segments.length} segments`);
    assert.ok(log.segments.some((s) => s.base > 0 && s.aborted !== null), 'aborts recorded in several segments');
    await log.close();
    assert.equal(txnFiles(sim).length, log.segments.length, 'one .txnindex per segment, the active one written at close');

    const again = await open(sim);
    assert.equal(again.recovery.rebuiltTxnIndexes, 0);
    await assertMatchesScan(again, 'reopened');
    await workload(again, new SeededRandom(12), 3, 60, 'b');
    await assertMatchesScan(again, 'appended after reopen');
    await again.close();
  });

  it('rebuilds missing, damaged and stale .txnindex files from the .log', async () => {
    const sim = new SimFs({ seed: 5 });
    const log = await open(sim);
    await workload(log, new SeededRandom(5), 3, 100, 'a');
    await log.close();
    const files = txnFiles(sim);
    assert.ok(files.length >= 6);
    sim.removeFile(path(files[1]!));
    sim.corrupt(path(files[3]!), 20);
    // A stale file: the one of another segment (its endOffset does not fit this one).
    sim.putFile(path(files[4]!), sim.fileBytes(path(files[2]!)));
    sim.removeFile(path(files.at(-1)!)); // the active segment's: replayed whole

    const again = await open(sim);
    assert.equal(again.recovery.rebuiltTxnIndexes, 3, 'the three sealed segments');
    await assertMatchesScan(again, 'after repair');
    await again.close();
    const third = await open(sim);
    assert.equal(third.recovery.rebuiltTxnIndexes, 0, 'the rebuilt files were written back');
    await assertMatchesScan(third, 'third open');
    await third.close();
  });

  it('a log written without the index gets it on its first open with it (an upgrade)', async () => {
    const sim = new SimFs({ seed: 8 });
    const old = await open(sim, CFG, false);
    await workload(old, new SeededRandom(8), 3, 80, 'old');
    await old.close();
    assert.deepEqual(txnFiles(sim), []);
    const log = await open(sim);
    assert.equal(log.recovery.rebuiltTxnIndexes, log.segments.length - 1);
    await assertMatchesScan(log, 'upgraded');
    await log.close();
  });

  it('survives crashes at random moments (torn tails, rolling segments, 30 seeds)', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const sim = new SimFs({ seed });
      const rng = new SeededRandom(seed * 104_729);
      // Every third seed never rolls: the active segment's file from the clean close of life 1
      // is then trusted after the later crashes, and only the batches after it are replayed.
      const cfg = { ...CFG, segmentMaxBytes: seed % 3 === 0 ? 1 << 20 : 500 + seed * 41 };
      for (let life = 0; life < 4; life++) {
        const log = await open(sim, cfg);
        await assertMatchesScan(log, `seed ${seed} life ${life}`);
        // Some lives end cleanly, so the active segment's file from a close is trusted later.
        if (life === 1) {
          await workload(log, rng, 3, 20, `s${seed}l${life}`);
          await log.close();
          continue;
        }
        const running = workload(log, rng, 1 + rng.int(4), 1000, `s${seed}l${life}`);
        await ticks(50 + rng.int(800));
        sim.crash({ torn: rng.next() < 0.7 });
        await running;
      }
      const log = await open(sim, cfg);
      await assertMatchesScan(log, `seed ${seed} final`);
      await log.close();
    }
  });

  it('retention deletes a segment’s .txnindex with it; compaction keeps the index', async () => {
    const sim = new SimFs({ seed: 13 });
    const log = await open(sim, { ...CFG, retentionBytes: 2_500 });
    await workload(log, new SeededRandom(13), 3, 80, 'a');
    for (let pid = 1; pid <= 3; pid++) await log.append(marker(pid, false)); // nothing left open
    const all = (await fullScan(log)).aborted;
    const before = log.segments.length;
    await log.enforceRetention();
    assert.ok(log.segments.length < before, 'segments were deleted');
    // What is left: the aborts whose marker survived (their first offset may be gone, as in Kafka).
    const kept = (l: SegmentLog) => {
      assert.equal(l.transactions!.lastStableOffset(), l.nextOffset);
      const got = l.transactions!.abortedIn(l.logStartOffset, l.nextOffset).map(({ producerId, firstOffset, lastOffset }) => ({ producerId, firstOffset, lastOffset }));
      assert.deepEqual(got, all.filter((a) => a.lastOffset >= l.logStartOffset));
    };
    kept(log);
    await log.close();
    const bases = new Set(log.segments.map((s) => String(s.base).padStart(20, '0')));
    assert.deepEqual(txnFiles(sim).map((n) => n.slice(0, 20)), [...bases].sort(), 'no .txnindex outlives its segment');
    const again = await open(sim, { ...CFG, retentionBytes: 2_500 });
    assert.equal(again.recovery.rebuiltTxnIndexes, 0);
    kept(again);
    await again.close();

    const csim = new SimFs({ seed: 14 });
    const compacted = await open(csim, { ...CFG, cleanupPolicy: 'compact' });
    await workload(compacted, new SeededRandom(14), 3, 80, 'c');
    await workload(compacted, new SeededRandom(15), 3, 80, 'c'); // same keys again: superseded records
    const ref = await fullScan(compacted);
    const r = await compacted.compact();
    assert.ok(r.recordsRemoved > 0);
    const answers = (l: SegmentLog) => l.transactions!.abortedIn(0, l.nextOffset).map((a) => [a.producerId, a.firstOffset, a.lastOffset]);
    assert.deepEqual(answers(compacted), ref.aborted.map((a) => [a.producerId, a.firstOffset, a.lastOffset]));
    await compacted.close();
    const reopened = await open(csim, { ...CFG, cleanupPolicy: 'compact' });
    assert.equal(reopened.recovery.rebuiltTxnIndexes, 0);
    assert.deepEqual(answers(reopened), ref.aborted.map((a) => [a.producerId, a.firstOffset, a.lastOffset]));
    await reopened.close();
  });
});
