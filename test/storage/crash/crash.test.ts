/**
 * Real-disk crash test: a child process appends with fsync=always and prints each acknowledged
 * offset; we SIGKILL it at a random moment (sometimes during its startup recovery), reopen the
 * log here and check that every acknowledged record is there with a valid CRC and its exact
 * content, that offsets are contiguous from 0, and that the next append continues at
 * nextOffset. 24 rounds on one folder, so each round also recovers what the last one left.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeBatch } from '../../../src/storage/codec/record-batch.js';
import { diskFs } from '../../../src/storage/fs/disk.js';
import { SeededRandom } from '../../../src/storage/fs/sim-faults.js';
import { openLog, type SegmentLog } from '../../../src/storage/log/index.js';
import { records } from '../log/helpers.js';
import { CRASH_LOG_CONFIG, valueFor } from './shared.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'child.js');
const ROUNDS = 24;

interface Round {
  ready: number | null;
  acked: Map<number, string>;
}

/** Runs the child until killed at `delayMs` after its "ready" line (or after spawn when early). */
function runChild(dir: string, producers: number, run: number, delayMs: number, early: boolean): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(producers), String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | null = null;
    const kill = (): void => void child.kill('SIGKILL');
    if (early) timer = setTimeout(kill, delayMs);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (timer === null && out.includes('\n')) timer = setTimeout(kill, delayMs);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer !== null) clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child exited ${code} ${signal}: ${err}`));
      const round: Round = { ready: null, acked: new Map() };
      const lines = out.split('\n');
      lines.pop(); // the last line may be cut by the kill
      for (const line of lines) {
        const [a, b] = line.split(' ');
        if (a === 'ready') round.ready = Number(b);
        else round.acked.set(Number(a), b!);
      }
      resolve(round);
    });
  });
}

/** Checks offsets [from, nextOffset) batch by batch; returns the records' keys by offset. */
async function verifyFrom(log: SegmentLog, from: number, acked: Map<number, string>): Promise<void> {
  let offset = from;
  while (offset < log.nextOffset) {
    const r = await log.read(offset, 1 << 20);
    assert.ok(r.bytes.length > 0, `offset ${offset} readable`);
    for (const g of records(r.bytes)) {
      // records() decodes with CRC checks; content must match the key's value exactly.
      if (g.offset < offset) continue;
      assert.equal(g.offset, offset, 'offsets contiguous');
      assert.equal(g.value, valueFor(g.key!).toString(), `content of ${g.key}`);
      const want = acked.get(g.offset);
      if (want !== undefined) assert.equal(g.key, want, `acknowledged offset ${g.offset}`);
      offset++;
    }
  }
  for (const [o] of acked) if (o >= from) assert.ok(o < log.nextOffset, `acknowledged offset ${o} survived`);
}

describe('crash: SIGKILL during fsync=always appends on the real disk', () => {
  it(`${ROUNDS} kill/recover rounds lose nothing acknowledged`, async (t) => {
    const root = mkdtempSync('/tmp/hopper-crash-');
    const dir = join(root, 'log');
    const seed = Number(process.env['HOPPER_CRASH_SEED'] ?? Date.now() % 1e9);
    const rng = new SeededRandom(seed);
    let truncations = 0;
    const acked = new Map<number, string>();
    let verified = 0; // offsets below this were checked in an earlier round
    let totalAcked = 0;
    try {
      for (let run = 0; run < ROUNDS; run++) {
        const early = rng.next() < 0.15;
        const round = await runChild(dir, 1 + rng.int(16), run, early ? rng.int(150) : 10 + rng.int(250), early);
        for (const [o, k] of round.acked) {
          assert.ok(!acked.has(o), `offset ${o} acknowledged twice`);
          acked.set(o, k);
        }
        totalAcked += round.acked.size;
        if (round.ready !== null) assert.ok(round.ready >= verified, 'the child resumed at or after the last verified end');
        const log = await openLog({ fs: diskFs, dir, config: CRASH_LOG_CONFIG });
        assert.equal(log.logStartOffset, 0);
        if (log.recovery.truncatedBytes > 0) truncations++;
        await verifyFrom(log, run === ROUNDS - 1 ? 0 : verified, acked);
        const next = log.nextOffset;
        const key = `parent-${run}`;
        const r = await log.append(encodeBatch([{ key: Buffer.from(key), value: valueFor(key) }]));
        assert.equal(r.baseOffset, next, 'the next append continues at nextOffset');
        acked.set(r.baseOffset, key);
        verified = r.baseOffset + 1;
        await log.close();
      }
      assert.ok(totalAcked > ROUNDS * 5, `${totalAcked} appends acknowledged before kills`);
      t.diagnostic(`seed ${seed} (HOPPER_CRASH_SEED replays it): ${totalAcked} acknowledged appends, ${acked.size} records checked, torn tails cut in ${truncations} of ${ROUNDS} recoveries`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
