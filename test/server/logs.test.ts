/**
 * The operator log (issue 11 item 16), driven by real clients: a `hopper start` process logging
 * JSON is checked for connections opened and closed (AMQP and Kafka, with the client's name and
 * version), failed logins (AMQP and Kafka SASL), queues and topics created and deleted, and
 * consumers cancelled by the broker; an in-process broker for the rate-limited dead-letter line
 * and the resource alarms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import amqp from 'amqplib';
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { Kafka, logLevel, Partitioners, type SASLOptions } from 'kafkajs';
import { Alarms } from '../../src/core/broker/alarms.js';
import { listenAmqp } from '../../src/protocol/amqp/server/listener.js';
import { Broker } from '../../src/core/broker/broker.js';
import { logAlarms } from '../../src/server/alarm-log.js';
import { createLogger, formatLine } from '../../src/server/logger.js';
import { bannerPorts, startHopper, stopHopper, type HopperProcess } from '../helpers/hopper-process.js';
import { tempDir } from '../helpers/tmp.js';

type Line = Record<string, unknown> & { time: string; level: string; msg: string; event?: string };

function lines(h: HopperProcess): Line[] {
  return h
    .stderr()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

/** Waits for a log line with the given event whose fields include `match`. */
async function logged(h: HopperProcess, event: string, match: Record<string, unknown> = {}): Promise<Line> {
  const until = Date.now() + 15_000;
  for (;;) {
    const found = lines(h).find((l) => l.event === event && Object.entries(match).every(([k, v]) => l[k] === v));
    if (found) return found;
    if (Date.now() > until) assert.fail(`no ${event} line matching ${JSON.stringify(match)} in:\n${h.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a hopper process logs connections, failed logins, queues, topics and cancelled consumers, as JSON', async () => {
  const { dir, cleanup } = await tempDir();
  const h = startHopper(join(dir, 'data'), ['--log-format', 'json']);
  try {
    const ports = await bannerPorts(h);
    const url = `amqp://guest:guest@127.0.0.1:${ports.amqp}`;

    // AMQP: a connection with a name, a queue created, consumed, deleted under its consumer.
    const conn = await amqp.connect(url, { clientProperties: { connection_name: 'orders-worker' } });
    const opened = await logged(h, 'connection.opened', { protocol: 'amqp', connectionName: 'orders-worker' });
    assert.equal(opened.user, 'guest');
    assert.equal(opened.vhost, '/');
    assert.equal(opened.clientName, 'amqplib');
    assert.match(String(opened.clientVersion), /^\d+\.\d+/);
    assert.match(String(opened.client), /^127\.0\.0\.1:\d+$/);
    const ch = await conn.createChannel();
    await ch.assertQueue('logged-q', { durable: true });
    await logged(h, 'queue.created', { queue: 'logged-q', vhost: '/', durable: true });
    const { consumerTag } = await ch.consume('logged-q', () => undefined);
    const other = await conn.createChannel();
    await other.deleteQueue('logged-q');
    const cancelled = await logged(h, 'consumer.cancelled', { protocol: 'amqp', consumerTag });
    assert.equal(cancelled.queue, 'logged-q');
    assert.equal(cancelled.connectionName, 'orders-worker');
    await logged(h, 'queue.deleted', { queue: 'logged-q', reason: 'deleted by a client' });
    await conn.close();
    const closed = await logged(h, 'connection.closed', { protocol: 'amqp', connectionName: 'orders-worker' });
    assert.equal(closed.reason, 'closed by the client');
    assert.equal(typeof closed.durationMs, 'number');

    // AMQP: a wrong password.
    await assert.rejects(amqp.connect(`amqp://guest:wrong@127.0.0.1:${ports.amqp}`));
    const refused = await logged(h, 'login.failed', { protocol: 'amqp', user: 'guest' });
    assert.equal(refused.level, 'warn');
    assert.equal(refused.mechanism, 'PLAIN');

    // Kafka: @platformatic/kafka names its software in ApiVersions v3+; a topic auto-created
    // by a produce, then deleted.
    const producer = new Producer({ clientId: 'log-producer', bootstrapBrokers: [`127.0.0.1:${ports.kafka}`], serializers: stringSerializers, autocreateTopics: true });
    await producer.send({ messages: [{ topic: 'logged-t', value: 'v' }] });
    const kOpened = await logged(h, 'connection.opened', { protocol: 'kafka', clientId: 'log-producer' });
    assert.equal(kOpened.clientName, 'platformatic-kafka');
    assert.match(String(kOpened.clientVersion), /^\d+\.\d+/);
    await logged(h, 'topic.created', { topic: 'logged-t', partitions: 1 });
    await producer.close();
    await logged(h, 'connection.closed', { protocol: 'kafka', clientId: 'log-producer' });
    const admin = new Admin({ clientId: 'log-admin', bootstrapBrokers: [`127.0.0.1:${ports.kafka}`] });
    await admin.deleteTopics({ topics: ['logged-t'] });
    await admin.close();
    await logged(h, 'topic.deleted', { topic: 'logged-t' });

    // Kafka: failed SASL logins, PLAIN and SCRAM.
    for (const mechanism of ['plain', 'scram-sha-256'] as const) {
      const kafka = new Kafka({ brokers: [`127.0.0.1:${ports.kafka}`], clientId: `log-sasl-${mechanism}`, logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism, username: 'mallory', password: 'nope' } as SASLOptions });
      const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await assert.rejects(p.connect());
      const failed = await logged(h, 'login.failed', { protocol: 'kafka', clientId: `log-sasl-${mechanism}` });
      assert.equal(failed.user, 'mallory');
      assert.equal(failed.mechanism, mechanism.toUpperCase());
      await p.disconnect().catch(() => undefined);
    }

    // Every line is one JSON object with time, level and message.
    for (const l of lines(h)) assert.ok(l.time && l.level && typeof l.msg === 'string', JSON.stringify(l));
  } finally {
    await stopHopper(h);
    await cleanup();
  }
});

test('dead-lettering is logged as one line per queue per interval with the counts by reason', async () => {
  const { dir, cleanup } = await tempDir();
  const out: string[] = [];
  const logger = createLogger('info', (l) => out.push(l), 'json');
  const broker = await Broker.open({ dataDir: dir, logger, deadLetterLogIntervalMs: 300 });
  const listener = await listenAmqp(broker, { port: 0, logger });
  try {
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${listener.port}`);
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('dlx', 'fanout');
    await ch.assertQueue('dead', { durable: true });
    await ch.bindQueue('dead', 'dlx', '');
    await ch.assertQueue('work', { durable: true, deadLetterExchange: 'dlx', messageTtl: 60_000 });
    for (let i = 0; i < 25; i++) ch.sendToQueue('work', Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    let rejected = 0;
    await new Promise<void>((done) => {
      void ch.consume('work', (m) => {
        if (m === null) return;
        ch.nack(m, false, false);
        if (++rejected === 25) done();
      });
    });
    const dl = () => out.map((l) => JSON.parse(l) as Line).filter((l) => l.event === 'queue.dead_lettered');
    const until = Date.now() + 10_000;
    while (dl().length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    // Every dead letter is in the queue before the line can be complete: wait for all 25.
    while ((await ch.checkQueue('dead')).messageCount < 25 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 400));
    const lines = dl();
    const total = lines.reduce((n, l) => n + (l.count as number), 0);
    assert.equal(total, 25, JSON.stringify(lines));
    assert.ok(lines.length <= 2, `rate-limited: ${lines.length} lines for 25 dead letters`);
    for (const l of lines) {
      assert.equal(l.queue, 'work');
      assert.equal(l.exchange, 'dlx');
      assert.equal(l.rejected, l.count);
    }
    await conn.close();
  } finally {
    await listener.close();
    await broker.close();
    await cleanup();
  }
});

test('alarms are logged when raised and when cleared, and a real process with a tiny memory watermark raises one', async () => {
  const out: string[] = [];
  const alarms = new Alarms();
  logAlarms(alarms, createLogger('info', (l) => out.push(l), 'json'), { memoryHighWatermarkBytes: 1000, diskFreeLimitBytes: 5000 });
  alarms.raise('disk');
  alarms.raise('memory');
  alarms.clear('disk');
  alarms.clear('memory');
  const events = out.map((l) => JSON.parse(l) as Line).map((l) => [l.event, l.alarm, l.level]);
  assert.deepEqual(events, [
    ['alarm.raised', 'disk', 'warn'],
    ['alarm.raised', 'memory', 'warn'],
    ['alarm.cleared', 'disk', 'info'],
    ['alarm.cleared', 'memory', 'info'],
  ]);

  const { dir, cleanup } = await tempDir();
  const h = startHopper(join(dir, 'data'), ['--log-format', 'json'], { HOPPER_MEMORY_HIGH_WATERMARK_BYTES: '1000000' });
  try {
    const raised = await logged(h, 'alarm.raised', { alarm: 'memory' });
    assert.equal(raised.memoryHighWatermarkBytes, 1_000_000);
    assert.ok((raised.rssBytes as number) > 1_000_000);
  } finally {
    await stopHopper(h);
    await cleanup();
  }
});

test('the text format appends fields as key=value, quoting values with spaces', () => {
  const t = new Date('2026-01-02T03:04:05.000Z');
  assert.equal(
    formatLine('text', t, 'info', 'connection closed', { event: 'connection.closed', user: 'guest', reason: 'closed by the client', n: 3, none: undefined }),
    '2026-01-02T03:04:05.000Z INFO  connection closed event=connection.closed user=guest reason="closed by the client" n=3',
  );
  assert.deepEqual(JSON.parse(formatLine('json', t, 'warn', 'x', { a: 1 })), { time: '2026-01-02T03:04:05.000Z', level: 'warn', msg: 'x', a: 1 });
});
