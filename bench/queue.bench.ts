/**
 * Queue benchmarks over the segment log on disk.
 *
 *   node --expose-gc dist/bench/queue.bench.js [dir] [--messages 300000] [--window 2000]
 *        [--backlog 1000000] [--only e2e|backlog]
 *
 * 1. publish → deliver → ack, in process: 1 KiB durable messages (fsync always, group commit),
 *    one push consumer with prefetch 1000 acking in its callback, publishers keeping --window
 *    publishes outstanding. Reports msg/s end to end, and p50/p99 of publish→deliver and of
 *    publish→confirm (the publish promise resolving: durable).
 * 2. A backlog of --backlog ready 1 KiB messages with no consumer: RSS once published, reopen
 *    time after a clean close, RSS after reopen, and the rate of draining it from disk.
 *
 * Each scenario gets a fresh queue folder under `dir` (default: a new folder under /tmp).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Message } from '../src/core/message.js';
import { openQueue, type QueueStorage } from '../src/core/queue/open.js';
import type { Queue } from '../src/core/queue/queue.js';
import { diskFs } from '../src/storage/fs/disk.js';
import { openLog } from '../src/storage/log/index.js';
import type { FsyncPolicy } from '../src/storage/types.js';

const VALUE_BYTES = 1024;

interface Args {
  dir: string;
  ownDir: boolean;
  messages: number;
  window: number;
  backlog: number;
  only: 'e2e' | 'backlog' | null;
}

function parseArgs(argv: string[]): Args {
  let dir: string | null = null;
  let messages = 300_000;
  let window = 2000;
  let backlog = 1_000_000;
  let only: Args['only'] = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--messages') messages = Number(argv[++i]);
    else if (a === '--window') window = Number(argv[++i]);
    else if (a === '--backlog') backlog = Number(argv[++i]);
    else if (a === '--only') only = argv[++i] === 'backlog' ? 'backlog' : 'e2e';
    else dir = a;
  }
  if (dir !== null) mkdirSync(dir, { recursive: true });
  return { dir: dir ?? mkdtempSync('/tmp/hopper-queue-bench-'), ownDir: dir === null, messages, window, backlog, only };
}

function storage(dir: string, fsync: FsyncPolicy): QueueStorage {
  return { openLog: (kind, suggested) => openLog({ fs: diskFs, dir: join(dir, kind), config: { ...suggested, fsync } }) };
}

/** A fresh 1 KiB body per message (as a network read gives), send time in the key. */
function message(): Message {
  const key = Buffer.allocUnsafe(8);
  key.writeDoubleLE(performance.now());
  return { key, value: Buffer.allocUnsafe(VALUE_BYTES).fill(0x61), headers: [], timestamp: Date.now(), properties: {} };
}

function pct(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function mib(n: number): string {
  return `${(n / 1048576).toFixed(0)} MiB`;
}

function rss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

/** RSS plus what of it is live: JS heap and buffers. */
function memory(): string {
  const r = rss();
  const m = process.memoryUsage();
  return `RSS ${mib(r)} (heap ${mib(m.heapUsed)}, buffers ${mib(m.arrayBuffers)})`;
}

/** Keeps `window` publishes outstanding until `total` are confirmed; records confirm latency. */
function publishAll(q: Queue, total: number, window: number, confirm: Float64Array | null): Promise<void> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const pump = (): void => {
      while (sent < total && sent - done < window) {
        const i = sent++;
        const m = message();
        const t0 = performance.now();
        q.publish(m).then(() => {
          if (confirm !== null) confirm[i] = performance.now() - t0;
          if (++done === total) resolve();
          else pump();
        }, reject);
      }
    };
    pump();
  });
}

async function endToEnd(args: Args): Promise<void> {
  const dir = join(args.dir, 'e2e');
  const q = await openQueue({ name: 'bench', storage: storage(dir, { kind: 'always' }) });
  const run = async (n: number, record: boolean): Promise<void> => {
    const deliverLat = new Float64Array(n);
    const confirmLat = new Float64Array(n);
    let got = 0;
    let finish!: () => void;
    const allIn = new Promise<void>((r) => (finish = r));
    const c = q.consume({ prefetchCount: 1000 }, (d) => {
      deliverLat[got] = performance.now() - d.message.key!.readDoubleLE(0);
      q.ack(d.leaseId);
      if (++got === n) finish();
    });
    const t0 = performance.now();
    await publishAll(q, n, args.window, confirmLat);
    await allIn;
    const secs = (performance.now() - t0) / 1000;
    c.cancel();
    await q.flush();
    if (!record) return;
    deliverLat.sort();
    confirmLat.sort();
    console.log(`publish → deliver → ack, 1 KiB, fsync always, prefetch 1000, window ${args.window}: ${n} messages`);
    console.log(`  ${(n / secs).toFixed(0)} msg/s (${(secs * 1000).toFixed(0)} ms)`);
    console.log(`  publish→deliver p50 ${pct(deliverLat, 0.5).toFixed(2)} ms, p99 ${pct(deliverLat, 0.99).toFixed(2)} ms`);
    console.log(`  publish→confirm p50 ${pct(confirmLat, 0.5).toFixed(2)} ms, p99 ${pct(confirmLat, 0.99).toFixed(2)} ms`);
  };
  await run(Math.min(50_000, args.messages), false); // warm-up
  await run(args.messages, true);
  await q.close();
}

async function backlog(args: Args): Promise<void> {
  const dir = join(args.dir, 'backlog');
  const n = args.backlog;
  const rss0 = rss();
  let q = await openQueue({ name: 'backlog', storage: storage(dir, { kind: 'always' }) });
  let t0 = performance.now();
  await publishAll(q, n, args.window, null);
  const pubSecs = (performance.now() - t0) / 1000;
  console.log(`backlog: ${n} ready 1 KiB messages, fsync always, no consumer`);
  console.log(`  published in ${pubSecs.toFixed(1)} s (${(n / pubSecs).toFixed(0)} msg/s); ${memory()}; RSS before: ${mib(rss0)}`);
  await q.close();
  t0 = performance.now();
  q = await openQueue({ name: 'backlog', storage: storage(dir, { kind: 'always' }) });
  const reopenMs = performance.now() - t0;
  console.log(`  reopen after clean close: ${reopenMs.toFixed(0)} ms; ready ${q.stats().ready}; ${memory()}`);
  t0 = performance.now();
  let got = 0;
  await new Promise<void>((resolve) => {
    q.consume({ prefetchCount: 1000 }, (d) => {
      q.ack(d.leaseId);
      if (++got === n) resolve();
    });
  });
  const drainSecs = (performance.now() - t0) / 1000;
  await q.flush();
  console.log(`  drained from disk: ${(n / drainSecs).toFixed(0)} msg/s; ${memory()}`);
  await q.close();
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  try {
    if (args.only !== 'backlog') await endToEnd(args);
    if (args.only !== 'e2e') await backlog(args);
  } finally {
    if (args.ownDir) await rm(args.dir, { recursive: true, force: true });
  }
}

await main();
