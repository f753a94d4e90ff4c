import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHopperError } from '../../../src/core/errors.js';
import { type Header, type Message, type MessageProperties, makeMessage, type TypedValue } from '../../../src/core/message.js';
import {
  decodeMessages,
  encodeMessages,
  messageFromRecord,
  PROPERTY_HEADERS,
  recordFromMessage,
} from '../../../src/storage/codec/message-codec.js';
import { decodeRecords, encodeBatch, setBaseOffset } from '../../../src/storage/codec/record-batch.js';
import { kjsDecodeBatch, kjsEncodeBatch } from './kafkajs.js';
import { isCorrupt } from './util.js';

const TS = 1_700_000_000_000;
const b = (s: string): Buffer => Buffer.from(s);

const full: Message = {
  key: b('k'),
  value: b('body'),
  headers: [{ key: 'trace', value: b('t1') }, { key: 'empty', value: null }],
  timestamp: TS,
  properties: {
    contentType: 'application/json',
    contentEncoding: 'gzip',
    correlationId: 'c-1',
    replyTo: 'amq.rabbitmq.reply-to',
    expirationMs: 60000,
    messageId: 'm-1',
    priority: 9,
    type: 'order.created',
    userId: 'guest',
    appId: 'shop',
    deliveryMode: 2,
    groupId: 'g',
    deduplicationId: 'd',
    exchange: '',
    routingKey: 'orders.eu',
    attributes: { 'x-retries': { type: 'int', value: 3 }, region: { type: 'string', value: 'eu' } },
  },
};

test('message → record: plain headers first, then the attributes (strings as plain text), then reserved hopper.* headers', () => {
  const [rec] = decodeRecords(encodeMessages([full]));
  const text = (h: Header) => [h.key, h.value === null ? null : h.key.startsWith('hopper.attr.') ? h.value.toString('hex') : h.value.toString()];
  assert.deepEqual(rec!.headers.map(text), [
    ['trace', 't1'],
    ['empty', null],
    ['hopper.attrs', '2'],
    ['hopper.attr.x-retries', '0306'],
    ['region', 'eu'],
    ['hopper.content-type', 'application/json'],
    ['hopper.content-encoding', 'gzip'],
    ['hopper.correlation-id', 'c-1'],
    ['hopper.reply-to', 'amq.rabbitmq.reply-to'],
    ['hopper.expiration-ms', '60000'],
    ['hopper.message-id', 'm-1'],
    ['hopper.priority', '9'],
    ['hopper.type', 'order.created'],
    ['hopper.user-id', 'guest'],
    ['hopper.app-id', 'shop'],
    ['hopper.delivery-mode', '2'],
    ['hopper.group-id', 'g'],
    ['hopper.dedup-id', 'd'],
    ['hopper.exchange', ''],
    ['hopper.routing-key', 'orders.eu'],
  ]);
  assert.equal(PROPERTY_HEADERS.length, 16);
});

test('record → message: records written by the previous version (every attribute as hopper.attr.*) still decode', () => {
  // The previous encoding: attributes after the properties, strings typed (tag 9) too.
  const old = encodeBatch([
    {
      key: null,
      value: b('v'),
      timestamp: TS,
      headers: [
        { key: 'trace', value: b('t1') },
        { key: 'hopper.routing-key', value: b('rk') },
        { key: 'hopper.attr.x-retries', value: Buffer.from('0306', 'hex') },
        { key: 'hopper.attr.region', value: Buffer.from('09046575', 'hex') },
      ],
    },
  ]);
  const [stored] = decodeMessages(old);
  assert.deepEqual(stored!.message.headers, [{ key: 'trace', value: b('t1') }]);
  assert.deepEqual(stored!.message.properties, {
    routingKey: 'rk',
    attributes: { 'x-retries': { type: 'int', value: 3 }, region: { type: 'string', value: 'eu' } },
  });
});

test('the attribute marker: a malformed one stays a plain header; a string named hopper.attr.* is typed', () => {
  const m = makeMessage('v', { timestamp: TS, properties: { attributes: { 'hopper.attr.x': { type: 'string', value: 's' }, y: { type: 'string', value: 'z' } } } });
  const [rec] = decodeRecords(encodeMessages([m]));
  assert.deepEqual(rec!.headers.map((h) => h.key), ['hopper.attrs', 'hopper.attr.hopper.attr.x', 'y']);
  assert.deepEqual(messageFromRecord(rec!).properties, m.properties);
  // A count past the headers that follow, or a null among them: plain headers, in place.
  for (const headers of [
    [{ key: 'hopper.attrs', value: b('3') }, { key: 'a', value: b('1') }],
    [{ key: 'hopper.attrs', value: b('1') }, { key: 'a', value: null }],
    [{ key: 'hopper.attrs', value: b('x') }, { key: 'a', value: b('1') }],
  ]) {
    const [r] = decodeRecords(encodeBatch([{ key: null, value: null, timestamp: TS, headers }]));
    const back = messageFromRecord(r!);
    assert.deepEqual(back.headers, headers);
    assert.deepEqual(back.properties, {});
  }
});

test('record → message: full round trip', () => {
  const [stored] = decodeMessages(encodeMessages([full], { baseOffset: 77 }));
  assert.deepEqual(stored, { offset: 77, message: full });
});

test('a message without properties shares its headers array both ways', () => {
  const m = makeMessage('v', { headers: [{ key: 'a', value: b('1') }], timestamp: TS });
  assert.equal(recordFromMessage(m).headers, m.headers);
  const [rec] = decodeRecords(encodeMessages([m]));
  const back = messageFromRecord(rec!);
  assert.equal(back.headers, rec!.headers);
  assert.deepEqual(back.properties, {});
});

test('decodeMessages: concatenated batches, fromOffset, partial tail, control batches', () => {
  const msgs = [0, 1, 2, 3, 4].map((i) => makeMessage(`m${i}`, { timestamp: TS + i }));
  const a = encodeMessages(msgs.slice(0, 3), { baseOffset: 10 });
  const control = encodeBatch([{ key: b('\x00\x00\x00\x00'), value: b('\x00\x00\x00\x00\x00\x00'), timestamp: TS }], { control: true, baseOffset: 13 });
  const c = encodeMessages(msgs.slice(3), { baseOffset: 14 });
  const bytes = Buffer.concat([a, control, c, a.subarray(0, 40)]);
  const offsets = (from: number) => decodeMessages(bytes, from).map((s) => [s.offset, s.message.value!.toString()]);
  assert.deepEqual(offsets(0), [[10, 'm0'], [11, 'm1'], [12, 'm2'], [14, 'm3'], [15, 'm4']]);
  assert.deepEqual(offsets(11), [[11, 'm1'], [12, 'm2'], [14, 'm3'], [15, 'm4']]);
  assert.deepEqual(offsets(13), [[14, 'm3'], [15, 'm4']]);
  assert.deepEqual(offsets(16), []);
  assert.deepEqual(decodeMessages(Buffer.alloc(0)), []);
  const bad = Buffer.from(bytes);
  bad[a.length - 1]! ^= 0x10;
  assert.throws(() => decodeMessages(bad), isCorrupt);
});

test('decodeMessages: values are views into the read buffer', () => {
  const bytes = encodeMessages([makeMessage('abc', { timestamp: TS })]);
  assert.equal(decodeMessages(bytes)[0]!.message.value!.buffer, bytes.buffer);
});

test('reserved headers from a Kafka producer become properties; malformed ones stay plain', async () => {
  const batch = await kjsEncodeBatch(
    [
      {
        key: null,
        value: b('v'),
        timestampDelta: 0,
        headers: {
          'hopper.priority': ['300', '7', 'x'], // out of range, fine, not a number
          'hopper.content-type': 'text/plain',
          'hopper.expiration-ms': '-5',
          'hopper.unknown': 'u',
          'hopper.attr.good': Buffer.from('0304', 'hex'),
          'hopper.attr.bad': Buffer.from('0d', 'hex'),
          plain: 'p',
        },
      },
    ],
    { firstTimestamp: TS, maxTimestamp: TS },
  );
  const [stored] = decodeMessages(batch);
  const m = stored!.message;
  assert.deepEqual(m.properties, { priority: 7, contentType: 'text/plain', attributes: { good: { type: 'int', value: 2 } } });
  assert.deepEqual(
    m.headers.map((h) => [h.key, h.value?.toString('latin1')]),
    [
      ['hopper.priority', '300'],
      ['hopper.priority', 'x'],
      ['hopper.expiration-ms', '-5'],
      ['hopper.unknown', 'u'],
      ['hopper.attr.bad', '\x0d'],
      ['plain', 'p'],
    ],
  );
});

test('the last well-formed reserved header wins', () => {
  const batch = encodeBatch([
    { key: null, value: null, timestamp: TS, headers: [{ key: 'hopper.type', value: 'a' }, { key: 'hopper.type', value: 'b' }] },
  ]);
  assert.equal(decodeMessages(batch)[0]!.message.properties.type, 'b');
});

test('kafkajs consumers see the reserved headers as plain text headers', async () => {
  const d = await kjsDecodeBatch(encodeMessages([full]));
  const h = d.records[0]!.headers as Record<string, Buffer>;
  assert.equal(h['hopper.content-type']!.toString(), 'application/json');
  assert.equal(h['hopper.priority']!.toString(), '9');
  assert.equal(h['trace']!.toString(), 't1');
});

test('invalid properties are INVALID_ARGUMENT', () => {
  const bad = (properties: unknown) =>
    assert.throws(
      () => encodeMessages([{ ...makeMessage('v'), properties: properties as MessageProperties }]),
      (e) => isHopperError(e, 'INVALID_ARGUMENT'),
    );
  bad({ priority: 256 });
  bad({ priority: -1 });
  bad({ deliveryMode: 1.5 });
  bad({ expirationMs: '100' });
  bad({ contentType: 5 });
  bad({ colour: 'red' });
  bad({ attributes: { x: { type: 'int', value: 0.5 } } });
  // undefined and null properties are simply absent
  const ok = encodeMessages([{ ...makeMessage('v', { timestamp: TS }), properties: { contentType: undefined } }]);
  assert.deepEqual(decodeMessages(ok)[0]!.message.properties, {});
});

// --- property test ----------------------------------------------------------------------

const buf = fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u));
const text = fc.string({ unit: 'grapheme', maxLength: 20 });
const typed: fc.Arbitrary<TypedValue> = fc.oneof(
  fc.maxSafeInteger().map((value): TypedValue => ({ type: 'int', value })),
  text.map((value): TypedValue => ({ type: 'string', value })),
  buf.map((value): TypedValue => ({ type: 'bytes', value })),
  fc.array(fc.boolean().map((value): TypedValue => ({ type: 'bool', value })), { maxLength: 3 }).map((value): TypedValue => ({ type: 'array', value })),
);
const propsArb: fc.Arbitrary<MessageProperties> = fc.record(
  {
    contentType: text, contentEncoding: text, correlationId: text, replyTo: text, messageId: text, type: text,
    userId: text, appId: text, groupId: text, deduplicationId: text, exchange: text, routingKey: text,
    expirationMs: fc.maxSafeInteger().map(Math.abs),
    priority: fc.integer({ min: 0, max: 255 }),
    deliveryMode: fc.integer({ min: 1, max: 2 }),
    attributes: fc.dictionary(text, typed, { minKeys: 1, maxKeys: 4, noNullPrototype: true }),
  },
  { requiredKeys: [], noNullPrototype: true },
);
const messageArb: fc.Arbitrary<Message> = fc.record(
  {
    key: fc.option(buf, { nil: null }),
    value: fc.option(buf, { nil: null }),
    headers: fc.array(
      fc.record({ key: text.filter((k) => !k.startsWith('hopper.')), value: fc.option(buf, { nil: null }) }, { noNullPrototype: true }),
      { maxLength: 4 },
    ),
    timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
    properties: propsArb,
  },
  { noNullPrototype: true },
);

test('property: encodeMessages → decodeMessages is the identity (plain and gzip)', () => {
  fc.assert(
    fc.property(fc.array(messageArb, { minLength: 1, maxLength: 8 }), fc.boolean(), fc.nat({ max: 2 ** 40 }), (msgs, gzip, base) => {
      const batch = encodeMessages(msgs, { compression: gzip ? 'gzip' : 'none' });
      setBaseOffset(batch, 0, base);
      assert.deepEqual(decodeMessages(batch), msgs.map((message, i) => ({ offset: base + i, message })));
    }),
    { numRuns: 300 },
  );
});
