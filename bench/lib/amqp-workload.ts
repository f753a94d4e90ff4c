/**
 * AMQP 0-9-1 workloads for the side-by-side peer benchmark (bench/amqp-peer.bench.ts). They only
 * use amqplib, so they run the same against Hopper and any other broker (RabbitMQ). The main one
 * mirrors /work/shared/bench/amqp-bench.mjs: durable queue, persistent messages, publisher
 * confirms with `window` outstanding, one consumer with prefetch acking each message, both at once.
 */
import amqp from 'amqplib';
import { performance } from 'node:perf_hooks';

export interface Result {
  /** messages published (confirmed) per second, over the publish phase */
  publishPerS: number;
  /** messages (or deliveries, for fanout) consumed per second, from the first publish to the last delivery */
  e2ePerS: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
}

/** Latency samples in ms: delivery time minus the publish timestamp (Date.now(), ms resolution). */
class Lat {
  private readonly a: Float64Array;
  private n = 0;
  constructor(cap: number) {
    this.a = new Float64Array(cap);
  }
  add(sentMs: number): void {
    if (this.n < this.a.length) this.a[this.n++] = Date.now() - sentMs;
  }
  pct(p: number): number {
    const s = this.a.subarray(0, this.n).sort();
    if (s.length === 0) return NaN;
    return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
  }
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });

/**
 * Publishes n messages to (exchange, routingKey) on a confirm channel keeping up to `window`
 * unconfirmed, refilling when half have been confirmed (as the reference script does).
 */
function publishAll(
  ch: amqp.ConfirmChannel,
  exchange: string,
  routingKey: string,
  n: number,
  body: Buffer,
  window: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let inflight = 0;
    let sent = 0;
    let failed = false;
    const onConfirm = (err: unknown): void => {
      if (failed) return;
      if (err) {
        failed = true;
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      inflight--;
      if (sent === n && inflight === 0) resolve();
      else if (inflight < window / 2) setImmediate(pump);
    };
    const pump = (): void => {
      while (sent < n && inflight < window) {
        inflight++;
        sent++;
        ch.publish(exchange, routingKey, body, { persistent: true, timestamp: Date.now() }, onConfirm);
      }
    };
    if (n === 0) resolve();
    else pump();
  });
}

/** Consumes from queue acking each message until `n` have arrived. Returns the consumer tag. */
async function consumeN(ch: amqp.Channel, queue: string, n: number, lat: Lat, onDone: () => void): Promise<string> {
  let got = 0;
  const { consumerTag } = await ch.consume(queue, (m) => {
    if (!m) return;
    lat.add(Number(m.properties.timestamp));
    ch.ack(m);
    if (++got === n) onDone();
  });
  return consumerTag;
}

const tag = (s: string): string => `peerbench_${s}_${process.pid}_${Date.now().toString(36)}`;

export interface MainOpts {
  messages: number;
  size: number;
  window: number;
  prefetch: number;
  timeoutMs: number;
}

/** The reference workload: 1 queue, 1 confirming publisher, 1 acking consumer, concurrently. */
export async function mainScenario(url: string, o: MainOpts): Promise<Result> {
  const conn = await amqp.connect(url);
  try {
    const pub = await conn.createConfirmChannel();
    const sub = await conn.createChannel();
    const q = tag('main');
    await pub.assertQueue(q, { durable: true });
    await sub.prefetch(o.prefetch);
    const body = Buffer.alloc(o.size, 120);
    const lat = new Lat(o.messages);
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    await consumeN(sub, q, o.messages, lat, () => resolveDone());
    const t0 = performance.now();
    await withTimeout(publishAll(pub, '', q, o.messages, body, o.window), o.timeoutMs, 'publish');
    const tPub = performance.now();
    await withTimeout(done, o.timeoutMs, 'consume');
    const t1 = performance.now();
    await pub.deleteQueue(q);
    return {
      publishPerS: o.messages / ((tPub - t0) / 1000),
      e2ePerS: o.messages / ((t1 - t0) / 1000),
      p50Ms: lat.pct(0.5),
      p99Ms: lat.pct(0.99),
      seconds: (t1 - t0) / 1000,
    };
  } finally {
    await conn.close().catch(() => undefined);
  }
}

export interface MultiOpts {
  queues: number;
  /** messages per producer (one producer per queue) */
  perQueue: number;
  size: number;
  window: number;
  prefetch: number;
  timeoutMs: number;
}

/**
 * `queues` producers and `queues` consumers on `queues` durable queues: producer i publishes to
 * queue i (own connection, confirm channel), consumer i consumes queue i (own connection).
 */
export async function multiScenario(url: string, o: MultiOpts): Promise<Result> {
  const conns: amqp.ChannelModel[] = [];
  try {
    const names = Array.from({ length: o.queues }, (_, i) => tag(`multi${i}`));
    const pubs: amqp.ConfirmChannel[] = [];
    const subs: amqp.Channel[] = [];
    for (let i = 0; i < o.queues; i++) {
      const pc = await amqp.connect(url);
      conns.push(pc);
      const cc = await amqp.connect(url);
      conns.push(cc);
      const p = await pc.createConfirmChannel();
      await p.assertQueue(names[i]!, { durable: true });
      const s = await cc.createChannel();
      await s.prefetch(o.prefetch);
      pubs.push(p);
      subs.push(s);
    }
    const body = Buffer.alloc(o.size, 120);
    const total = o.queues * o.perQueue;
    const lat = new Lat(total);
    let left = o.queues;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    for (let i = 0; i < o.queues; i++) await consumeN(subs[i]!, names[i]!, o.perQueue, lat, () => --left === 0 && resolveDone());
    const t0 = performance.now();
    await withTimeout(
      Promise.all(pubs.map((p, i) => publishAll(p, '', names[i]!, o.perQueue, body, o.window))),
      o.timeoutMs,
      'publish',
    );
    const tPub = performance.now();
    await withTimeout(done, o.timeoutMs, 'consume');
    const t1 = performance.now();
    for (let i = 0; i < o.queues; i++) await pubs[i]!.deleteQueue(names[i]!);
    return {
      publishPerS: total / ((tPub - t0) / 1000),
      e2ePerS: total / ((t1 - t0) / 1000),
      p50Ms: lat.pct(0.5),
      p99Ms: lat.pct(0.99),
      seconds: (t1 - t0) / 1000,
    };
  } finally {
    await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
  }
}

export interface FanoutOpts {
  queues: number;
  /** messages published to the exchange; deliveries = messages × queues */
  messages: number;
  size: number;
  window: number;
  prefetch: number;
  timeoutMs: number;
}

/**
 * One confirming publisher to a durable fanout exchange bound to `queues` durable queues, one
 * consumer per queue (own channel, on a second connection). Rates are deliveries per second.
 */
export async function fanoutScenario(url: string, o: FanoutOpts): Promise<Result> {
  const pc = await amqp.connect(url);
  const cc = await amqp.connect(url);
  try {
    const pub = await pc.createConfirmChannel();
    const ex = tag('fanout');
    await pub.assertExchange(ex, 'fanout', { durable: true });
    const names = Array.from({ length: o.queues }, (_, i) => `${ex}_q${i}`);
    const subs: amqp.Channel[] = [];
    for (const q of names) {
      await pub.assertQueue(q, { durable: true });
      await pub.bindQueue(q, ex, '');
      const s = await cc.createChannel();
      await s.prefetch(o.prefetch);
      subs.push(s);
    }
    const body = Buffer.alloc(o.size, 120);
    const deliveries = o.messages * o.queues;
    const lat = new Lat(deliveries);
    let left = o.queues;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    for (let i = 0; i < o.queues; i++) await consumeN(subs[i]!, names[i]!, o.messages, lat, () => --left === 0 && resolveDone());
    const t0 = performance.now();
    await withTimeout(publishAll(pub, ex, '', o.messages, body, o.window), o.timeoutMs, 'publish');
    const tPub = performance.now();
    await withTimeout(done, o.timeoutMs, 'consume');
    const t1 = performance.now();
    for (const q of names) await pub.deleteQueue(q);
    await pub.deleteExchange(ex);
    return {
      publishPerS: o.messages / ((tPub - t0) / 1000),
      e2ePerS: deliveries / ((t1 - t0) / 1000),
      p50Ms: lat.pct(0.5),
      p99Ms: lat.pct(0.99),
      seconds: (t1 - t0) / 1000,
    };
  } finally {
    await pc.close().catch(() => undefined);
    await cc.close().catch(() => undefined);
  }
}
