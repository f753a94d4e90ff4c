/** Content header frames: all 14 basic properties against amqplib, flags rules, size caps. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type BasicProperties,
  decodeContentHeader,
  defaultContentHeaderLimits,
  encodeContentHeaderFrame,
  FRAME_HEADER_BYTES,
  isCodecError,
} from '../../../../src/protocol/amqp/codec/index.js';
import { amqplibFrames, defs, frame, tableToAmqplib } from './amqplib.js';
import { sampleTable } from './samples.js';

const all: BasicProperties = {
  contentType: 'application/json',
  contentEncoding: 'gzip',
  headers: sampleTable,
  deliveryMode: 2,
  priority: 9,
  correlationId: 'corr-1',
  replyTo: 'amq.rabbitmq.reply-to',
  expiration: '60000',
  messageId: 'msg-1',
  timestamp: 1_700_000_000,
  type: 'order.created',
  userId: 'guest',
  appId: 'hopper-test',
  clusterId: 'c1',
};

const payloadOf = (f: Buffer) => f.subarray(FRAME_HEADER_BYTES, f.length - 1);
const decode = (payload: Buffer, limits = defaultContentHeaderLimits) => decodeContentHeader(payload, 0, payload.length, 5, limits);
const asAmqplib = (p: BasicProperties) => ({ ...p, ...(p.headers ? { headers: tableToAmqplib(p.headers) } : {}) });

test('all 14 properties, and each alone: our bytes equal amqplib and decode both ways', () => {
  const cases: BasicProperties[] = [all, {}];
  for (const [k, v] of Object.entries(all)) cases.push({ [k]: v });
  for (const props of cases) {
    const ours = encodeContentHeaderFrame(5, 1234, props);
    const theirs = defs.encodeProperties(60, 5, 1234, asAmqplib(props));
    assert.deepEqual(ours, theirs, JSON.stringify(Object.keys(props)));
    const d = frame.decodeFrame(amqplibFrames(ours)[0]!);
    assert.equal(d.size, 1234);
    const theirsDecoded = Object.fromEntries(Object.entries(d.fields!).filter(([, v]) => v !== undefined));
    assert.deepEqual(theirsDecoded, asAmqplib(props));
    assert.deepEqual(decode(payloadOf(theirs)), { classId: 60, weight: 0, bodySize: 1234, properties: props });
  }
});

test('golden bytes: content-type and delivery-mode set flags 0x9000', () => {
  const f = encodeContentHeaderFrame(1, 3, { contentType: 't', deliveryMode: 2 });
  assert.equal(f.toString('hex'), '02' + '0001' + '00000011' + '003c' + '0000' + '0000000000000003' + '9000' + '0174' + '02' + 'ce');
});

test('continuation words are accepted when they name nothing, refused when they do', () => {
  const base = payloadOf(encodeContentHeaderFrame(1, 0, { priority: 1 }));
  const withContinuation = (...words: number[]) => {
    const flags = Buffer.alloc(2 * words.length);
    words.forEach((w, i) => flags.writeUInt16BE(w, 2 * i));
    return Buffer.concat([base.subarray(0, 12), flags, base.subarray(14)]);
  };
  assert.deepEqual(decode(withContinuation(0x0801, 0x0001, 0x0000)).properties, { priority: 1 });
  assert.throws(() => decode(withContinuation(0x0801, 0x8000)), (e) => isCodecError(e, 'syntax'));
  assert.throws(() => decode(withContinuation(0x0802)), (e) => isCodecError(e, 'syntax')); // bit 1: no 15th property
  assert.throws(() => decode(withContinuation(0x0801)), (e) => isCodecError(e, 'syntax')); // continuation never ends
});

test('class, size and shape errors carry their reply codes', () => {
  const good = payloadOf(encodeContentHeaderFrame(1, 10, all));
  const cls = Buffer.from(good);
  cls.writeUInt16BE(50, 0);
  assert.throws(() => decode(cls), (e) => isCodecError(e, 'unexpected-frame') && e.replyCode === 505);

  const tooBig = Buffer.from(good);
  tooBig.writeUInt32BE(0, 4); // body-size high word
  tooBig.writeUInt32BE(1001, 8);
  const small = { ...defaultContentHeaderLimits, messageMaxBytes: 1000 };
  assert.throws(() => decode(tooBig, small), (e) => isCodecError(e, 'message-too-large') && e.replyCode === 406 && !e.hard && e.channel === 5);
  const over53 = Buffer.from(good);
  over53.writeUInt32BE(0x0020_0000, 4);
  assert.throws(() => decode(over53, { ...defaultContentHeaderLimits, messageMaxBytes: Number.MAX_SAFE_INTEGER }), (e) => isCodecError(e, 'message-too-large'));

  for (let len = 0; len < good.length; len++) assert.throws(() => decode(good.subarray(0, len)), (e) => isCodecError(e, 'syntax'), `cut at ${len}`);
  assert.throws(() => decode(Buffer.concat([good, Buffer.of(1)])), (e) => isCodecError(e, 'syntax'));
});

test('encode refuses values the wire cannot carry', () => {
  const bad: BasicProperties[] = [{ priority: 256 }, { deliveryMode: -1 }, { timestamp: 1.5 }, { messageId: 'm'.repeat(256) }, { contentType: 5 as unknown as string }];
  for (const p of bad) assert.throws(() => encodeContentHeaderFrame(1, 0, p), { code: 'INVALID_ARGUMENT' }, JSON.stringify(p));
  assert.throws(() => encodeContentHeaderFrame(1, 2 ** 53, {}), { code: 'INVALID_ARGUMENT' });
});
