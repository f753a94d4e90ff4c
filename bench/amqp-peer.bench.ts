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
 * The brokers (bench/lib/peers.ts): Hopper as a separate process (`node <HOPPER_NODE_FLAGS>
 * dist/src/cli/main.js start`, as `npm start` runs it; fresh data dir, fsync always — the
 * default); --cpu-prof DIR runs it under `node --cpu-prof` and prints the top self-time
 * functions. Then Debian's RabbitMQ as a private node of its own, started and stopped by the
 * bench (skipped with a message if not installed). Both run in a private network namespace when
 * possible. --rabbit-url uses a RabbitMQ already running at that address instead (neither started
 * nor stopped; the bench then stays on the shared network to reach it).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { HOPPER_NODE_FLAGS } from '../src/cli/node-flags.js';
import { fmt } from './lib/rate.js';
import { fanoutScenario, mainScenario, multiScenario, type Result } from './lib/amqp-workload.js';
import { newestCpuProfile, summariseCpuProfile } from './lib/cpuprofile.js';
import { isolateNetwork, runPeers, type PeerBroker } from './lib/peers.js';

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
  /** An already running RabbitMQ to use instead of starting one. */
  rabbitUrl: string | undefined;
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
    rabbitUrl: undefined,
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
      case '--rabbit-url': a.rabbitUrl = v; i++; break;
      case '--timeout': a.timeoutMs = num(f, v) * 1000; i++; break;
      default: throw new Error(`unknown argument ${f}`);
    }
  }
  return a;
}

interface Row {
  scenario: string;
  broker: string;
  r: Result | Error;
}

async function runBroker(b: PeerBroker, a: Args, rows: Row[]): Promise<void> {
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
    const w = await attempt(() => mainScenario(b.amqpUrl, { messages: a.warmup, size: a.size, window: a.window, prefetch: a.prefetch, timeoutMs: a.timeoutMs }));
    console.log(`  ${b.name} warm-up (${fmt(a.warmup)} messages, not reported): ${w instanceof Error ? `FAILED ${w.message}` : `e2e ${fmt(w.e2ePerS)}/s, p99 ${w.p99Ms.toFixed(0)} ms`}`);
  }
  if (a.only.includes('main')) {
    for (let i = 1; i <= a.runs; i++) {
      push(`main #${i}`, await attempt(() => mainScenario(b.amqpUrl, { messages: a.messages, size: a.size, window: a.window, prefetch: a.prefetch, timeoutMs: a.timeoutMs })));
    }
  }
  if (a.only.includes('multi')) {
    push(
      'multi',
      await attempt(() =>
        multiScenario(b.amqpUrl, {
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
        fanoutScenario(b.amqpUrl, {
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

/** Top self-time functions of the newest .cpuprofile in dir, as shares of the busy (not idle) time. */
function summarizeProfile(dir: string, top = 25): void {
  const f = newestCpuProfile(dir);
  if (f === null) {
    console.log(`no .cpuprofile written to ${dir}`);
    return;
  }
  const p = summariseCpuProfile(f, top + 1);
  const busy = p.total - p.idle;
  console.log(`\nHopper CPU profile ${f}: ${(p.total / 1000).toFixed(1)} s sampled, ${((busy / p.total) * 100).toFixed(0)}% busy`);
  console.log('| self ms | % of busy | function |');
  console.log('|---:|---:|---|');
  for (const e of p.top.filter((e) => e.name !== '(idle)').slice(0, top)) {
    console.log(`| ${e.selfMs.toFixed(0)} | ${((e.selfMs / busy) * 100).toFixed(1)} | ${e.name} |`);
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  // An existing RabbitMQ is only reachable from the shared network.
  if (a.rabbitUrl === undefined) isolateNetwork();
  if (a.cpuProf) mkdirSync(a.cpuProf, { recursive: true });
  const rows: Row[] = [];
  await runPeers(
    a.brokers,
    async (b) => {
      if (b.name === 'hopper') console.log(`Hopper: node ${HOPPER_NODE_FLAGS.join(' ')} dist/src/cli/main.js start (fsync always)${a.cpuProf ? ', --cpu-prof' : ''}`);
      else console.log(`RabbitMQ: ${b.name} at ${b.amqpUrl.replace(/\/\/.*@/, '//')}`);
      await runBroker(b, a, rows);
    },
    {
      hopper: a.cpuProf ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${a.cpuProf}`] } : {},
      rabbitUrl: a.rabbitUrl,
      hopperStopped: () => {
        if (a.cpuProf) summarizeProfile(a.cpuProf);
      },
    },
  );
  table(rows, a);
}

await main();
