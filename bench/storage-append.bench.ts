/**
 * Append throughput and latency of the segment log with fsync=always (group commit).
 *
 *   node dist/bench/storage-append.bench.js [dir] [--seconds 3] [--window 256]
 *
 * Each message is a one-record RecordBatch v2 with a 1 KiB value, encoded before the clock
 * starts (the Kafka path receives batches already encoded); each append gets a fresh copy of
 * its bytes, as a network read would give it. Scenarios, each on a fresh log in `dir` (default:
 * a new folder under /tmp):
 *   1 producer, serial       await each append before the next: bounded by fsync latency
 *   1 producer, pipelined    up to --window appends outstanding, as a Kafka client pipelines
 *   64 producers             64 serial loops at once
 * The first line measures the disk itself: serial 4 KiB write + fdatasync pairs per second.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeBatch } from '../src/storage/codec/record-batch.js';
import { diskFs } from '../src/storage/fs/disk.js';
import { openLog, type SegmentLog } from '../src/storage/log/index.js';

const VALUE_BYTES = 1024;
const POOL = 1024;

interface Args {
  dir: string;
  /** We made the folder, so we remove it. */
  ownDir: boolean;
  seconds: number;
  window: number;
}

function parseArgs(argv: string[]): Args {
  let dir: string | null = null;
  let seconds = 3;
  let window = 256;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seconds') seconds = Number(argv[++i]);
    else if (a === '--window') window = Number(argv[++i]);
    else dir = a;
  }
  if (dir !== null) mkdirSync(dir, { recursive: true });
  return { dir: dir ?? mkdtempSync('/tmp/hopper-bench-'), ownDir: dir === null, seconds, window };
}

function templates(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < POOL; i++) {
    out.push(encodeBatch([{ key: Buffer.from(`key-${i}`), value: Buffer.alloc(VALUE_BYTES, i & 0xff) }]));
  }
  return out;
}

async function diskFsyncRate(dir: string, seconds: number): Promise<number> {
  const path = join(dir, 'fsync-probe');
  const fh = await open(path, 'w');
  const block = Buffer.alloc(4096, 7);
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await fh.write(block, 0, block.length, n * block.length);
    await fh.datasync();
    n++;
  }
  await fh.close();
  await rm(path);
  return n / seconds;
}

interface Outcome {
  msgs: number;
  seconds: number;
  latenciesMs: Float64Array;
  syncs: number;
  writes: number;
}

async function run(log: SegmentLog, tpl: Buffer[], seconds: number, producers: number, window: number): Promise<Outcome> {
  const cap = 8_000_000;
  const lat = new Float64Array(cap);
  let count = 0;
  let next = 0;
  const t0 = performance.now();
  const stopAt = t0 + seconds * 1000;
  const one = async (): Promise<void> => {
    const b = Buffer.from(tpl[next++ & (POOL - 1)]!);
    const s = performance.now();
    await log.append(b);
    if (count < cap) lat[count] = performance.now() - s;
    count++;
  };
  const loop = async (): Promise<void> => {
    while (performance.now() < stopAt) await one();
  };
  const s0 = { ...log.ioStats };
  if (window > 1) {
    // One producer keeping up to `window` appends outstanding.
    await new Promise<void>((resolve, reject) => {
      let inFlight = 0;
      const pump = (): void => {
        while (inFlight < window && performance.now() < stopAt) {
          inFlight++;
          one().then(() => {
            inFlight--;
            if (performance.now() < stopAt) pump();
            else if (inFlight === 0) resolve();
          }, reject);
        }
      };
      pump();
    });
  } else {
    await Promise.all(Array.from({ length: producers }, loop));
  }
  const elapsed = (performance.now() - t0) / 1000;
  return { msgs: count, seconds: elapsed, latenciesMs: lat.subarray(0, Math.min(count, cap)), syncs: log.ioStats.syncs - s0.syncs, writes: log.ioStats.writes - s0.writes };
}

function pct(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const tpl = templates();
  const batchBytes = tpl[0]!.length;
  console.log(`storage-append: ${VALUE_BYTES} B values, ${batchBytes} B batches on disk, fsync=always, dir ${args.dir}, ${args.seconds} s per scenario`);
  console.log(`disk: ${(await diskFsyncRate(args.dir, 1)).toFixed(0)} serial 4 KiB write+fdatasync/s`);
  const scenarios: [string, number, number][] = [
    ['1 producer, serial', 1, 1],
    [`1 producer, pipelined (window ${args.window})`, 1, args.window],
    ['64 producers', 64, 1],
  ];
  for (const [name, producers, window] of scenarios) {
    const dir = join(args.dir, `log-${producers}-${window}`);
    await diskFs.rmrf(dir);
    const log = await openLog({ fs: diskFs, dir, config: { fsync: { kind: 'always' } } });
    const o = await run(log, tpl, args.seconds, producers, window);
    await log.close();
    await diskFs.rmrf(dir);
    const sorted = o.latenciesMs.slice().sort();
    const rate = o.msgs / o.seconds;
    console.log(
      `${name.padEnd(34)} ${rate.toFixed(0).padStart(8)} msg/s  ${((rate * VALUE_BYTES) / 2 ** 20).toFixed(1).padStart(6)} MiB/s values` +
        `  p50 ${pct(sorted, 0.5).toFixed(3)} ms  p99 ${pct(sorted, 0.99).toFixed(3)} ms` +
        `  ${o.syncs} fsyncs (${(o.msgs / Math.max(1, o.syncs)).toFixed(1)} appends/fsync), ${o.writes} writev`,
    );
  }
  if (args.ownDir) await rm(args.dir, { recursive: true, force: true });
}

await main();
