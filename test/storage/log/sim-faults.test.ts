/**
 * I/O failures on the simulated store: a failed write or fsync rejects every pending append
 * with STORAGE_FAILED, marks the log failed, and nothing is acknowledged after it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimFs, type SimErrorCode, type SimOp } from '../../../src/storage/fs/sim.js';
import type { StorageFile, StorageFs } from '../../../src/storage/fs/types.js';
import { openLog, type SegmentLog } from '../../../src/storage/log/index.js';
import { batch, readAll, rejectsWithCode, simFixtureOn } from './helpers.js';

interface Outcome {
  resolved: { offset: number; value: string }[];
  rejected: string[];
  /** Event order: 'ok' or 'err' per settled append. */
  events: ('ok' | 'err')[];
}

async function burst(log: SegmentLog, n: number, tag: string): Promise<Outcome> {
  const out: Outcome = { resolved: [], rejected: [], events: [] };
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      log.append(batch([{ key: 'k', value: `${tag}${i}` }])).then(
        (r) => {
          out.resolved.push({ offset: r.baseOffset, value: `${tag}${i}` });
          out.events.push('ok');
        },
        (err: { code?: string }) => {
          out.rejected.push(err.code ?? '?');
          out.events.push('err');
        },
      ),
    ),
  );
  return out;
}

function noAckAfterError(events: ('ok' | 'err')[]): void {
  const firstErr = events.indexOf('err');
  if (firstErr >= 0) assert.ok(!events.slice(firstErr).includes('ok'), `acknowledgement after an error: ${events.join(' ')}`);
}

describe('sim: injected I/O failures', () => {
  for (const op of ['write', 'fsync'] as SimOp[]) {
    for (const code of ['EIO', 'ENOSPC'] as SimErrorCode[]) {
      it(`${code} on ${op}: pending appends reject, the log is failed for good, acknowledged data survives`, async () => {
        const sim = new SimFs({ seed: 11 });
        const fx = simFixtureOn(sim);
        const log = await fx.open({ segmentMaxBytes: 3000 });
        const first = await burst(log, 10, 'a');
        assert.equal(first.resolved.length, 10);
        sim.failNext(op, code, { path: /\.log$/ });
        const second = await burst(log, 30, 'b');
        assert.ok(second.rejected.length > 0);
        assert.ok(second.rejected.every((c) => c === 'STORAGE_FAILED'));
        noAckAfterError(second.events);
        assert.equal(log.failure?.name, 'HopperError');
        assert.equal((log.failure as { code?: string }).code, 'STORAGE_FAILED');
        assert.match(log.failure!.message, new RegExp(code));
        // Nothing succeeds afterwards, even with the disk healthy again.
        await rejectsWithCode(log.append(batch([{ key: 'k', value: 'late' }])), 'STORAGE_FAILED');
        await rejectsWithCode(log.flush(), 'STORAGE_FAILED');
        await rejectsWithCode(log.enforceRetention(), 'STORAGE_FAILED');
        // Reads of acknowledged data go on.
        const acked = [...first.resolved, ...second.resolved];
        const got = await readAll(log);
        for (const a of acked) assert.equal(got[a.offset]?.value, a.value);
        await log.close();
        // A power loss on top, then a restart: everything acknowledged is there.
        sim.crash({ torn: true });
        const again = await fx.open({ segmentMaxBytes: 3000 });
        const after = await readAll(again);
        after.forEach((g, i) => assert.equal(g.offset, i));
        for (const a of acked) assert.equal(after[a.offset]?.value, a.value);
        assert.equal((await again.append(batch([{ key: 'k', value: 'ok' }]))).baseOffset, after.length);
        await again.close();
      });
    }
  }

  it('a failure while rolling (creating the next segment) fails the log', async () => {
    const sim = new SimFs({ seed: 12 });
    const log = await simFixtureOn(sim).open({ segmentMaxBytes: 500 });
    sim.failNext('open', 'ENOSPC', { path: /\/0*[1-9]\d*\.log$/ }); // any segment but the first
    const out: Outcome[] = [];
    for (let i = 0; i < 10; i++) out.push(await burst(log, 2, `r${i}`));
    const all = out.flatMap((o) => o.events);
    assert.ok(all.includes('err'));
    noAckAfterError(all);
    assert.equal((log.failure as { code?: string }).code, 'STORAGE_FAILED');
    await log.close();
  });

  it('under interval:<ms>, a failed timer fsync fails the log for later appends', async () => {
    const sim = new SimFs({ seed: 13 });
    const log = await simFixtureOn(sim, '/data/log', 'interval:5').open();
    await burst(log, 5, 'a');
    sim.failNext('fsync', 'EIO');
    while (log.failure === null) await new Promise((r) => setTimeout(r, 5));
    await rejectsWithCode(log.append(batch([{ key: 'k', value: 'x' }])), 'STORAGE_FAILED');
    await log.close();
  });

  it('random write and fsync faults (20 seeds): never an acknowledgement after an error, acknowledged data always survives', async () => {
    let failedLogs = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const sim = new SimFs({ seed });
      const fx = simFixtureOn(sim);
      const log = await fx.open({ segmentMaxBytes: 800 + seed * 50 });
      sim.setFaultRate('write', 0.02, 'EIO');
      sim.setFaultRate('fsync', 0.02, 'ENOSPC');
      const events: ('ok' | 'err')[] = [];
      const acked: { offset: number; value: string }[] = [];
      for (let wave = 0; wave < 20 && log.failure === null; wave++) {
        const o = await burst(log, 1 + ((seed * wave) % 9), `s${wave}-`);
        events.push(...o.events);
        acked.push(...o.resolved);
      }
      noAckAfterError(events);
      if (log.failure !== null) failedLogs++;
      await log.close().catch(() => undefined);
      sim.clearFaults();
      sim.crash({ torn: true });
      const again = await fx.open({ segmentMaxBytes: 800 + seed * 50 });
      const got = await readAll(again);
      got.forEach((g, i) => assert.equal(g.offset, i));
      for (const a of acked) assert.equal(got[a.offset]?.value, a.value, `seed ${seed}: offset ${a.offset}`);
      await again.close();
    }
    assert.ok(failedLogs >= 5, `faults hit ${failedLogs} of 20 logs`);
  });

  it('an append whose write is still running when an fsync fails is rejected only after that write returns', async () => {
    // Callers may reuse a batch's memory once its append settles (Kafka's pooled request
    // frames), so a rejection must not come while the kernel may still be reading the bytes.
    const sim = new SimFs({ seed: 17 });
    const gates = { write: null as Promise<void> | null, sync: null as Promise<void> | null };
    let writing = false;
    let syncing = false;
    const gated = (f: StorageFile): StorageFile => Object.assign(Object.create(f) as StorageFile, {
      async writev(bufs: readonly Uint8Array[], position: number) {
        writing = true;
        if (gates.write) await gates.write;
        await f.writev(bufs, position);
        writing = false;
      },
      async datasync() {
        syncing = true;
        if (gates.sync) await gates.sync;
        await f.datasync();
      },
    });
    const mounted = sim.mount();
    const fs: StorageFs = Object.assign(Object.create(mounted) as StorageFs, {
      open: async (path: string, mode: Parameters<StorageFs['open']>[1]) => gated(await mounted.open(path, mode)),
    });
    const log = await openLog({ fs, dir: '/data/log', config: { fsync: { kind: 'always' } } });
    await log.append(batch([{ key: 'k', value: 'first' }]));
    const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
    let openSync = (): void => undefined;
    let openWrite = (): void => undefined;
    gates.sync = new Promise((r) => (openSync = r));
    syncing = false;
    const a = log.append(batch([{ key: 'k', value: 'a' }]));
    a.catch(() => undefined);
    while (!syncing) await tick(); // a is written; its fsync is held
    gates.write = new Promise((r) => (openWrite = r));
    let settled = false;
    const b = log.append(batch([{ key: 'k', value: 'b' }])).finally(() => (settled = true));
    b.catch(() => undefined);
    while (!writing) await tick(); // b's write is held
    sim.failNext('fsync', 'EIO', { path: /\.log$/ });
    openSync();
    await rejectsWithCode(a, 'STORAGE_FAILED');
    for (let i = 0; i < 10; i++) await tick();
    assert.notEqual(log.failure, null);
    assert.equal(settled, false, 'not rejected while its write runs');
    openWrite();
    await rejectsWithCode(b, 'STORAGE_FAILED');
    assert.equal(writing, false);
    await log.close().catch(() => undefined);
  });
});

