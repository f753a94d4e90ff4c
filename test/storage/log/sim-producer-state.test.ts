/**
 * The idempotent producer state of logs opened with `producers` (topic partitions): it must
 * always equal what applying every batch of the log from its start gives, after clean reopens,
 * lost or damaged .snapshot files, crashes at random moments and an upgrade from logs without
 * snapshots; a retry must be recognised however many records were appended after it (the old
 * rebuild looked at the last 10,000 only); retention deletes a snapshot with its segment but
 * not the producers it knew; silent producers expire.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { controlKey, controlValue, encodeBatch } from '../../../src/storage/codec/record-batch.js';
import { SimFs } from '../../../src/storage/fs/sim.js';
import { SeededRandom } from '../../../src/storage/fs/sim-faults.js';
import { openLog, type SegmentLog } from '../../../src/storage/log/index.js';
import { parseProducerSnapshot } from '../../../src/storage/log/producer-snapshot-file.js';
import { PRODUCER_EXPIRATION_MS, ProducerStates } from '../../../src/storage/log/producer-state.js';
import { type LogConfig, ProducerCheck } from '../../../src/storage/types.js';
import { batch, eachBatch, TestClock, ticks } from './helpers.js';

const DIR = '/data/topic/0';
const CFG: Partial<LogConfig> = { segmentMaxBytes: 900, indexIntervalBytes: 120, segmentMaxAgeMs: -1 };

const open = (sim: SimFs, clock: TestClock, config: Partial<LogConfig> = CFG, producers = true): Promise<SegmentLog> =>
  openLog({ fs: sim.mount(), dir: DIR, config, clock, transactions: true, producers });

function idem(clock: TestClock, pid: number, epoch: number, seq: number, n: number, transactional = false): Buffer {
  return encodeBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`${pid}/${epoch}/${seq + i}`), timestamp: clock.ms })), {
    producerId: pid, producerEpoch: epoch, baseSequence: seq, transactional,
  });
}

function marker(clock: TestClock, pid: number, epoch: number, commit: boolean): Buffer {
  return encodeBatch([{ key: controlKey(commit), value: controlValue(0), timestamp: clock.ms }], {
    producerId: pid, producerEpoch: epoch, baseSequence: -1, transactional: true, control: true,
  });
}

type Dump = [number, number, number, number[][]][];

function dump(states: ProducerStates): Dump {
  const out: Dump = [];
  for (const [pid, e] of states.entries) {
    const batches: number[][] = [];
    for (let i = 0; i < e.count; i++) batches.push([e.firstSeq(i), e.lastSeq(i), e.lastOffset(i)]);
    out.push([pid, e.epoch, e.lastTimestamp, batches]);
  }
  return out;
}

/** The state computed the obvious way: every batch of the log, from its start. */
async function fullScan(log: SegmentLog): Promise<ProducerStates> {
  const states = new ProducerStates();
  await eachBatch(log, (h) => states.note(h, h.baseOffset));
  return states;
}

async function assertMatchesScan(log: SegmentLog, what: string): Promise<void> {
  assert.deepEqual(dump(log.producers as ProducerStates), dump(await fullScan(log)), `${what}: producer state`);
}

interface Sent {
  epoch: number;
  seq: number;
  n: number;
  baseOffset: number;
  bytes: Buffer;
}

/**
 * Idempotent producers (some transactional, with markers) and a plain one appending
 * concurrently, each batch checked and appended in one synchronous step as the produce path
 * does; now and then a batch is retried (must come back as a duplicate of its offset) or a
 * producer starts a new epoch. Returns when `steps` batches were sent or an append failed.
 */
async function workload(log: SegmentLog, clock: TestClock, rng: SeededRandom, pids: number[], steps: number): Promise<void> {
  let left = steps;
  let stopped = false;
  const producers = log.producers!;
  const run = async (pid: number): Promise<void> => {
    const transactional = pid % 3 === 0;
    let epoch = 0;
    let seq = 0;
    let inTxn = false;
    const acked: Sent[] = [];
    while (!stopped && left-- > 0) {
      const r = rng.next();
      if (r < 0.1 && acked.length > 0) {
        const old = acked[rng.int(acked.length)]!;
        assert.equal(producers.check(pid, old.epoch, old.seq, old.n), old.baseOffset, 'a retry is a duplicate of its batch');
        continue;
      }
      if (r < 0.15 || (transactional && inTxn && r < 0.35)) {
        if (transactional) {
          // The coordinator ends the transaction; a bumped epoch now and then (a timeout, fencing).
          const bump = rng.next() < 0.3;
          if (bump) epoch++;
          try {
            await log.append(marker(clock, pid, epoch, rng.next() < 0.5));
          } catch {
            stopped = true;
            return;
          }
          inTxn = false;
          if (!bump) continue;
        } else epoch++;
        seq = 0;
        acked.length = 0;
        continue;
      }
      const n = 1 + rng.int(4);
      const bytes = idem(clock, pid, epoch, seq, n, transactional);
      const c = producers.check(pid, epoch, seq, n);
      if (c !== ProducerCheck.OK) {
        // A crash took batches this producer thought were stored: start a new epoch.
        epoch++;
        seq = 0;
        acked.length = 0;
        continue;
      }
      const appended = log.append(bytes);
      inTxn = transactional;
      const s: Sent = { epoch, seq, n, baseOffset: -1, bytes };
      seq += n;
      try {
        s.baseOffset = (await appended).baseOffset;
      } catch {
        stopped = true;
        return;
      }
      acked.push(s);
      if (acked.length > 5) acked.shift();
    }
  };
  const plain = async (): Promise<void> => {
    for (let i = 0; !stopped && left > 0; i++) {
      try {
        await log.append(batch([{ value: `plain-${i}`, ts: clock.ms }]));
      } catch {
        stopped = true;
        return;
      }
    }
  };
  await Promise.all([plain(), ...pids.map(run)]);
}

const snapshots = (sim: SimFs): string[] => sim.list(DIR).filter((n) => n.endsWith('.snapshot')).sort();
const path = (name: string): string => `${DIR}/${name}`;
const snapshotOffset = (sim: SimFs, name: string): number => parseProducerSnapshot(sim.fileBytes(path(name)), Number(name.slice(0, 20)))!.offset;

describe('sim: idempotent producer state', () => {
  it('judges sequences as Kafka does', async () => {
    const sim = new SimFs({ seed: 1 });
    const clock = new TestClock();
    const log = await open(sim, clock);
    const p = log.producers!;
    assert.equal(p.check(7, 0, 42, 1), ProducerCheck.OK, 'an unknown producer starts anywhere');
    await log.append(batch([{ value: 'plain' }])); // 0
    await log.append(idem(clock, 7, 0, 0, 3)); // 1-3
    await log.append(idem(clock, 7, 0, 3, 2)); // 4-5
    assert.equal(p.check(7, 0, 0, 3), 1, 'a retry of the older batch');
    assert.equal(p.check(7, 0, 3, 2), 4, 'a retry of the last batch');
    assert.equal(p.check(7, 0, 3, 1), ProducerCheck.OUT_OF_ORDER, 'same start, other length: not the same batch');
    assert.equal(p.check(7, 0, 5, 1), ProducerCheck.OK);
    assert.equal(p.check(7, 0, 6, 1), ProducerCheck.OUT_OF_ORDER, 'a gap');
    assert.equal(p.check(7, 1, 5, 1), ProducerCheck.OUT_OF_ORDER, 'a new epoch starts at 0');
    assert.equal(p.check(7, 1, 0, 1), ProducerCheck.OK);
    // Sequences wrap at 2^31.
    await log.append(idem(clock, 8, 0, 2 ** 31 - 2, 4)); // 6-9
    assert.equal(p.check(8, 0, 2, 1), ProducerCheck.OK);
    assert.equal(p.check(8, 0, 2 ** 31 - 2, 4), 6);
    // Only the last five batches are remembered.
    for (let i = 0; i < 6; i++) await log.append(idem(clock, 9, 0, i, 1)); // 10-15
    assert.equal(p.check(9, 0, 0, 1), ProducerCheck.OUT_OF_ORDER);
    assert.equal(p.check(9, 0, 1, 1), 11);
    // A marker of a newer epoch (the coordinator aborting on a timeout) fences the old one.
    await log.append(idem(clock, 10, 4, 0, 2, true)); // 16-17
    await log.append(marker(clock, 10, 5, false)); // 18
    assert.equal(p.check(10, 4, 2, 1), ProducerCheck.FENCED);
    assert.equal(p.check(10, 5, 2, 1), ProducerCheck.OUT_OF_ORDER, 'the new epoch starts at 0');
    assert.equal(p.check(10, 5, 0, 1), ProducerCheck.OK);
    await log.append(marker(clock, 10, 5, true)); // same epoch: the batches stay
    await log.close();
    const plain = await open(sim, clock, CFG, false);
    assert.equal(plain.producers, null, 'logs opened without producer state have none');
    await plain.close();
  });

  it('matches a full scan; a clean reopen loads the snapshot written at close and replays nothing', async () => {
    const sim = new SimFs({ seed: 11 });
    const clock = new TestClock();
    const log = await open(sim, clock);
    await workload(log, clock, new SeededRandom(11), [1, 2, 3, 4, 5, 6], 600);
    await assertMatchesScan(log, 'live');
    assert.ok(log.segments.length >= 8, `${log.segments.length} segments`);
    const bases = log.segments.map((s) => s.base);
    const end = log.nextOffset;
    const ref = dump(log.producers as ProducerStates);
    await log.close();
    const files = snapshots(sim);
    // The first segment has none: the state is empty at its base.
    assert.deepEqual(files.map((n) => Number(n.slice(0, 20))), bases.slice(1), 'a .snapshot per later segment');
    for (const name of files.slice(0, -1)) assert.equal(snapshotOffset(sim, name), Number(name.slice(0, 20)), `${name} is as of its segment's base`);
    assert.equal(snapshotOffset(sim, files.at(-1)!), end, 'the active segment’s is as of the log end');

    // Every .log but the active one damaged: a reopen that replayed any of them would lose state.
    for (const b of bases.slice(0, -1)) sim.corrupt(path(`${String(b).padStart(20, '0')}.log`), 30);
    const again = await open(sim, clock);
    assert.equal(again.recovery.rebuiltSnapshots, 0);
    assert.deepEqual(dump(again.producers as ProducerStates), ref);
    await again.close();
  });

  it('recognises a retry after more than 10,000 records from others, across a crash and retention', async () => {
    const sim = new SimFs({ seed: 4 });
    const clock = new TestClock();
    const cfg = { ...CFG, segmentMaxBytes: 64 * 1024 };
    let log = await open(sim, clock, cfg);
    await log.append(idem(clock, 500, 2, 0, 3)); // 0-2
    const last = idem(clock, 500, 2, 3, 2);
    const { baseOffset } = await log.append(Buffer.from(last)); // 3-4
    for (let i = 0; i < 120; i++) {
      await log.append(idem(clock, 600, 0, i * 100, 100)); // another producer: 12,000 records
    }
    assert.ok(log.nextOffset > 12_000 && log.segments.length > 3, `${log.segments.length} segments`);
    sim.crash({ torn: true }); // no clean close: the roll-time snapshots and a replay of the tail

    log = await open(sim, clock, cfg);
    await assertMatchesScan(log, 'after the crash');
    assert.equal(log.producers!.check(500, 2, 3, 2), baseOffset, 'the retry is a duplicate');
    assert.equal(log.producers!.check(500, 2, 5, 1), ProducerCheck.OK, 'the next sequence is accepted');
    assert.equal(log.producers!.check(500, 2, 9, 1), ProducerCheck.OUT_OF_ORDER, 'a gap is refused');

    // Retention deletes the segments (and snapshots) holding producer 500's batches, not its state.
    await log.deleteRecordsBefore(log.segments.at(-1)!.base);
    assert.ok(log.logStartOffset > 4);
    await log.close();
    assert.deepEqual(snapshots(sim).map((n) => Number(n.slice(0, 20))), log.segments.map((s) => s.base), 'no .snapshot outlives its segment');
    log = await open(sim, clock, cfg);
    assert.equal(log.recovery.rebuiltSnapshots, 0);
    assert.equal(log.producers!.check(500, 2, 3, 2), baseOffset, 'still a duplicate after its records are deleted');
    assert.equal(log.producers!.check(500, 2, 5, 1), ProducerCheck.OK);
    await log.close();
  });

  it('passes over missing, damaged and stale snapshots and writes them back', async () => {
    const sim = new SimFs({ seed: 5 });
    const clock = new TestClock();
    const log = await open(sim, clock);
    await workload(log, clock, new SeededRandom(5), [1, 2, 3, 4], 400);
    const ref = dump(log.producers as ProducerStates);
    await log.close();
    const files = snapshots(sim);
    assert.ok(files.length >= 6);
    sim.removeFile(path(files.at(-1)!)); // the active segment's
    sim.corrupt(path(files.at(-2)!), 20);
    sim.putFile(path(files.at(-3)!), sim.fileBytes(path(files.at(-5)!))); // another segment's: offset below the base

    const again = await open(sim, clock);
    assert.equal(again.recovery.rebuiltSnapshots, 3, 'replayed from the fourth-last segment’s snapshot');
    assert.deepEqual(dump(again.producers as ProducerStates), ref);
    await assertMatchesScan(again, 'after repair');
    await again.close();
    const third = await open(sim, clock);
    assert.equal(third.recovery.rebuiltSnapshots, 0, 'written back, and the active one rewritten at close');
    assert.deepEqual(dump(third.producers as ProducerStates), ref);
    await third.close();
  });

  it('a log written without snapshots gets them on its first open with them (an upgrade)', async () => {
    const sim = new SimFs({ seed: 8 });
    const clock = new TestClock();
    const old = await open(sim, clock, CFG, false);
    for (let i = 0; i < 60; i++) await old.append(idem(clock, 1 + (i % 4), 0, Math.floor(i / 4) * 3, 3));
    await old.close();
    assert.deepEqual(snapshots(sim), []);
    const upgraded = await open(sim, clock);
    assert.equal(upgraded.recovery.rebuiltSnapshots, upgraded.segments.length - 1, 'all but the first, whose state is empty at its base');
    await assertMatchesScan(upgraded, 'upgraded');
    assert.equal(upgraded.producers!.check(4, 0, 14 * 3, 3), 59 * 3);
    await upgraded.close();
  });

  it('survives crashes at random moments (torn tails, rolling segments, 30 seeds)', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const sim = new SimFs({ seed });
      const clock = new TestClock();
      const rng = new SeededRandom(seed * 7_919);
      // Every third seed never rolls: only the snapshot from the clean close of life 1 exists.
      const cfg = { ...CFG, segmentMaxBytes: seed % 3 === 0 ? 1 << 20 : 600 + seed * 37 };
      for (let life = 0; life < 4; life++) {
        const log = await open(sim, clock, cfg);
        await assertMatchesScan(log, `seed ${seed} life ${life}`);
        const pids = [1, 2, 3, 4, 5, 6].slice(0, 2 + rng.int(5));
        if (life === 1) {
          await workload(log, clock, rng, pids, 40);
          await log.close();
          continue;
        }
        const running = workload(log, clock, rng, pids, 5_000);
        await ticks(50 + rng.int(800));
        sim.crash({ torn: rng.next() < 0.7 });
        await running;
      }
      const log = await open(sim, clock, cfg);
      await assertMatchesScan(log, `seed ${seed} final`);
      await log.close();
    }
  });

  it('forgets producers silent for PRODUCER_EXPIRATION_MS, unless a transaction of theirs is open', async () => {
    const sim = new SimFs({ seed: 2 });
    const clock = new TestClock();
    let log = await open(sim, clock);
    await log.append(idem(clock, 1, 0, 0, 2));
    await log.append(idem(clock, 2, 0, 0, 2, true)); // a transaction left open
    clock.advance(PRODUCER_EXPIRATION_MS - 1);
    await log.append(idem(clock, 3, 0, 0, 2));
    await log.enforceRetention();
    assert.equal(log.producers!.check(1, 0, 0, 2), 0, 'not yet');
    clock.advance(1);
    await log.enforceRetention();
    assert.equal(log.producers!.check(1, 0, 7, 1), ProducerCheck.OK, 'forgotten: taken as a new producer');
    assert.equal(log.producers!.check(2, 0, 0, 2), 2, 'its transaction is open');
    assert.equal(log.producers!.check(3, 0, 0, 2), 4);
    await log.close();
    log = await open(sim, clock);
    assert.deepEqual([...(log.producers as ProducerStates).entries.keys()], [2, 3], 'the snapshot holds the others only');
    await log.close();
  });
});
