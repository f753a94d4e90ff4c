/**
 * Hopper and RabbitMQ side by side, for the benchmarks that compare them (amqp-peer, login,
 * direct reply-to): each broker as a separate process on its own data directory, started and
 * stopped by the bench (runPeers runs a bench on each in turn). startHopper, freePort and
 * awaitPort serve the benches that run Hopper alone too (kafka, startup).
 *
 * Isolation: run as root with `unshare` available, `isolateNetwork()` re-runs the bench in a
 * private network namespace (its own loopback), so the fixed ports RabbitMQ uses (5672, epmd's
 * 4369, 25672) cannot collide with anything else on the machine. RabbitMQ then runs as its own
 * node (a private node name, data, log and home directory), so a RabbitMQ already running on the
 * machine, or another bench, is not touched either.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOPPER_NODE_FLAGS } from '../../src/cli/node-flags.js';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Re-runs this process in a private network namespace (root and unshare(1) needed) and exits
 * with its status; returns normally inside the namespace, or when isolation is unavailable
 * (then the brokers use free ports on the shared loopback).
 */
export function isolateNetwork(): void {
  if (process.env['HOPPER_BENCH_NETNS'] === '1') return;
  if (process.getuid?.() !== 0 || !have('unshare') || !have('ip')) {
    console.log('(not isolated: needs root, unshare and ip; brokers use free ports on the shared loopback)');
    return;
  }
  const r = spawnSync(
    'unshare',
    ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, HOPPER_BENCH_NETNS: '1' } },
  );
  process.exit(r.status ?? 1);
}

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function freePort(): Promise<number> {
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

/** Whether something accepts a TCP connection on `host`:`port` right now. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((res) => {
    const c = createConnection({ port, host });
    c.once('connect', () => (c.destroy(), res(true)));
    c.once('error', () => res(false));
  });
}

/**
 * Polls `port` every `pollMs` until it accepts; throws once `ms` have passed, or as soon as
 * `alive` says the process that should listen there has exited.
 */
export async function awaitPort(port: number, ms: number, alive: () => boolean = () => true, pollMs = 50): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await portOpen(port)) return;
    if (!alive()) throw new Error('broker process exited before listening');
    await sleep(pollMs);
  }
  throw new Error(`port ${port} not listening after ${ms} ms`);
}

export interface PeerBroker {
  /** 'hopper' or 'rabbitmq <version>'. */
  name: string;
  amqpPort: number;
  /** Where an AMQP client connects (guest on 127.0.0.1 unless an existing RabbitMQ was named). */
  amqpUrl: string;
  /** Hopper only, when asked for. */
  kafkaPort: number | null;
  stop(): Promise<void>;
}

export interface HopperOptions {
  /** Listen for Kafka too (else --kafka-port=-1). */
  kafka?: boolean;
  /** Listen for AMQP (default true; else --amqp-port=-1). */
  amqp?: boolean;
  /** Hopper's JSON configuration file's content. */
  config?: Record<string, unknown>;
  /** `--fsync POLICY` (always | interval:<ms> | never); Hopper's default (always) if absent. */
  fsync?: string;
  /** Node flags after HOPPER_NODE_FLAGS, e.g. `--cpu-prof --cpu-prof-dir DIR`. */
  nodeFlags?: readonly string[];
  /** The data directory, kept at stop; a fresh one under the temp directory, removed at stop, if absent. */
  dataDir?: string;
}

/**
 * `hopper start` as `npm start` runs it (its V8 flags, fsync always unless `fsync` says
 * otherwise, a fresh data directory unless `dataDir` names one).
 */
export async function startHopper(opts: HopperOptions = {}): Promise<PeerBroker> {
  const cli = join(repoRoot, 'dist/src/cli/main.js');
  const data = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hopper-bench-'));
  const amqpPort = opts.amqp === false ? -1 : await freePort();
  const kafkaPort = opts.kafka ? await freePort() : -1;
  const configFile = join(data, '..', `${basename(data)}.hopper-bench.json`);
  writeFileSync(configFile, JSON.stringify(opts.config ?? {}));
  const args = [cli, 'start', '--data', data, '--config', configFile, `--amqp-port=${amqpPort}`, '--http-port=-1', `--kafka-port=${kafkaPort}`, '--sqs-port=-1'];
  if (opts.fsync !== undefined) args.push('--fsync', opts.fsync);
  const child: ChildProcess = spawn(process.execPath, [...HOPPER_NODE_FLAGS, ...(opts.nodeFlags ?? []), ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, HOPPER_LOG_LEVEL: 'warn' },
  });
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  const stop = async (): Promise<void> => {
    if (!exited) child.kill('SIGTERM');
    await Promise.race([exit, sleep(15_000)]);
    if (!exited) child.kill('SIGKILL');
    if (opts.dataDir === undefined) rmSync(data, { recursive: true, force: true });
    rmSync(configFile, { force: true });
  };
  try {
    if (amqpPort > 0) await awaitPort(amqpPort, 60_000, () => !exited);
    if (kafkaPort > 0) await awaitPort(kafkaPort, 60_000, () => !exited);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    name: 'hopper',
    amqpPort,
    amqpUrl: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    kafkaPort: kafkaPort > 0 ? kafkaPort : null,
    stop,
  };
}

/**
 * Debian's RabbitMQ as a private node; a string (why it is skipped) if it is not installed or
 * does not start. As root, the scripts under /usr/lib/rabbitmq/bin run directly (the wrappers on
 * PATH switch to the rabbitmq user and its shared directories).
 */
export async function startRabbit(): Promise<PeerBroker | string> {
  const libBin = '/usr/lib/rabbitmq/bin';
  const bin = (cmd: string): string => (process.getuid?.() === 0 && existsSync(join(libBin, cmd)) ? join(libBin, cmd) : cmd);
  if (!have(bin('rabbitmq-server')) || !have(bin('rabbitmqctl'))) {
    return 'RabbitMQ is not installed (no rabbitmq-server/rabbitmqctl): skipping it. Install with `apt-get install -y rabbitmq-server`.';
  }
  const base = mkdtempSync(join(tmpdir(), 'rabbit-bench-'));
  const isolated = process.env['HOPPER_BENCH_NETNS'] === '1';
  const amqpPort = isolated ? 5672 : await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: join(base, 'home'),
    RABBITMQ_NODENAME: `hopperbench${process.pid}@localhost`,
    RABBITMQ_MNESIA_BASE: join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: join(base, 'log'),
    RABBITMQ_PID_FILE: join(base, 'pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(base, 'enabled_plugins'),
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(isolated ? 25672 : await freePort()),
  };
  for (const d of ['home', 'mnesia', 'log']) spawnSync('mkdir', ['-p', join(base, d)]);
  writeFileSync(join(base, 'enabled_plugins'), '[].\n');
  const cleanup = (): void => rmSync(base, { recursive: true, force: true });
  const started = spawnSync(bin('rabbitmq-server'), ['-detached'], { env, stdio: 'inherit' });
  if (started.status !== 0) {
    cleanup();
    return `rabbitmq-server -detached failed (status ${started.status}): skipping RabbitMQ`;
  }
  const waited = spawnSync(bin('rabbitmqctl'), ['wait', '--timeout', '90', join(base, 'pid')], { env, stdio: 'ignore', timeout: 100_000 });
  try {
    if (waited.status !== 0) throw new Error(`rabbitmqctl wait failed (status ${waited.status})`);
    await awaitPort(amqpPort, 30_000);
  } catch (e) {
    spawnSync(bin('rabbitmqctl'), ['stop'], { env, stdio: 'ignore', timeout: 60_000 });
    if (isolated && have('epmd')) spawnSync('epmd', ['-kill'], { stdio: 'ignore', timeout: 10_000 });
    cleanup();
    return `RabbitMQ did not come up: ${(e as Error).message}`;
  }
  const v = spawnSync(bin('rabbitmqctl'), ['version'], { env, encoding: 'utf8', timeout: 30_000 }).stdout?.trim();
  return {
    name: `rabbitmq${v ? ' ' + v : ''}`,
    amqpPort,
    amqpUrl: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    kafkaPort: null,
    async stop() {
      spawnSync(bin('rabbitmqctl'), ['stop', join(base, 'pid')], { env, stdio: 'ignore', timeout: 60_000 });
      // rabbitmq-server started an epmd daemon; in our own namespace it is ours to stop (else it
      // would keep the namespace alive). On the shared loopback other nodes may be using it.
      if (isolated && have('epmd')) spawnSync('epmd', ['-kill'], { stdio: 'ignore', timeout: 10_000 });
      cleanup();
    },
  };
}

/**
 * A RabbitMQ already running at `url`, used as it is: neither started nor stopped by the bench
 * (which must then run on the shared network, not in a private namespace). A string (why it is
 * skipped) if nothing listens there. Its amqpPort is the URL's port, on the URL's host.
 */
export async function existingRabbit(url: string): Promise<PeerBroker | string> {
  const u = new URL(url);
  const amqpPort = Number(u.port || 5672);
  if (!(await portOpen(amqpPort, u.hostname))) return `nothing listens at ${u.host}: skipping RabbitMQ`;
  return { name: `rabbitmq at ${u.host}`, amqpPort, amqpUrl: url, kafkaPort: null, stop: async () => undefined };
}

export interface PeerRun<T> {
  hopper?: T;
  rabbitmq?: T;
  /** The RabbitMQ that ran ('rabbitmq <version>'), if one did. */
  rabbitmqName?: string;
}

/**
 * Runs `bench` on each broker named in `brokers` ('hopper', 'rabbitmq'), one after the other:
 * each is started for it and stopped after it, even if it throws. A RabbitMQ that cannot run is
 * skipped with its reason printed. `hopperStopped` runs once Hopper has exited (its CPU profile
 * is written then).
 */
export async function runPeers<T>(
  brokers: readonly string[],
  bench: (b: PeerBroker) => Promise<T>,
  opts: { hopper?: HopperOptions; rabbitUrl?: string | undefined; hopperStopped?: () => void } = {},
): Promise<PeerRun<T>> {
  const out: PeerRun<T> = {};
  const run = async (b: PeerBroker): Promise<T> => {
    try {
      return await bench(b);
    } finally {
      await b.stop();
    }
  };
  if (brokers.includes('hopper')) {
    out.hopper = await run(await startHopper(opts.hopper));
    opts.hopperStopped?.();
  }
  if (brokers.includes('rabbitmq')) {
    const r = opts.rabbitUrl === undefined ? await startRabbit() : await existingRabbit(opts.rabbitUrl);
    if (typeof r === 'string') console.log(r);
    else {
      out.rabbitmqName = r.name;
      out.rabbitmq = await run(r);
    }
  }
  return out;
}

/** The p-th percentile (0–100) of samples, nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export interface Stats {
  n: number;
  p50: number;
  p99: number;
}

export function stats(samples: readonly number[]): Stats {
  return { n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** "1.23 / 4.56" (p50 / p99, in ms), or a dash. */
export function cell(s: Stats | undefined | Error, digits = 2): string {
  if (s === undefined) return '—';
  if (s instanceof Error) return 'failed';
  return `${s.p50.toFixed(digits)} / ${s.p99.toFixed(digits)}`;
}

/** Hopper ÷ RabbitMQ at p50. */
export function ratio(h: Stats | undefined | Error, r: Stats | undefined | Error): string {
  if (h === undefined || r === undefined || h instanceof Error || r instanceof Error) return '—';
  return `${(h.p50 / r.p50).toFixed(2)}×`;
}

/** The local time and the machine's load, to date a run. */
export function runStamp(): string {
  const load = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout?.split(' ').slice(0, 3).join(' ') ?? '?';
  return `${new Date().toISOString()} (load average ${load})`;
}
