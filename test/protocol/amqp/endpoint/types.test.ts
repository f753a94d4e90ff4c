/**
 * Field values keep their types, AMQP → AMQP: every field-table letter, at its edge values,
 * published with amqplib (which can write every letter) and read back with pika through a
 * reader that keeps the letters (pika-types.py), from the cache and from disk after a
 * restart; and the timestamp property at any uint64, published with pika. The expected lines
 * are what RabbitMQ 3.10 returned for the same publishes. Across protocols: what kcat (a Kafka
 * consumer) sees for AMQP headers, and what amqplib sees for Kafka record headers.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import amqp from 'amqplib';
import { listenKafka } from '../../../../src/protocol/kafka/server/listener.js';
import { encodeBatch } from '../../../../src/storage/codec/record-batch.js';
import { findPython } from '../../../helpers/python.js';
import { tempDir } from '../../../helpers/tmp.js';
import { startBroker, waitFor } from './helpers.js';

const script = fileURLToPath(new URL('../../../../../test/protocol/amqp/endpoint/pika-types.py', import.meta.url));
const python = findPython('pika');

const t = (type: string, value: unknown) => ({ '!': type, value });

/** Every letter RabbitMQ uses (the errata), at its edges where it has them. */
const HEADERS = {
  b: t('int8', -128),
  B: t('uint8', 255),
  s: t('int16', -32768),
  u: t('uint16', 65535),
  I: t('int32', -(2 ** 31)),
  i: t('uint32', 2 ** 32 - 1),
  l: t('int64', -(2n ** 63n)),
  l5: t('int64', 5),
  f: t('float', 0.1),
  d: t('double', 0.1),
  D: t('decimal', { places: 2, digits: 12345 }),
  T: t('timestamp', 1_700_000_000),
  Tbig: t('timestamp', 2n ** 64n - 1n),
  S: 'héllo',
  x: Buffer.from([0xff, 0]),
  A: [t('int8', 1), 'a', [t('uint16', 2)]],
  F: { n: t('uint8', 7), s: 'v' },
  V: null,
  tt: true,
};

/** pika-types.py's lines for the publishes above, as RabbitMQ 3.10 answered them. */
const EXPECTED = [
  '{"queue": "types", "timestamp": 1700000000, "headers": [["b", "b", -128], ["B", "B", 255], ["s", "s", -32768], ["u", "u", 65535], ["I", "I", -2147483648], ["i", "i", 4294967295], ["l", "l", -9223372036854775808], ["l5", "l", 5], ["f", "f", "0.10000000149011612"], ["d", "d", "0.1"], ["D", "D", [2, 12345]], ["T", "T", 1700000000], ["Tbig", "T", 18446744073709551615], ["S", "S", "h\\u00e9llo"], ["x", "x", "ff00"], ["A", "A", [["b", 1], ["S", "a"], ["A", [["u", 2]]]]], ["F", "F", [["n", "B", 7], ["s", "S", "v"]]], ["V", "V", null], ["tt", "t", true]]}',
  '{"queue": "types-ts", "timestamp": 18446744073709551615, "headers": null}',
  '{"queue": "types-ts", "timestamp": 1700000000123456789, "headers": null}',
];

function pika(port: number, ...args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) =>
    execFile(python!, [script, String(port), ...args], { timeout: 30_000 }, (e, stdout, stderr) =>
      e ? reject(new Error(`${stderr}${stdout}`)) : resolve(stdout.split('\n').filter((l) => l !== '')),
    ),
  );
}

async function publishAll(url: string, port: number): Promise<void> {
  const c = await amqp.connect(url);
  const ch = await c.createConfirmChannel();
  await ch.assertQueue('types', { durable: true });
  await ch.assertQueue('types-ts', { durable: true });
  ch.sendToQueue('types', Buffer.from('x'), { headers: HEADERS, timestamp: 1_700_000_000 });
  await ch.waitForConfirms();
  await c.close();
  await pika(port, 'publish-timestamps', 'types-ts');
}

test('every field type and any uint64 timestamp round-trip AMQP → AMQP, from the cache and from disk', { skip: python === null ? 'pika is not installed' : false }, async () => {
  const { dir, cleanup } = await tempDir('hopper-amqp-types-');
  try {
    const first = await startBroker({ dataDir: dir });
    await publishAll(first.url, first.listener.port);
    assert.deepEqual(await pika(first.listener.port, 'get', 'types', 'types-ts', 'types-ts'), EXPECTED, 'from the cache');
    await publishAll(first.url, first.listener.port);
    await first.stopKeepingData();
    const second = await startBroker({ dataDir: dir });
    try {
      assert.deepEqual(await pika(second.listener.port, 'get', 'types', 'types-ts', 'types-ts'), EXPECTED, 'from disk, after a restart');
    } finally {
      await second.stopKeepingData();
    }
  } finally {
    await cleanup();
  }
});

const KCAT = process.env.HOPPER_KCAT ?? '/usr/bin/kcat';

test('across protocols: a Kafka consumer (kcat) sees a string header as its plain UTF-8 bytes', { skip: existsSync(KCAT) ? false : `kcat not found at ${KCAT}` }, async () => {
  const b = await startBroker();
  const kafka = await listenKafka(b.broker, { port: 0 });
  try {
    const c = await b.connect();
    const ch = await c.createConfirmChannel();
    await ch.assertQueue('types-stream', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    ch.sendToQueue('types-stream', Buffer.from('body'), { headers: { region: 'eu-west', 'trace-id': 'ä1', n: t('int8', 5) } });
    await ch.waitForConfirms();
    const out = await new Promise<string>((resolve, reject) =>
      execFile(KCAT, ['-C', '-b', `127.0.0.1:${kafka.port}`, '-t', 'types-stream', '-o', 'beginning', '-c', '1', '-e', '-q', '-f', '%h\\n'], { timeout: 20_000 }, (e, stdout, stderr) =>
        e ? reject(new Error(`${String(e)}${stderr}`)) : resolve(stdout),
      ),
    );
    // kcat prints headers as name=value, comma-separated; the typed int's value is binary.
    const headers = out.trim().split(',');
    assert.ok(headers.includes('region=eu-west'), out);
    assert.ok(headers.includes('trace-id=ä1'), out);
    assert.ok(headers.includes('hopper.attrs=3'), out);
    assert.ok(headers.some((h) => h.startsWith('hopper.attr.n=')), out);
    assert.ok(!out.includes('hopper.attr.region'), out);
    await c.close();
  } finally {
    await kafka.close();
    await b.stop();
  }
});

test('across protocols: Kafka record headers reach AMQP as longstr, byte array (not UTF-8) or void', async () => {
  const b = await startBroker();
  try {
    await b.broker.vhost('/').createTopic('types-kafka', { partitions: 1 });
    const c = await b.connect();
    const ch = await c.createChannel();
    await ch.assertQueue('types-kafka-work', { durable: true });
    await ch.bindQueue('types-kafka-work', 'amq.kafka.types-kafka', '#');
    const batch = encodeBatch([
      {
        key: Buffer.from('k'),
        value: Buffer.from('v'),
        headers: [
          { key: 'text', value: Buffer.from('hé') },
          { key: 'binary', value: Buffer.from([0xff, 0xfe, 0x00]) },
          { key: 'none', value: null },
        ],
      },
    ]);
    await b.broker.vhost('/').topic('types-kafka').appendBatch(0, batch);
    let got: amqp.GetMessage | false = false;
    await waitFor(async () => (got = await ch.get('types-kafka-work', { noAck: true })) !== false, 5000, 'the record in the queue');
    const h = (got as unknown as amqp.GetMessage).properties.headers!;
    assert.equal(h['text'], 'hé');
    assert.deepEqual(h['binary'], Buffer.from([0xff, 0xfe, 0x00]));
    assert.equal(h['none'], null);
    await c.close();
  } finally {
    await b.stop();
  }
});

test('amqplib: a timestamp property in microseconds (no date in seconds) comes back as it was sent', async () => {
  const b = await startBroker();
  try {
    const c = await b.connect();
    const ch = await c.createConfirmChannel();
    await ch.assertQueue('types-us', { durable: true });
    const micros = 1_700_000_000_123_456;
    ch.sendToQueue('types-us', Buffer.from('x'), { timestamp: micros });
    ch.sendToQueue('types-us', Buffer.from('y'), { timestamp: 1_700_000_000 });
    await ch.waitForConfirms();
    const m1 = await ch.get('types-us', { noAck: true });
    const m2 = await ch.get('types-us', { noAck: true });
    assert.ok(m1 !== false && m2 !== false);
    assert.equal(m1.properties.timestamp, micros);
    assert.equal(m2.properties.timestamp, 1_700_000_000);
    await c.close();
  } finally {
    await b.stop();
  }
});
