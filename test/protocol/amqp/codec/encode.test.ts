/** Whole-message encoding: frame splitting at frame-max, one allocation, amqplib agrees. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type AmqpMethodInput,
  encodeHeartbeat,
  encodeMessage,
  FRAME_OVERHEAD_BYTES,
  FrameType,
  PROTOCOL_HEADER,
} from '../../../../src/protocol/amqp/codec/index.js';
import { amqplibFrames, frame } from './amqplib.js';

const deliver = { method: 'basic.deliver', consumerTag: 'amq.ctag-1', deliveryTag: 42, redelivered: false, exchange: 'orders', routingKey: 'eu.created' } as const;
const props = { contentType: 'application/json', deliveryMode: 2, headers: { n: { type: 'int', value: 1 } } } as const;

test('bodies split at frame-max minus 8; an empty body sends no body frame', () => {
  const frameMax = 4096;
  const chunk = frameMax - FRAME_OVERHEAD_BYTES;
  for (const size of [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk, 3 * chunk + 7]) {
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i++) body[i] = i * 7;
    const out = encodeMessage(9, deliver, props, body, frameMax);
    const frames = amqplibFrames(out);
    assert.equal(frames.length, 2 + Math.ceil(size / chunk), `size ${size}`);
    assert.deepEqual(frames.map((f) => f.channel), frames.map(() => 9));
    assert.equal(frames[0]!.type, FrameType.METHOD);
    const { method: _name, ...fields } = deliver;
    assert.deepEqual(frame.decodeFrame(frames[0]!).fields, fields);
    const header = frame.decodeFrame(frames[1]!);
    assert.equal(header.size, size);
    assert.equal(header.fields!['contentType'], 'application/json');
    const bodies = frames.slice(2);
    for (const f of bodies) {
      assert.equal(f.type, FrameType.BODY);
      assert.ok(f.size <= chunk && f.size > 0);
    }
    assert.deepEqual(Buffer.concat(bodies.map((f) => f.payload)), body);
  }
});

test('frame-max 0 means no limit: the body goes in one frame', () => {
  const out = encodeMessage(1, deliver, {}, Buffer.alloc(100_000, 1), 0);
  assert.equal(amqplibFrames(out).length, 3);
});

test('a message is written with one allocation, the output buffer', () => {
  const body = Buffer.alloc(1024, 1);
  const m: Extract<AmqpMethodInput, { method: 'basic.deliver' }> = { ...deliver };
  const calls: number[] = [];
  const { allocUnsafe, alloc, allocUnsafeSlow } = Buffer;
  const watch = (fn: (n: number) => Buffer) => (n: number) => (calls.push(n), fn(n));
  Buffer.allocUnsafe = watch(allocUnsafe) as typeof Buffer.allocUnsafe;
  Buffer.alloc = watch((n) => alloc(n)) as typeof Buffer.alloc;
  Buffer.allocUnsafeSlow = watch(allocUnsafeSlow) as typeof Buffer.allocUnsafeSlow;
  let out: Buffer;
  try {
    m.deliveryTag = 43;
    out = encodeMessage(1, m, props, body, 131072);
  } finally {
    Object.assign(Buffer, { allocUnsafe, alloc, allocUnsafeSlow });
  }
  assert.deepEqual(calls, [out.length]);
});

test('content checks: only content methods, and header and method frames must fit frame-max', () => {
  assert.throws(() => encodeMessage(1, { method: 'basic.ack', deliveryTag: 1 } as AmqpMethodInput, {}, Buffer.alloc(0), 4096), { code: 'INVALID_ARGUMENT' });
  const bigHeaders = { big: { type: 'string', value: 'x'.repeat(5000) } } as const;
  assert.throws(() => encodeMessage(1, deliver, { headers: bigHeaders }, Buffer.alloc(0), 4096), { code: 'MESSAGE_TOO_LARGE' });
  assert.doesNotThrow(() => encodeMessage(1, deliver, { headers: bigHeaders }, Buffer.alloc(0), 8192));
  for (const frameMax of [8, 4095, -1, 1.5, 2 ** 32]) {
    assert.throws(() => encodeMessage(1, deliver, {}, Buffer.alloc(10), frameMax), { code: 'INVALID_ARGUMENT' }, String(frameMax));
  }
});

test('heartbeat and protocol header bytes', () => {
  assert.equal(encodeHeartbeat().toString('hex'), '08000000000000ce');
  assert.equal(PROTOCOL_HEADER.toString('latin1'), 'AMQP\x00\x00\x09\x01');
});
