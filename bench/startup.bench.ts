/**
 * Start-up time and memory of `hopper start` (issue 11 item 15).
 *
 *   npm run bench -- startup [--runs 5] [--small 1000] [--queue-backlog 1000000]
 *        [--topic-records 4000000] [--topic-partitions 4] [--bytes 100] [--acks 200000] [--only fresh,first,npm,kill9,backlog]
 *        [--cpu-prof DIR]
 *
 * Time is from spawning the process to both the AMQP and the Kafka port accepting connections
 * (polled every 2 ms). Phases:
 * - fresh: a new data directory, `node <HOPPER_NODE_FLAGS> dist/src/cli/main.js start`, with
 *   the AMQP warm-up (amqp.warmUpMessages, off by default) on and off; RSS 3 s after the ports
 *   accept, both ways.
 * - first: whether the warm-up pays: a fresh broker, warm-up on (once it has finished) or off,
 *   then the first 20,000 persistent 1 KiB messages through one queue (confirms with 1,000
 *   outstanding, a consumer acking each; bench/lib/amqp-workload.ts), from a fresh client
 *   process's view: p50/p99 publish-to-delivery latency, alternating on and off --runs times.
 * - npm: the same through `npm start` (npm's own start-up included), fresh directory, default
 *   settings.
 * - kill9: a broker with a small backlog (--small persistent messages in a queue, as many
 *   records in a topic, published by clients while a consumer acks half of them), killed with
 *   SIGKILL, restarted; --runs times on the same directory.
 * - backlog: a directory holding a queue of --queue-backlog messages and a topic of
 *   --topic-records records (--bytes each), filled by an embedded broker
 *   (bench/lib/fill-backlog.ts); restart after a clean stop and after kill -9. The broker's own
 *   "recovered" log line gives the recovery time inside the process.
 * --cpu-prof DIR profiles the restarts of the backlog phase (node --cpu-prof) and prints the top
 * self-time functions.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import amqp from 'amqplib';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { HOPPER_NODE_FLAGS } from '../src/cli/node-flags.js';
import { mainScenario } from './lib/amqp-workload.js';
import { newestCpuProfile, summariseCpuProfile } from './lib/cpuprofile.js';
import { awaitPort, freePort, repoRoot, sleep } from './lib/peers.js';

interface Args {
  runs: number;
  small: number;
  queueBacklog: number;
  topicRecords: number;
  topicPartitions: number;
  bytes: number;
  only: string[];
  /** Messages of the backlog queue acknowledged (every other one) before the kill. */
  acks: number;
  cpuProf: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { runs: 5, small: 1000, queueBacklog: 1_000_000, topicRecords: 4_000_000, topicPartitions: 4, bytes: 100, only: ['fresh', 'first', 'npm', 'kill9', 'backlog'], acks: 200_000, cpuProf: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = argv[++i];
    const num = () => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} needs a whole number, got ${v}`);
      return n;
    };
    if (flag === '--runs') a.runs = Math.max(1, num());
    else if (flag === '--small') a.small = num();
    else if (flag === '--queue-backlog') a.queueBacklog = num();
    else if (flag === '--topic-records') a.topicRecords = num();
    else if (flag === '--topic-partitions') a.topicPartitions = Math.max(1, num());
    else if (flag === '--bytes') a.bytes = num();
    else if (flag === '--acks') a.acks = num();
    else if (flag === '--only') a.only = (v ?? '').split(',');
    else if (flag === '--cpu-prof') a.cpuProf = resolve(v ?? '');
    else throw new Error(`unknown option ${flag}`);
  }
  return a;
}

/** Size of the warm-up when it is on (amqp.warmUpMessages; off by default). */
const WARM_UP_MESSAGES = 20_000;

const root = repoRoot;
const main = join(root, 'dist/src/cli/main.js');
const fill = join(root, 'dist/bench/lib/fill-backlog.js');

interface Running {
  child: ChildProcess;
  amqpPort: number;
  kafkaPort: number;
  /** Spawn to both ports accepting. */
  readyMs: number;
  stderr: () => string;
  /** Started through npm, as the leader of its own process group. */
  viaNpm: boolean;
}

async function start(dataDir: string, opts: { warmUp?: boolean; viaNpm?: boolean; cpuProf?: string } = {}): Promise<Running> {
  const [http, amqpPort, kafkaPort] = [await freePort(), await freePort(), await freePort()];
  const args = ['start', '--data', dataDir, '--http-port', String(http), '--amqp-port', String(amqpPort), '--kafka-port', String(kafkaPort), '--sqs-port', '-1'];
  const env = { ...process.env, HOPPER_AMQP_WARM_UP_MESSAGES: opts.warmUp ? String(WARM_UP_MESSAGES) : '0' };
  const t0 = performance.now();
  const child = opts.viaNpm
    ? spawn('npm', ['start', '--silent', '--', ...args.slice(1)], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true })
    : spawn(process.execPath, [...HOPPER_NODE_FLAGS, ...(opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf] : []), main, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    // No time limit: recovering a large backlog takes what it takes, and that is what is measured.
    for (const port of [amqpPort, kafkaPort]) await awaitPort(port, Infinity, () => !exited, 2);
  } catch (e) {
    throw new Error(`hopper did not start (${(e as Error).message}):\n${err}`);
  }
  return { child, amqpPort, kafkaPort, readyMs: performance.now() - t0, stderr: () => err, viaNpm: opts.viaNpm === true };
}

async function stop(r: Running, signal: NodeJS.Signals): Promise<void> {
  // 'close' comes once the process has exited and every holder of its stderr has too: under
  // npm start, that includes the broker.
  const closed = new Promise((res) => r.child.once('close', res));
  // npm (11) exits on SIGTERM without passing it on to the shell and the broker it started,
  // which then keep running: signal npm's whole process group.
  if (r.viaNpm) process.kill(-r.child.pid!, signal);
  else r.child.kill(signal);
  await closed;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${s[Math.floor((s.length - 1) / 2)]!.toFixed(0)} ms, min ${s[0]!.toFixed(0)}, max ${s.at(-1)!.toFixed(0)} (${s.length} runs)`;
};

const tmp = () => mkdtempSync(join(tmpdir(), 'hopper-startup-'));

async function fresh(a: Args): Promise<void> {
  for (const warmUp of [true, false]) {
    const times: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < a.runs; i++) {
      const dir = tmp();
      const r = await start(join(dir, 'data'), { warmUp });
      times.push(r.readyMs);
      await sleep(3000);
      rss.push(rssMb(r.child.pid!));
      await stop(r, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`fresh start, warm-up ${warmUp ? 'on' : 'off'}: ${stats(times)}; RSS 3 s after: ${rss.map((x) => x.toFixed(0)).join(', ')} MB`);
  }
}

async function first(a: Args): Promise<void> {
  const rows: Record<'on' | 'off', string[]> = { on: [], off: [] };
  for (let i = 0; i < a.runs; i++) {
    for (const warmUp of [true, false]) {
      const dir = tmp();
      const r = await start(join(dir, 'data'), { warmUp });
      if (warmUp) while (!/amqp warm-up: \d+ messages/.test(r.stderr())) await sleep(20);
      const rssIdle = rssMb(r.child.pid!);
      const res = await mainScenario(`amqp://guest:guest@127.0.0.1:${r.amqpPort}`, { messages: 20_000, size: 1024, window: 1000, prefetch: 1000, timeoutMs: 120_000 });
      const rssAfter = rssMb(r.child.pid!);
      rows[warmUp ? 'on' : 'off'].push(`p50 ${res.p50Ms} / p99 ${res.p99Ms} ms, ${Math.round(res.e2ePerS)} msg/s, RSS ${rssIdle.toFixed(0)} MB before, ${rssAfter.toFixed(0)} MB after`);
      await stop(r, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`first 20,000 messages after a fresh start, warm-up on:  ${rows.on.join('; ')}`);
  console.log(`first 20,000 messages after a fresh start, warm-up off: ${rows.off.join('; ')}`);
}

async function viaNpm(a: Args): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < a.runs; i++) {
    const dir = tmp();
    const r = await start(join(dir, 'data'), { viaNpm: true });
    times.push(r.readyMs);
    await stop(r, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`fresh start through npm start: ${stats(times)}`);
}

/** Publishes `n` persistent messages (one consumer acks half of them) and `n` Kafka records. */
async function smallBacklog(r: Running, n: number): Promise<void> {
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${r.amqpPort}`);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('small', { durable: true });
  const body = Buffer.alloc(1024, 0x62);
  for (let i = 0; i < n; i++) ch.sendToQueue('small', body, { persistent: true });
  await ch.waitForConfirms();
  const consumer = await conn.createChannel();
  await consumer.prefetch(100);
  let acked = 0;
  await new Promise<void>((done) => {
    void consumer.consume('small', (m) => {
      if (m === null) return;
      if (acked < n / 2) {
        consumer.ack(m);
        if (++acked === n / 2) done();
      }
    });
  });
  const kafka = new Kafka({ brokers: [`127.0.0.1:${r.kafkaPort}`], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = 0; i < n; i += 100) await producer.send({ topic: 'small', messages: Array.from({ length: 100 }, (_, k) => ({ value: `r${i + k}` })) });
  await producer.disconnect();
  await conn.close().catch(() => undefined);
}

async function kill9(a: Args): Promise<void> {
  const dir = tmp();
  const data = join(dir, 'data');
  const times: number[] = [];
  const recovery: string[] = [];
  let r = await start(data, { warmUp: false });
  for (let i = 0; i < a.runs; i++) {
    await smallBacklog(r, a.small);
    await stop(r, 'SIGKILL');
    r = await start(data, { warmUp: false });
    times.push(r.readyMs);
    recovery.push(recoveredMs(r.stderr()));
  }
  await stop(r, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  console.log(`restart after kill -9 with a small backlog (${a.small} messages, half acked, ${a.small} records per round): ${stats(times)}; in the process: ${recovery.join('; ')}`);
}

/**
 * Drops the data directory's files from the page cache (posix_fadvise DONTNEED, through
 * python3: node has no fadvise), so a restart reads them from the disk as after a reboot.
 * Only these files: the machine's other work keeps its cache.
 */
function evictFromPageCache(dir: string): boolean {
  const py = 'import os,sys\nfor r,_,fs in os.walk(sys.argv[1]):\n  for f in fs:\n    fd=os.open(os.path.join(r,f),os.O_RDONLY)\n    os.fdatasync(fd)\n    os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)\n    os.close(fd)\n';
  return spawnSync('python3', ['-c', py, dir], { stdio: 'inherit' }).status === 0;
}

function recoveredMs(stderr: string): string {
  const opening = /(\S+) INFO  opening data/.exec(stderr)?.[1];
  const open = /(\S+) INFO  broker open/.exec(stderr)?.[1];
  return opening && open ? `${Date.parse(open) - Date.parse(opening)} ms from "opening" to "broker open"` : '?';
}

async function backlog(a: Args): Promise<void> {
  const dir = tmp();
  const data = join(dir, 'data');
  const t0 = performance.now();
  const filler = spawn(process.execPath, [...HOPPER_NODE_FLAGS, fill, data, String(a.queueBacklog), String(a.topicRecords), String(a.topicPartitions), String(a.bytes), String(a.acks)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    let out = '';
    filler.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('filled')) res();
    });
    filler.once('exit', (code) => rej(new Error(`fill-backlog exited with ${code}`)));
  });
  console.log(`filled ${a.queueBacklog} queue messages (${a.acks} of them acknowledged, every other one) and ${a.topicRecords} topic records (${a.topicPartitions} partitions) of ${a.bytes} B in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const profile = async (what: string, r: Running) => {
    await stop(r, 'SIGTERM');
    if (a.cpuProf) {
      const newest = newestCpuProfile(a.cpuProf);
      if (newest) {
        console.log(`  profile of ${what}: ${newest}`);
        const { total, top, files } = summariseCpuProfile(newest, 15);
        console.log(`  ${total.toFixed(0)} ms sampled; top functions by self time:`);
        for (const e of top) console.log(`    ${e.selfMs.toFixed(1).padStart(8)} ms ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}`);
        console.log('  by file:');
        for (const e of files.slice(0, 8)) console.log(`    ${e.selfMs.toFixed(1).padStart(8)} ms ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}`);
      }
    }
  };
  const crashed = new Promise((res) => filler.once('exit', res));
  filler.kill('SIGKILL');
  await crashed;
  // Kept to restart from the same crashed state again, with a cold page cache.
  const crashedCopy = join(dir, 'crashed');
  cpSync(data, crashedCopy, { recursive: true });
  const cpuProf = a.cpuProf ? { cpuProf: a.cpuProf } : {};

  const afterKill = await start(data, { warmUp: false, ...cpuProf });
  console.log(`restart after kill -9 with the backlog: ${afterKill.readyMs.toFixed(0)} ms to ports accepting (${recoveredMs(afterKill.stderr())})`);
  await profile('the restart after kill -9', afterKill);
  const afterStop = await start(data, { warmUp: false, ...cpuProf });
  console.log(`restart after a clean stop with the backlog: ${afterStop.readyMs.toFixed(0)} ms to ports accepting (${recoveredMs(afterStop.stderr())}); RSS ${rssMb(afterStop.child.pid!).toFixed(0)} MB`);
  await profile('the restart after a clean stop', afterStop);
  if (evictFromPageCache(data)) {
    const cold = await start(data, { warmUp: false });
    console.log(`restart after a clean stop, data not in the page cache: ${cold.readyMs.toFixed(0)} ms to ports accepting (${recoveredMs(cold.stderr())})`);
    await stop(cold, 'SIGTERM');
  }
  rmSync(data, { recursive: true, force: true });
  renameSync(crashedCopy, data);
  if (evictFromPageCache(data)) {
    const coldKill = await start(data, { warmUp: false, ...cpuProf });
    console.log(`restart after kill -9, data not in the page cache: ${coldKill.readyMs.toFixed(0)} ms to ports accepting (${recoveredMs(coldKill.stderr())})`);
    await profile('the restart after kill -9, cold page cache', coldKill);
  }
  rmSync(dir, { recursive: true, force: true });
}

const args = parseArgs(process.argv.slice(2));
console.log(`startup bench, ${new Date().toISOString()}`);
if (args.only.includes('fresh')) await fresh(args);
if (args.only.includes('first')) await first(args);
if (args.only.includes('npm')) await viaNpm(args);
if (args.only.includes('kill9')) await kill9(args);
if (args.only.includes('backlog')) await backlog(args);
