/**
 * Kafka endpoint end to end (issue 4): a Hopper process, kcat (librdkafka) as load generator.
 *
 *   node dist/bench/kafka.bench.js [--records 1000000] [--latency-seconds 10] [--rate-mbs 50]
 *        [--disk-mib 512] [--dir DIR] [--profile] [--warmup-seconds 2]
 *        [--client platformatic|kafkajs] [--max-inflight 5] [--fsync always] [--linger-ms 5] [--batch-size 1000000]
 *
 * Steps, all in one temp folder (default: a new folder under /tmp) on the same disk:
 *   disk     sequential write rate: --disk-mib MiB in 1 MiB writes, one fdatasync at the end
 *   produce  kcat -P -X acks=all, --records 1 KiB records from a pre-generated file
 *   consume  kcat -C from the beginning of the same topic, --records records (kcat prints only
 *            each offset; records counted)
 *   disk alone  write + fdatasync of the latency phase's bytes every 5 ms, for --latency-seconds
 *            (the floor under Hopper's produce latency at that rate, taken right before it:
 *            this disk's fsync stalls come and go)
 *   latency  @platformatic/kafka (or --client kafkajs) producer, acks=all, pacing sends at
 *            --rate-mbs MB/s to a second topic: every 5 ms it sends the records due; a send's
 *            latency runs from when it was due (not when it went out) to its ack, so a stalled
 *            broker is not hidden. The first --warmup-seconds at that pace are not measured (the
 *            client's code is cold: kafka-producer-perf-test's --warmup-records does the same),
 *            the next --latency-seconds are.
 * The disk probes' files are deleted only at the end, with the folder: this disk is mounted with
 * online discard, and freeing a GB of blocks during a measured phase adds device work there.
 * Hopper runs as `node <HOPPER_NODE_FLAGS> dist/src/cli/main.js start` (as `npm start` does) with
 * fsync=always (the default). --profile
 * starts it under `node --cpu-prof` and prints where its CPU time went in each phase. Needs `npx tsc -p .`.
 * MB below = 10^6 bytes.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Producer as PlatProducer } from '@platformatic/kafka';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { summariseCpuProfile } from './lib/cpuprofile.js';
import { startHopper } from './lib/peers.js';

const RECORD = 1024;
const MB = 1e6;

interface Args {
  records: number;
  latencySeconds: number;
  warmupSeconds: number;
  rateMBs: number;
  diskMiB: number;
  dir: string | null;
  profile: boolean;
  lingerMs: number;
  batchSize: number;
  client: 'platformatic' | 'kafkajs';
  /** @platformatic/kafka requests in flight per connection (its default, and Kafka's, is 5). */
  maxInflight: number;
  /** Hopper's --fsync policy; `always` (the default) is what the goals assume. */
  fsync: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { records: 1_000_000, latencySeconds: 10, warmupSeconds: 2, rateMBs: 50, diskMiB: 512, dir: null, profile: false, lingerMs: 5, batchSize: 1_000_000, client: 'platformatic', maxInflight: 5, fsync: 'always' };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const num = (): number => Number(argv[++i]);
    if (f === '--records') a.records = num();
    else if (f === '--latency-seconds') a.latencySeconds = num();
    else if (f === '--warmup-seconds') a.warmupSeconds = num();
    else if (f === '--rate-mbs') a.rateMBs = num();
    else if (f === '--disk-mib') a.diskMiB = num();
    else if (f === '--dir') a.dir = argv[++i]!;
    else if (f === '--profile') a.profile = true;
    else if (f === '--linger-ms') a.lingerMs = num();
    else if (f === '--batch-size') a.batchSize = num();
    else if (f === '--max-inflight') a.maxInflight = num();
    else if (f === '--fsync') a.fsync = argv[++i]!;
    else if (f === '--client') {
      const c = argv[++i];
      if (c !== 'platformatic' && c !== 'kafkajs') throw new Error('--client platformatic|kafkajs');
      a.client = c;
    }
    else throw new Error(`unknown argument ${f}`);
  }
  return a;
}

const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

/** The probes' files, deleted at the end of the run (see the header). */
const DISK_PROBE_FILES = ['disk-probe', 'disk-latency-probe'];

async function diskWriteMBs(dir: string, mib: number): Promise<number> {
  const path = join(dir, DISK_PROBE_FILES[0]!);
  const buf = Buffer.alloc(1 << 20, 0x5a);
  for (let i = 0; i < buf.length; i += 8) buf.writeUInt32LE((i * 2654435761) >>> 0, i);
  const fh = await open(path, 'w');
  const t0 = performance.now();
  for (let i = 0; i < mib; i++) await fh.write(buf, 0, buf.length);
  await fh.datasync();
  const s = (performance.now() - t0) / 1000;
  await fh.close();
  return (mib * (1 << 20)) / MB / s;
}

/**
 * Waits until performance.now() >= t, neither early nor late: latencies count from the due time.
 * Timers run on the event loop's millisecond clock (one can fire up to 1 ms early, and waiting
 * for a whole extra millisecond would charge the broker for the client's oversleep), so the last
 * millisecond is spun on setImmediate, which still lets the loop take in acks meanwhile.
 */
async function sleepUntil(t: number): Promise<void> {
  const left = t - performance.now();
  if (left > 1) await new Promise((r) => setTimeout(r, Math.floor(left - 1)));
  while (performance.now() < t) await new Promise((r) => setImmediate(r));
}

/**
 * The disk alone at the latency phase's pace: every 5 ms the bytes due are written and
 * fdatasynced, each timed from when it was due. What Hopper's produce latency at that rate
 * cannot go below: a stalled fsync delays every write due meanwhile.
 */
async function diskPacedLatency(dir: string, rateMBs: number, seconds: number): Promise<{ p50: number; p99: number; max: number }> {
  const TICK_MS = 5;
  const path = join(dir, DISK_PROBE_FILES[1]!);
  const buf = Buffer.alloc(Math.round((rateMBs * MB * TICK_MS) / 1000), 0x5a);
  const fh = await open(path, 'w');
  const lat = new Float64Array(Math.ceil((seconds * 1000) / TICK_MS));
  const t0 = performance.now();
  let pos = 0;
  for (let i = 0; i < lat.length; i++) {
    const due = t0 + i * TICK_MS;
    await sleepUntil(due);
    await fh.write(buf, 0, buf.length, pos);
    pos += buf.length;
    await fh.datasync();
    lat[i] = performance.now() - due;
  }
  await fh.close();
  lat.sort();
  return { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), max: percentile(lat, 1) };
}

/** One record per line: 1,024 printable bytes then '\n' (kcat -l splits on newlines). */
async function writeRecordFile(path: string, records: number): Promise<void> {
  const POOL = 256;
  const chunk = Buffer.alloc(POOL * (RECORD + 1));
  let x = 0x9e3779b9;
  for (let r = 0; r < POOL; r++) {
    const off = r * (RECORD + 1);
    for (let i = 0; i < RECORD; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      chunk[off + i] = 0x21 + ((x >>> 0) % 94);
    }
    chunk[off + RECORD] = 0x0a;
  }
  const ws = createWriteStream(path);
  let left = records;
  while (left > 0) {
    const n = Math.min(left, POOL);
    const ok = ws.write(n === POOL ? chunk : chunk.subarray(0, n * (RECORD + 1)));
    left -= n;
    if (!ok) await new Promise<void>((r) => ws.once('drain', () => r()));
  }
  await new Promise<void>((res, rej) => ws.end((e?: Error | null) => (e ? rej(e) : res())));
}

/** Runs a command; resolves with seconds elapsed, bytes and lines it wrote to stdout. */
function run(cmd: string, args: string[]): Promise<{ seconds: number; stdoutBytes: number; lines: number }> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let lines = 0;
    let err = '';
    child.stdout!.on('data', (b: Buffer) => {
      bytes += b.length;
      for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) lines++;
    });
    child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
    child.once('error', rej);
    child.once('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) rej(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      else res({ seconds, stdoutBytes: bytes, lines });
    });
  });
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface LatencyResult { sentMBs: number; records: number; p50: number; p99: number; max: number; errors: number; loopP99: number; loopMax: number }

type SendBatch = (n: number) => Promise<unknown>;

async function makeSender(client: Args['client'], port: number, topic: string, maxInflights: number): Promise<{ send: SendBatch; close: () => Promise<void> }> {
  const value = Buffer.alloc(RECORD, 0x61);
  if (client === 'kafkajs') {
    const kafka = new Kafka({ clientId: 'bench-latency', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
    await producer.connect();
    return {
      send: (n) => producer.send({ topic, acks: -1, messages: Array.from({ length: n }, () => ({ value })) }),
      close: () => producer.disconnect(),
    };
  }
  const producer = new PlatProducer({ clientId: 'bench-latency', bootstrapBrokers: [`127.0.0.1:${port}`], acks: -1, autocreateTopics: true, maxInflights });
  return {
    send: (n) => producer.send({ messages: Array.from({ length: n }, () => ({ topic, partition: 0, value })) }),
    close: () => producer.close(),
  };
}

interface Paced { samples: number[]; counts: number[]; errors: number; sent: number; seconds: number }

/** Sends `rateMBs` of 1 KiB records for `seconds`, every 5 ms the records due; each send timed from when it was due. */
async function pace(send: SendBatch, rateMBs: number, seconds: number): Promise<Paced> {
  const perSec = (rateMBs * MB) / RECORD;
  const TICK_MS = 5;
  const r: Paced = { samples: [], counts: [], errors: 0, sent: 0, seconds: 0 }; // one sample per send, weighted by its record count
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  const endAt = t0 + seconds * 1000;
  for (let tick = 0; ; tick++) {
    const dueAt = t0 + tick * TICK_MS;
    if (dueAt >= endAt) break;
    await sleepUntil(dueAt);
    const n = Math.floor(((dueAt - t0 + TICK_MS) / 1000) * perSec) - r.sent;
    if (n <= 0) continue;
    r.sent += n;
    const p: Promise<void> = send(n).then(
      () => { r.samples.push(performance.now() - dueAt); r.counts.push(n); },
      () => { r.errors++; },
    ).finally(() => pending.delete(p));
    pending.add(p);
  }
  r.seconds = (performance.now() - t0) / 1000;
  await Promise.all(pending);
  return r;
}

/** Paced producer: `warmupSeconds` unmeasured, then `seconds` measured (see the header). */
async function pacedLatency(args: Args, port: number, topic: string): Promise<LatencyResult> {
  const producer = await makeSender(args.client, port, topic, args.maxInflight);
  await producer.send(1); // connection and metadata
  if (args.warmupSeconds > 0) await pace(producer.send, args.rateMBs, args.warmupSeconds);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const r = await pace(producer.send, args.rateMBs, args.latencySeconds);
  loop.disable();
  await producer.close();
  // record-weighted percentiles
  const total = r.counts.reduce((s, c) => s + c, 0);
  const order = r.samples.map((_, i) => i).sort((a, b) => r.samples[a]! - r.samples[b]!);
  const at = (q: number): number => {
    let acc = 0;
    const want = q * total;
    for (const i of order) { acc += r.counts[i]!; if (acc >= want) return r.samples[i]!; }
    return NaN;
  };
  const sorted = Float64Array.from(r.samples).sort();
  return { sentMBs: (r.sent * RECORD) / MB / r.seconds, records: r.sent, p50: at(0.5), p99: at(0.99), max: percentile(sorted, 1), errors: r.errors, loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6 };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.dir !== null) mkdirSync(args.dir, { recursive: true });
  const dir = args.dir ?? mkdtempSync('/tmp/hopper-kafka-bench-');
  const dataDir = join(dir, 'data');
  const profDir = join(dir, 'prof');
  mkdirSync(dataDir, { recursive: true });
  console.log(`dir ${dir}; ${fmt(args.records)} × 1 KiB records, acks=all, fsync=${args.fsync}, linger.ms=${args.lingerMs}, batch.size=${args.batchSize}`);

  const diskMBs = await diskWriteMBs(dir, args.diskMiB);
  console.log(`disk sequential write (${args.diskMiB} × 1 MiB + fdatasync): ${fmt(diskMBs)} MB/s`);

  const recordFile = join(dir, 'records.txt');
  await writeRecordFile(recordFile, args.records);
  // Flushed now, so the kernel's write-back of this 1 GB input does not compete with Hopper's
  // fsyncs during the produce phase (it stays in the page cache for kcat to read).
  const rf = await open(recordFile, 'r+');
  await rf.datasync();
  await rf.close();

  const hopper = await startHopper({
    kafka: true,
    amqp: false,
    dataDir,
    fsync: args.fsync,
    nodeFlags: args.profile ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [],
  });
  const port = hopper.kafkaPort!;
  const phases: [string, [number, number]][] = [];
  try {
    const broker = `127.0.0.1:${port}`;
    const topic = 'bench-tput';

    const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
    const t0 = nowUs();
    const prod = await run('kcat', ['-P', '-b', broker, '-t', topic, '-p', '0', '-X', 'acks=all', '-X', `linger.ms=${args.lingerMs}`,
      '-X', `batch.size=${args.batchSize}`, '-X', 'compression.codec=none', '-X', 'queue.buffering.max.kbytes=1048576', '-l', recordFile]);
    const prodBytes = args.records * RECORD;
    console.log(`produce: ${fmt(prod.seconds, 2)} s`);

    const t1 = nowUs();
    const cons = await run('kcat', ['-C', '-b', broker, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-c', String(args.records), '-f', '%o\n',
      '-X', 'fetch.max.bytes=52428800', '-X', 'fetch.message.max.bytes=8388608', '-X', 'queued.max.messages.kbytes=262144']);
    // kcat prints each record's offset, not its value, so the pipe to us does not cost the client a core
    const consBytes = cons.lines * RECORD;
    console.log(`consume: ${fmt(cons.seconds, 2)} s, ${fmt(cons.lines)} records`);
    if (cons.lines !== args.records) console.log(`WARNING: consumed ${fmt(cons.lines)} records, expected ${fmt(args.records)}`);

    const t2 = nowUs();
    const diskLat = await diskPacedLatency(dir, args.rateMBs, args.latencySeconds);
    const t3 = nowUs();
    const lat = await pacedLatency(args, port, 'bench-latency');

    phases.push(['produce (kcat)', [t0, t1]], ['consume (kcat)', [t1, t2]], [`latency at ${args.rateMBs} MB/s`, [t3, nowUs()]]);
    const rows: [string, string, string][] = [
      ['disk sequential write', `${fmt(diskMBs)} MB/s`, '(~890 MB/s assumed)'],
      [`disk alone: write + fdatasync every 5 ms at ${args.rateMBs} MB/s`, `p50 ${fmt(diskLat.p50, 2)} ms, p99 ${fmt(diskLat.p99, 2)} ms, max ${fmt(diskLat.max, 1)} ms`, '(floor for the latency row)'],
      ['produce (kcat, acks=all)', `${fmt(prodBytes / MB / prod.seconds)} MB/s, ${fmt(args.records / prod.seconds)} msg/s`, '≥ 300 MB/s'],
      ['consume from beginning (kcat)', `${fmt(consBytes / MB / cons.seconds)} MB/s, ${fmt(cons.lines / cons.seconds)} msg/s`, '≥ 600 MB/s'],
      [`produce latency at ${args.rateMBs} MB/s (${args.client}, ${args.latencySeconds} s after ${args.warmupSeconds} s warm-up)`, `p50 ${fmt(lat.p50, 2)} ms, p99 ${fmt(lat.p99, 2)} ms, max ${fmt(lat.max, 1)} ms (sent ${fmt(lat.sentMBs, 1)} MB/s${lat.errors ? `, ${lat.errors} errors` : ''}; client event-loop delay p99 ${fmt(lat.loopP99, 1)} ms, max ${fmt(lat.loopMax, 1)} ms)`, 'p99 < 10 ms'],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length), 7);
    const w1 = Math.max(...rows.map((r) => r[1].length), 6);
    console.log(`\n| ${'measure'.padEnd(w0)} | ${'result'.padEnd(w1)} | goal |`);
    console.log(`|${'-'.repeat(w0 + 2)}|${'-'.repeat(w1 + 2)}|------|`);
    for (const r of rows) console.log(`| ${r[0].padEnd(w0)} | ${r[1].padEnd(w1)} | ${r[2]} |`);
  } finally {
    await hopper.stop();
  }
  if (args.profile) {
    const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
    for (const f of files) {
      console.log(`\nHopper CPU profile ${join(profDir, f)}`);
      for (const [phase, win] of phases) {
        const s = summariseCpuProfile(join(profDir, f), 14, win);
        console.log(`\n${phase}: ${fmt(s.total)} ms sampled; top functions by self time:`);
        for (const e of s.top) console.log(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${fmt(e.selfMs).padStart(7)} ms  ${e.name}`);
        console.log('  by file:');
        for (const e of s.files.slice(0, 8)) console.log(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${fmt(e.selfMs).padStart(7)} ms  ${e.name}`);
      }
    }
  }
  if (args.dir === null) await rm(dir, { recursive: true, force: true });
  else for (const f of DISK_PROBE_FILES) await rm(join(dir, f), { force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
