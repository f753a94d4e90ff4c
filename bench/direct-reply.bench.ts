/**
 * Direct reply-to round trip, Hopper vs RabbitMQ in one run:
 *
 *   npm run bench -- direct-reply [--calls 1000] [--pika-calls 200] [--raw-calls 40] [--warmup 100]
 *        [--broker-warmup 3000] [--brokers hopper,rabbitmq] [--hopper-fsync always|never|interval:<ms>]
 *
 * An RPC as RabbitMQ documents it: the client consumes amq.rabbitmq.reply-to (no-ack) and
 * publishes each request to a queue with reply-to set; a responder on another connection
 * consumes that queue (no-ack) and publishes the answer to the request's reply-to. Calls are
 * sequential; the time is from publishing the request to receiving the reply. So a round trip
 * is one pass through a queue (the request) and one direct reply.
 *
 * Clients, for client and responder alike:
 * - amqplib with noDelay (TCP_NODELAY), and without it (Nagle's algorithm on, amqplib's default);
 * - pika's BlockingConnection through /usr/bin/python3 (pika sets TCP_NODELAY), with
 *   bench/clients/direct-reply-pika.py;
 * - a raw client without TCP_NODELAY that writes a publish's three frames as three writes
 *   (bench/lib/raw-amqp-client.ts; responder: amqplib with noDelay): Nagle's algorithm on the
 *   client meets delayed ACKs on the broker.
 * Request queues: transient (auto-delete, not durable, transient requests, as RabbitMQ's RPC
 * tutorials declare it) and durable (durable queue, persistent requests; amqplib's assertQueue
 * declares durable queues by default).
 * "direct both ways": two amqplib clients that learned each other's reply-to address ping-pong
 * through direct reply-to only, which isolates that path from the queue's.
 *
 * Each broker first serves --broker-warmup unmeasured calls (a long-running broker is warm; without
 * them the first scenario measures Hopper's JIT compiling the paths), and each scenario starts
 * with --warmup unmeasured calls. --hopper-fsync never shows what the durable rows cost without
 * the fsyncs a durable queue does in the background (it delivers before them, docs/queues.md).
 *
 * Prints a markdown table; ratios are Hopper ÷ RabbitMQ at p50.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import amqp from 'amqplib';
import { cell, isolateNetwork, ratio, repoRoot, runPeers, runStamp, stats, type PeerBroker, type Stats } from './lib/peers.js';
import { RawAmqpClient } from './lib/raw-amqp-client.js';

interface Args {
  calls: number;
  pikaCalls: number;
  rawCalls: number;
  warmup: number;
  brokerWarmup: number;
  brokers: string[];
  hopperFsync: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { calls: 1000, pikaCalls: 200, rawCalls: 40, warmup: 100, brokerWarmup: 3000, brokers: ['hopper', 'rabbitmq'], hopperFsync: undefined };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const v = argv[i + 1];
    switch (f) {
      case '--calls': a.calls = Number(v); i++; break;
      case '--pika-calls': a.pikaCalls = Number(v); i++; break;
      case '--raw-calls': a.rawCalls = Number(v); i++; break;
      case '--warmup': a.warmup = Number(v); i++; break;
      case '--broker-warmup': a.brokerWarmup = Number(v); i++; break;
      case '--brokers': a.brokers = (v ?? '').split(','); i++; break;
      case '--hopper-fsync': a.hopperFsync = v; i++; break;
      default: throw new Error(`unknown argument ${f}`);
    }
  }
  return a;
}

type QueueKind = 'transient' | 'durable';
const REPLY_TO = 'amq.rabbitmq.reply-to';

/** Declares the request queue and answers every request on it, over `conn`. */
async function startResponder(conn: amqp.ChannelModel, queue: string, kind: QueueKind): Promise<void> {
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, kind === 'durable' ? { durable: true } : { durable: false, autoDelete: true });
  await ch.consume(
    queue,
    (m) => {
      if (m) ch.sendToQueue(m.properties.replyTo as string, m.content, { correlationId: m.properties.correlationId as string });
    },
    { noAck: true },
  );
}

/** Sequential calls: `send(i)` publishes request i; resolves with each measured round trip. */
async function timeCalls(calls: number, warmup: number, send: (i: number) => void, arm: (resolve: () => void) => void): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < warmup + calls; i++) {
    const replied = new Promise<void>((resolve) => arm(resolve));
    const t0 = performance.now();
    send(i);
    await replied;
    if (i >= warmup) out.push(performance.now() - t0);
  }
  return out;
}

async function amqplibCalls(port: number, noDelay: boolean, kind: QueueKind, calls: number, warmup: number): Promise<number[]> {
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  const queue = `rpc-bench-${kind}-${noDelay ? 'nodelay' : 'nagle'}`;
  const server = await amqp.connect(url, { noDelay });
  const client = await amqp.connect(url, { noDelay });
  try {
    await startResponder(server, queue, kind);
    const ch = await client.createChannel();
    let replied: (() => void) | null = null;
    await ch.consume(REPLY_TO, () => replied?.(), { noAck: true });
    const body = Buffer.from('request');
    return await timeCalls(
      calls,
      warmup,
      (i) => ch.sendToQueue(queue, body, { replyTo: REPLY_TO, correlationId: String(i), persistent: kind === 'durable' }),
      (r) => (replied = r),
    );
  } finally {
    await client.close().catch(() => undefined);
    await server.close().catch(() => undefined);
  }
}

async function rawCalls(port: number, kind: QueueKind, calls: number, warmup: number): Promise<number[]> {
  const queue = `rpc-bench-raw-${kind}`;
  const server = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`, { noDelay: true });
  const client = await RawAmqpClient.open(port);
  try {
    await startResponder(server, queue, kind);
    await client.consumeNoAck(REPLY_TO);
    const body = Buffer.from('request');
    return await timeCalls(
      calls,
      warmup,
      (i) => client.publish(queue, { replyTo: REPLY_TO, correlationId: String(i), deliveryMode: kind === 'durable' ? 2 : 1 }, body, true),
      (r) => void client.next('basic.deliver').then(() => r()),
    );
  } finally {
    client.close();
    await server.close().catch(() => undefined);
  }
}

/** A and B exchange reply-to addresses once through a queue, then ping-pong directly. */
async function directBothWays(port: number, calls: number, warmup: number): Promise<number[]> {
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  const A = await amqp.connect(url, { noDelay: true });
  const B = await amqp.connect(url, { noDelay: true });
  try {
    const a = await A.createChannel();
    const b = await B.createChannel();
    await b.assertQueue('direct-hello', { durable: false, autoDelete: true });
    let aAddress = '';
    let onA: ((m: amqp.ConsumeMessage) => void) | null = null;
    await a.consume(REPLY_TO, (m) => m && onA?.(m), { noAck: true });
    await b.consume(REPLY_TO, (m) => m && b.publish('', aAddress, m.content), { noAck: true });
    const hello = new Promise<void>((resolve) =>
      void b.consume('direct-hello', (m) => {
        if (m) aAddress = m.properties.replyTo as string;
        resolve();
      }, { noAck: true }),
    );
    a.sendToQueue('direct-hello', Buffer.from('hello'), { replyTo: REPLY_TO });
    await hello;
    const bAddress = await new Promise<string>((resolve) => {
      onA = (m) => resolve(m.properties.replyTo as string);
      b.publish('', aAddress, Buffer.from('my address'), { replyTo: REPLY_TO });
    });
    const ping = Buffer.from('ping');
    return await timeCalls(calls, warmup, () => a.publish('', bAddress, ping), (r) => (onA = () => r()));
  } finally {
    await A.close().catch(() => undefined);
    await B.close().catch(() => undefined);
  }
}

function pikaCalls(port: number, kind: QueueKind, calls: number, warmup: number): number[] {
  const script = join(repoRoot, 'bench/clients/direct-reply-pika.py');
  const r = spawnSync('/usr/bin/python3', [script, String(port), String(calls), String(warmup), kind], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`pika client failed (status ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  return (JSON.parse(r.stdout) as { ms: number[] }).ms;
}

interface Scenario {
  name: string;
  run(port: number, a: Args): Promise<number[]> | number[];
}

const scenarios: Scenario[] = [];
for (const kind of ['transient', 'durable'] as const) {
  scenarios.push(
    { name: `amqplib, noDelay; ${kind} queue`, run: (p, a) => amqplibCalls(p, true, kind, a.calls, a.warmup) },
    { name: `amqplib, Nagle on; ${kind} queue`, run: (p, a) => amqplibCalls(p, false, kind, a.calls, a.warmup) },
    { name: `pika; ${kind} queue`, run: (p, a) => pikaCalls(p, kind, a.pikaCalls, Math.min(a.warmup, 20)) },
  );
}
scenarios.push(
  { name: 'raw client, Nagle on, frames in 3 writes; transient queue', run: (p, a) => rawCalls(p, 'transient', a.rawCalls, 3) },
  { name: 'direct both ways (no queue), amqplib noDelay', run: (p, a) => directBothWays(p, a.calls, a.warmup) },
);

async function benchBroker(b: PeerBroker, a: Args): Promise<Map<string, Stats | Error>> {
  const out = new Map<string, Stats | Error>();
  if (a.brokerWarmup > 0) {
    await amqplibCalls(b.amqpPort, true, 'transient', 0, a.brokerWarmup);
    await amqplibCalls(b.amqpPort, true, 'durable', 0, Math.ceil(a.brokerWarmup / 3));
  }
  for (const s of scenarios) {
    try {
      const st = stats(await s.run(b.amqpPort, a));
      out.set(s.name, st);
      console.log(`  ${b.name} ${s.name}: p50 ${st.p50.toFixed(3)} ms, p99 ${st.p99.toFixed(3)} ms`);
    } catch (e) {
      out.set(s.name, e instanceof Error ? e : new Error(String(e)));
      console.log(`  ${b.name} ${s.name}: FAILED ${(e as Error).message}`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  isolateNetwork();
  const a = parseArgs(process.argv.slice(2));
  const stamp = runStamp();
  const results = await runPeers(a.brokers, (b) => benchBroker(b, a), { hopper: a.hopperFsync ? { fsync: a.hopperFsync } : {} });
  console.log(`\ndirect reply-to round trip, ${stamp}; Hopper fsync ${a.hopperFsync ?? 'always (default)'}; ${results.rabbitmqName ?? 'RabbitMQ not run'}`);
  console.log(
    `sequential calls (amqplib ${a.calls}, pika ${a.pikaCalls}, raw ${a.rawCalls}) after up to ${a.warmup} unmeasured (and ${a.brokerWarmup} per broker); p50 / p99 in ms; ratio is Hopper ÷ RabbitMQ at p50\n`,
  );
  console.log('| client; request queue | Hopper p50 / p99 ms | RabbitMQ p50 / p99 ms | ratio |');
  console.log('|---|---:|---:|---:|');
  for (const s of scenarios) {
    const h = results.hopper?.get(s.name);
    const r = results.rabbitmq?.get(s.name);
    console.log(`| ${s.name} | ${cell(h, 3)} | ${cell(r, 3)} | ${ratio(h, r)} |`);
  }
}

await main();
