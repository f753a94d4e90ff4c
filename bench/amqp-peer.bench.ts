/**
 * Side-by-side AMQP 0-9-1 benchmark: Hopper vs RabbitMQ, same workloads, one run.
 *
 *   npm run bench -- amqp-peer [--messages 100000] [--runs 3] [--warmup 20000] [--size 1024] [--window 1000]
 *        [--prefetch 1000] [--multi-queues 50] [--multi-per-queue 1000] [--multi-window 100]
 *        [--multi-prefetch 100] [--fanout-queues 10] [--fanout-messages 10000]
 *        [--only main|multi|fanout] [--brokers hopper,rabbitmq] [--cpu-prof DIR]
 *        [--rabbit-url amqp://guest:guest@127.0.0.1:5672] [--timeout 120]
 *
 * Workloads (bench/lib/amqp-workload.ts), the main one being /work/shared/bench/amqp-bench.mjs:
 * - main: durable queue, persistent --size messages, publisher confirms with --window outstanding,
 *   one consumer with prefetch --prefetch acking each message, publishing and consuming at once.
 *   Run --runs times, after one unmeasured run of --warmup messages on each broker (a long-running
 *   broker is warm; without it the first run measures Hopper's JIT compiling its hot paths).
 *   Latency is publish timestamp (Date.now()) → delivery.
 * - multi: --multi-queues producers + as many consumers on as many queues (aggregate msg/s, p99).
 * - fanout: one publisher to a durable fanout exchange bound to --fanout-queues durable queues,
 *   one consumer each (deliveries/s).
 *
 * Hopper runs as a separate process (`node <HOPPER_NODE_FLAGS> dist/src/cli/main.js start`, as
 * `npm start` runs it; fresh data dir, fsync
 * always — the default); --cpu-prof DIR runs it under `node --cpu-prof` and prints the top
 * self-time functions. RabbitMQ is started with `rabbitmq-server -detached` and stopped at the
 * end (left running if it was already up); it is skipped with a message if not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOPPER_NODE_FLAGS } from '../src/cli/node-flags.js';
import { fmt } from './lib/rate.js';
import { fanoutScenario, mainScenario, multiScenario, type Result } from './lib/amqp-workload.js';

interface Args {
  messages: number;
  runs: number;
  /** Messages of the unmeasured main run before the measured ones; 0 for none. */
  warmup: number;
  size: number;
  window: number;
  prefetch: number;
  multiQueues: number;
  multiPerQueue: number;
  multiWindow: number;
  multiPrefetch: number;
  fanoutQueues: number;
  fanoutMessages: number;
  only: string[];
  brokers: string[];
  cpuProf: string | undefined;
  rabbitUrl: string;
  timeoutMs: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    messages: 100_000,
    runs: 3,
    warmup: 20_000,
    size: 1024,
    window: 1000,
    prefetch: 1000,
    multiQueues: 50,
    multiPerQueue: 1000,
    multiWindow: 100,
    multiPrefetch: 100,
    fanoutQueues: 10,
    fanoutMessages: 10_000,
    only: ['main', 'multi', 'fanout'],
    brokers: ['hopper', 'rabbitmq'],
    cpuProf: undefined,
    rabbitUrl: 'amqp://guest:guest@127.0.0.1:5672',
    timeoutMs: 120_000,
  };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const v = argv[i + 1];
    switch (f) {
      case '--messages': a.messages = num(f, v); i++; break;
      case '--runs': a.runs = num(f, v); i++; break;
      case '--warmup': a.warmup = num(f, v); i++; break;
      case '--size': a.size = num(f, v); i++; break;
      case '--window': a.window = num(f, v); i++; break;
      case '--prefetch': a.prefetch = num(f, v); i++; break;
      case '--multi-queues': a.multiQueues = num(f, v); i++; break;
      case '--multi-per-queue': a.multiPerQueue = num(f, v); i++; break;
      case '--multi-window': a.multiWindow = num(f, v); i++; break;
      case '--multi-prefetch': a.multiPrefetch = num(f, v); i++; break;
      case '--fanout-queues': a.fanoutQueues = num(f, v); i++; break;
      case '--fanout-messages': a.fanoutMessages = num(f, v); i++; break;
      case '--only': a.only = (v ?? '').split(','); i++; break;
      case '--brokers': a.brokers = (v ?? '').split(','); i++; break;
      case '--cpu-prof': a.cpuProf = resolve(v ?? 'cpu-prof'); i++; break;
      case '--rabbit-url': a.rabbitUrl = v ?? a.rabbitUrl; i++; break;
      case '--timeout': a.timeoutMs = num(f, v) * 1000; i++; break;
      default: throw new Error(`unknown argument ${f}`);
    }
  }
  return a;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((res) => {
    const c = createConnection({ port, host });
    c.once('connect', () => (c.destroy(), res(true)));
    c.once('error', () => res(false));
  });
}

async function awaitPort(port: number, ms: number, alive: () => boolean = () => true): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await portOpen(port)) return;
    if (!alive()) throw new Error('broker process exited before listening');
    await sleep(100);
  }
  throw new Error(`port ${port} not listening after ${ms} ms`);
}

interface Broker {
  name: string;
  url: string;
  stop(): Promise<void>;
}

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');

async function startHopper(a: Args): Promise<Broker> {
  const cli = join(repoRoot, 'dist/src/cli/main.js');
  const data = mkdtempSync(join(tmpdir(), 'hopper-peer-'));
  const port = await freePort();
  const nodeArgs: string[] = [...HOPPER_NODE_FLAGS];
  if (a.cpuProf) {
    mkdirSync(a.cpuProf, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${a.cpuProf}`);
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, cli, 'start', '--data', data, '--amqp-port', String(port), '--http-port=-1', '--kafka-port=-1'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  await awaitPort(port, 30_000, () => !exited);
  return {
    name: 'hopper',
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await Promise.race([exit, sleep(15_000)]);
      if (!exited) child.kill('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    },
  };
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function startRabbit(a: Args): Promise<Broker | string> {
  if (!have('rabbitmq-server') || !have('rabbitmqctl')) {
    return 'RabbitMQ is not installed (no rabbitmq-server/rabbitmqctl on PATH): skipping it. Install with `apt-get install -y rabbitmq-server`.';
  }
  const port = Number(new URL(a.rabbitUrl).port || 5672);
  const wasUp = spawnSync('rabbitmqctl', ['status'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
  if (!wasUp) {
    const r = spawnSync('rabbitmq-server', ['-detached'], { stdio: 'inherit' });
    if (r.status !== 0) return `rabbitmq-server -detached failed (status ${r.status}): skipping RabbitMQ`;
    spawnSync('rabbitmqctl', ['await_startup', '--timeout', '60'], { stdio: 'ignore', timeout: 70_000 });
  }
  try {
    await awaitPort(port, 60_000);
  } catch (e) {
    return `RabbitMQ did not come up: ${(e as Error).message}`;
  }
  const v = spawnSync('rabbitmqctl', ['version'], { encoding: 'utf8', timeout: 30_000 }).stdout?.trim();
  return {
    name: `rabbitmq${v ? ' ' + v : ''}`,
    url: a.rabbitUrl,
    async stop() {
      if (wasUp) {
        console.log('RabbitMQ was already running before the benchmark: leaving it up');
        return;
      }
      spawnSync('rabbitmqctl', ['stop'], { stdio: 'ignore', timeout: 60_000 });
    },
  };
}

interface Row {
  scenario: string;
  broker: string;
  r: Result | Error;
}

async function runBroker(b: Broker, a: Args, rows: Row[]): Promise<void> {
  const push = (scenario: string, r: Result | Error): void => {
    rows.push({ scenario, broker: b.name, r });
    if (r instanceof Error) console.log(`  ${b.name} ${scenario}: FAILED ${r.message}`);
    else
      console.log(
        `  ${b.name} ${scenario}: publish ${fmt(r.publishPerS)}/s, e2e ${fmt(r.e2ePerS)}/s, ` +
          `p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms (${r.seconds.toFixed(1)} s)`,
      );
  };
  const attempt = async (f: () => Promise<Result>): Promise<Result | Error> => {
    try {
      return await f();
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  };
  if (a.warmup > 0) {
    const w = await attempt(() => mainScenario(b.url, { messages: a.warmup, size: a.size, window: a.window, prefetch: a.prefetch, timeoutMs: a.timeoutMs }));
    console.log(`  ${b.name} warm-up (${fmt(a.warmup)} messages, not reported): ${w instanceof Error ? `FAILED ${w.message}` : `e2e ${fmt(w.e2ePerS)}/s, p99 ${w.p99Ms.toFixed(0)} ms`}`);
  }
  if (a.only.includes('main')) {
    for (let i = 1; i <= a.runs; i++) {
      push(`main #${i}`, await attempt(() => mainScenario(b.url, { messages: a.messages, size: a.size, window: a.window, prefetch: a.prefetch, timeoutMs: a.timeoutMs })));
    }
  }
  if (a.only.includes('multi')) {
    push(
      'multi',
      await attempt(() =>
        multiScenario(b.url, {
          queues: a.multiQueues,
          perQueue: a.multiPerQueue,
          size: a.size,
          window: a.multiWindow,
          prefetch: a.multiPrefetch,
          timeoutMs: a.timeoutMs,
        }),
      ),
    );
  }
  if (a.only.includes('fanout')) {
    push(
      'fanout',
      await attempt(() =>
        fanoutScenario(b.url, {
          queues: a.fanoutQueues,
          messages: a.fanoutMessages,
          size: a.size,
          window: a.window,
          prefetch: a.prefetch,
          timeoutMs: a.timeoutMs,
        }),
      ),
    );
  }
}

function table(rows: Row[], a: Args): void {
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const hop = (s: string): Result | Error | undefined => rows.find((r) => r.scenario === s && r.broker === 'hopper')?.r;
  const rab = (s: string): Result | Error | undefined => rows.find((r) => r.scenario === s && r.broker.startsWith('rabbitmq'))?.r;
  const cell = (r: Result | Error | undefined, f: (x: Result) => string): string =>
    r === undefined ? '—' : r instanceof Error ? 'failed' : f(r);
  const ratio = (h: Result | Error | undefined, r: Result | Error | undefined, f: (x: Result) => number): string =>
    h instanceof Error || r instanceof Error || !h || !r ? '—' : `${(f(h) / f(r)).toFixed(2)}×`;
  const rateName = (s: string): string => (s === 'fanout' ? 'deliveries/s' : 'msg/s');
  console.log(
    `\nmain: ${fmt(a.messages)} × ${a.size} B, window ${a.window}, prefetch ${a.prefetch}; ` +
      `multi: ${a.multiQueues} queues × ${fmt(a.multiPerQueue)} msgs, window ${a.multiWindow}, prefetch ${a.multiPrefetch}; ` +
      `fanout: ${fmt(a.fanoutMessages)} msgs → ${a.fanoutQueues} queues`,
  );
  console.log('ratios are Hopper ÷ RabbitMQ (throughput: >1 is Hopper faster; p99: <1 is Hopper lower)\n');
  console.log('| scenario | Hopper publish/s | Hopper e2e | Hopper p50 / p99 ms | RabbitMQ publish/s | RabbitMQ e2e | RabbitMQ p50 / p99 ms | e2e ratio | p99 ratio |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of scenarios) {
    const h = hop(s);
    const r = rab(s);
    const lat = (x: Result): string => `${x.p50Ms.toFixed(0)} / ${x.p99Ms.toFixed(0)}`;
    console.log(
      `| ${s} (${rateName(s)}) | ${cell(h, (x) => fmt(x.publishPerS))} | ${cell(h, (x) => fmt(x.e2ePerS))} | ${cell(h, lat)} | ` +
        `${cell(r, (x) => fmt(x.publishPerS))} | ${cell(r, (x) => fmt(x.e2ePerS))} | ${cell(r, lat)} | ` +
        `${ratio(h, r, (x) => x.e2ePerS)} | ${ratio(h, r, (x) => x.p99Ms)} |`,
    );
  }
}

/** Top self-time functions of the newest .cpuprofile in dir. */
function summarizeProfile(dir: string, top = 25): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const f = files.at(-1);
  if (!f) {
    console.log(`no .cpuprofile written to ${dir}`);
    return;
  }
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const n = byId.get(id);
    if (!n) return;
    const cf = n.callFrame;
    const where = cf.url ? `${cf.url.replace(/^file:\/\//, '').replace(repoRoot + '/', '')}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  const idle = self.get('(idle)') ?? 0;
  console.log(`\nHopper CPU profile ${join(dir, f)}: ${(total / 1e6).toFixed(1)} s sampled, ${(((total - idle) / total) * 100).toFixed(0)}% busy`);
  console.log('| self ms | % of busy | function |');
  console.log('|---:|---:|---|');
  const busy = total - idle;
  for (const [k, v] of [...self].filter(([k]) => k !== '(idle)').sort((x, y) => y[1] - x[1]).slice(0, top)) {
    console.log(`| ${(v / 1000).toFixed(0)} | ${((v / busy) * 100).toFixed(1)} | ${k} |`);
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  if (a.brokers.includes('hopper')) {
    console.log(`Hopper: node ${HOPPER_NODE_FLAGS.join(' ')} dist/src/cli/main.js start (fsync always)${a.cpuProf ? ', --cpu-prof' : ''}`);
    const h = await startHopper(a);
    try {
      await runBroker(h, a, rows);
    } finally {
      await h.stop();
    }
    if (a.cpuProf) summarizeProfile(a.cpuProf);
  }
  if (a.brokers.includes('rabbitmq')) {
    const r = await startRabbit(a);
    if (typeof r === 'string') console.log(r);
    else {
      console.log(`RabbitMQ: ${r.name} at ${r.url.replace(/\/\/.*@/, '//')}`);
      try {
        await runBroker(r, a, rows);
      } finally {
        await r.stop();
      }
    }
  }
  table(rows, a);
}

await main();
