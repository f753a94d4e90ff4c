/**
 * Login cost, Hopper vs RabbitMQ in one run:
 *
 *   npm run bench -- login [--runs 200] [--warmup 20] [--brokers hopper,rabbitmq] [--no-kafka]
 *
 * AMQP (amqplib with noDelay): time from connect() to an open channel for a returning user
 * (guest, logged in before), and time to the refusal for a wrong password and for an unknown
 * user. Each refused attempt comes from its own loopback source address (127.2.x.y), so Hopper's
 * per-address failure delay (auth.failureDelay*) does not add to what is measured: the rows
 * compare the cost of a check. The "repeated failures" row is the other side: one address
 * failing again and again (Hopper slows it down, RabbitMQ does not).
 * Kafka (Hopper only): kafkajs admin connect with SASL PLAIN, same three cases.
 *
 * Prints a markdown table; ratios are Hopper ÷ RabbitMQ at p50. The brokers run in a private
 * network namespace when possible (bench/lib/peers.ts).
 */
import { connect as netConnect } from 'node:net';
import amqp from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';
import { cell, isolateNetwork, ratio, runPeers, runStamp, stats, type PeerBroker, type Stats } from './lib/peers.js';

interface Args {
  runs: number;
  warmup: number;
  repeated: number;
  brokers: string[];
  kafka: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { runs: 200, warmup: 20, repeated: 8, brokers: ['hopper', 'rabbitmq'], kafka: true };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const v = argv[i + 1];
    switch (f) {
      case '--runs': a.runs = Number(v); i++; break;
      case '--warmup': a.warmup = Number(v); i++; break;
      case '--repeated': a.repeated = Number(v); i++; break;
      case '--brokers': a.brokers = (v ?? '').split(','); i++; break;
      case '--no-kafka': a.kafka = false; break;
      default: throw new Error(`unknown argument ${f}`);
    }
  }
  return a;
}

/** A fresh loopback source address for each refused attempt (127.0.0.0/8 is all loopback). */
let nextSource = 0;
function freshSource(): string {
  const n = nextSource++;
  return `127.2.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
}

async function timeAmqpLogin(url: string, localAddress?: string): Promise<{ ms: number; ok: boolean }> {
  const t0 = performance.now();
  try {
    const c = await amqp.connect(url, { noDelay: true, ...(localAddress ? { localAddress } : {}) });
    c.on('error', () => undefined);
    await c.createChannel();
    const ms = performance.now() - t0;
    await c.close();
    return { ms, ok: true };
  } catch {
    return { ms: performance.now() - t0, ok: false };
  }
}

async function series(n: number, f: () => Promise<{ ms: number; ok: boolean }>, expectOk: boolean, what: string): Promise<Stats | Error> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await f();
    if (r.ok !== expectOk) return new Error(`${what}: expected ${expectOk ? 'success' : 'refusal'}`);
    xs.push(r.ms);
  }
  return stats(xs);
}

interface Row {
  broker: string;
  cases: Map<string, Stats | Error>;
  repeated: number[];
  /** Kafka SASL logins, on Hopper when it listens for Kafka. */
  kafka?: Map<string, Stats | Error>;
}

async function benchAmqp(b: PeerBroker, a: Args): Promise<Row> {
  const base = `127.0.0.1:${b.amqpPort}`;
  const good = `amqp://guest:guest@${base}`;
  const cases = new Map<string, Stats | Error>();
  await series(a.warmup, () => timeAmqpLogin(good), true, 'warm-up');
  cases.set('returning user', await series(a.runs, () => timeAmqpLogin(good), true, 'returning user'));
  // Interleaved, so machine load drifts over both alike.
  const wrong: number[] = [];
  const unknown: number[] = [];
  let failed: Error | null = null;
  for (let i = 0; i < a.runs && failed === null; i++) {
    const w = await timeAmqpLogin(`amqp://guest:wrong-password@${base}`, freshSource());
    const u = await timeAmqpLogin(`amqp://no-such-user:wrong-password@${base}`, freshSource());
    if (w.ok || u.ok) failed = new Error('a bad login succeeded');
    wrong.push(w.ms);
    unknown.push(u.ms);
  }
  cases.set('wrong password', failed ?? stats(wrong));
  cases.set('unknown user', failed ?? stats(unknown));
  const repeated: number[] = [];
  const source = freshSource();
  for (let i = 0; i < a.repeated; i++) repeated.push((await timeAmqpLogin(`amqp://guest:wrong-password@${base}`, source)).ms);
  return { broker: b.name, cases, repeated };
}

async function timeKafkaLogin(port: number, username: string, password: string, localAddress?: string): Promise<{ ms: number; ok: boolean }> {
  const kafka = new Kafka({
    clientId: 'login-bench',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    sasl: { mechanism: 'plain', username, password },
    socketFactory: ({ host, port: p, onConnect }) => {
      const s = netConnect({ host, port: p, ...(localAddress ? { localAddress } : {}) }, onConnect);
      s.setNoDelay(true);
      return s;
    },
  });
  const admin = kafka.admin();
  const t0 = performance.now();
  try {
    await admin.connect();
    const ms = performance.now() - t0;
    await admin.disconnect();
    return { ms, ok: true };
  } catch {
    const ms = performance.now() - t0;
    await admin.disconnect().catch(() => undefined);
    return { ms, ok: false };
  }
}

async function benchKafka(port: number, a: Args): Promise<Map<string, Stats | Error>> {
  const cases = new Map<string, Stats | Error>();
  await series(a.warmup, () => timeKafkaLogin(port, 'guest', 'guest'), true, 'warm-up');
  cases.set('returning user', await series(a.runs, () => timeKafkaLogin(port, 'guest', 'guest'), true, 'returning user'));
  const wrong: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < a.runs; i++) {
    const w = await timeKafkaLogin(port, 'guest', 'wrong-password', freshSource());
    const u = await timeKafkaLogin(port, 'no-such-user', 'wrong-password', freshSource());
    if (w.ok || u.ok) {
      cases.set('wrong password', new Error('a bad login succeeded'));
      return cases;
    }
    wrong.push(w.ms);
    unknown.push(u.ms);
  }
  cases.set('wrong password', stats(wrong));
  cases.set('unknown user', stats(unknown));
  return cases;
}

async function main(): Promise<void> {
  isolateNetwork();
  const a = parseArgs(process.argv.slice(2));
  const stamp = runStamp();
  const { hopper: hop, rabbitmq: rab } = await runPeers(
    a.brokers,
    async (b) => {
      console.log(`${b.name}: amqp`);
      const row = await benchAmqp(b, a);
      if (b.kafkaPort !== null) {
        console.log(`${b.name}: kafka`);
        row.kafka = await benchKafka(b.kafkaPort, a);
      }
      return row;
    },
    { hopper: { kafka: a.kafka, config: { kafka: { saslRequired: true } } } },
  );
  console.log(`\nlogin, ${stamp}; ${a.runs} runs per case, p50 / p99 in ms; ratio is Hopper ÷ RabbitMQ at p50`);
  console.log(`AMQP: amqplib connect + createChannel (noDelay); ${rab?.broker ?? 'RabbitMQ not run'}\n`);
  console.log('| case | Hopper p50 / p99 ms | RabbitMQ p50 / p99 ms | ratio |');
  console.log('|---|---:|---:|---:|');
  for (const c of ['returning user', 'wrong password', 'unknown user']) {
    console.log(`| ${c} | ${cell(hop?.cases.get(c))} | ${cell(rab?.cases.get(c))} | ${ratio(hop?.cases.get(c), rab?.cases.get(c))} |`);
  }
  const rep = (r: Row | undefined): string => (r ? r.repeated.map((x) => x.toFixed(0)).join(', ') : '—');
  console.log(`| ${a.repeated} failures in a row from one address (each, ms) | ${rep(hop)} | ${rep(rab)} | |`);
  const kafka = hop?.kafka;
  if (kafka) {
    console.log('\nKafka SASL PLAIN on Hopper: kafkajs admin.connect() (ApiVersions, SaslHandshake, SaslAuthenticate, Metadata)\n');
    console.log('| case | Hopper p50 / p99 ms |');
    console.log('|---|---:|');
    for (const [c, s] of kafka) console.log(`| ${c} | ${cell(s)} |`);
  }
}

await main();
