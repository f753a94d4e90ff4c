/** FrameDecoder: protocol header, limits checked before buffering, zero-copy views, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type AmqpFrame,
  encodeHeartbeat,
  encodeMessage,
  encodeMethodFrame,
  FRAME_MIN_SIZE,
  FrameDecoder,
  isCodecError,
  PRE_TUNE_FRAME_MAX_BYTES,
  PROTOCOL_HEADER,
} from '../../../../src/protocol/amqp/codec/index.js';
import { rawFrame, watchAllocations } from './util.js';

function drain(d: FrameDecoder, chunk: Buffer): AmqpFrame[] {
  d.push(chunk);
  const out: AmqpFrame[] = [];
  for (let f = d.next(); f !== null; f = d.next()) out.push(f);
  return out;
}

const open = encodeMethodFrame(1, { method: 'channel.open' });

test('the protocol header is matched as it arrives, byte by byte if need be', () => {
  const d = new FrameDecoder({ expectProtocolHeader: true });
  const stream = Buffer.concat([PROTOCOL_HEADER, open]);
  const frames: AmqpFrame[] = [];
  for (const b of stream) frames.push(...drain(d, Buffer.of(b)));
  assert.deepEqual(frames, [{ kind: 'protocol-header' }, { kind: 'method', channel: 1, method: { method: 'channel.open', outOfBand: '' } }]);
});

test('a wrong protocol header fails at the first wrong byte, and the decoder stays failed', () => {
  const bad = [Buffer.from('GET / HTTP/1.1\r\n'), Buffer.from('AMQP\x00\x00\x09\x00'), Buffer.from('AMQP\x03\x01\x00\x00'), Buffer.from('AMQP\x01\x01\x00\x09')];
  for (const b of bad) {
    const d = new FrameDecoder({ expectProtocolHeader: true });
    assert.throws(() => drain(d, b), (e) => isCodecError(e, 'protocol-header'), b.toString('latin1'));
    assert.throws(() => d.next(), (e) => isCodecError(e, 'protocol-header'));
    assert.throws(() => d.push(open), (e) => isCodecError(e, 'protocol-header'));
  }
});

test('frame size is checked against frame-max from the 7-octet header alone', () => {
  const spec = { preTuneFrameMaxBytes: FRAME_MIN_SIZE };
  const ok = rawFrame(3, 1, Buffer.alloc(FRAME_MIN_SIZE - 8));
  const over = rawFrame(3, 1, Buffer.alloc(FRAME_MIN_SIZE - 7));
  assert.equal(drain(new FrameDecoder(spec), ok).length, 1, 'exactly frame-min-size fits');
  const d = new FrameDecoder(spec);
  const allocs = watchAllocations(() => assert.throws(() => drain(d, over.subarray(0, 7)), (e) => isCodecError(e, 'frame-size') && e.replyCode === 501));
  assert.deepEqual(allocs, []);
  assert.equal(d.bufferedBytes, 0);

  // The default pre-tune limit is RabbitMQ 4.1's 8192, for SASL responses carrying JWTs.
  assert.equal(new FrameDecoder().frameMax, PRE_TUNE_FRAME_MAX_BYTES);
  assert.equal(drain(new FrameDecoder(), rawFrame(3, 1, Buffer.alloc(8192 - 8))).length, 1);
  assert.throws(() => drain(new FrameDecoder(), rawFrame(3, 1, Buffer.alloc(8192 - 7))), (e) => isCodecError(e, 'frame-size'));

  const later = new FrameDecoder(spec);
  later.setFrameMax(131072);
  assert.equal(drain(later, rawFrame(3, 1, Buffer.alloc(131072 - 8))).length, 1);
  assert.throws(() => drain(later, rawFrame(3, 1, Buffer.alloc(131072 - 7)).subarray(0, 7)), (e) => isCodecError(e, 'frame-size'));
  assert.throws(() => new FrameDecoder().setFrameMax(4095), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => new FrameDecoder({ preTuneFrameMaxBytes: 0 }), { code: 'INVALID_ARGUMENT' });
});

test('frame-end, unknown frame types and bad heartbeats are fatal frame errors', () => {
  const badEnd = Buffer.from(open);
  badEnd[badEnd.length - 1] = 0xcd;
  const cases: [Buffer, string][] = [
    [badEnd, 'frame-end'],
    [rawFrame(4, 0, Buffer.alloc(0)), 'frame-type'],
    [rawFrame(8, 1, Buffer.alloc(0)), 'heartbeat'],
    [rawFrame(8, 0, Buffer.alloc(1)), 'heartbeat'],
  ];
  for (const [bytes, reason] of cases) {
    const d = new FrameDecoder();
    assert.throws(() => drain(d, Buffer.concat([bytes, open])), (e) => isCodecError(e) && e.reason === reason && e.replyCode === 501);
    assert.throws(() => d.next(), (e) => isCodecError(e) && e.reason === reason, 'stays failed');
  }
  assert.deepEqual(drain(new FrameDecoder(), encodeHeartbeat()), [{ kind: 'heartbeat', channel: 0 }]);
});

test('payload errors are not fatal: the decoder continues at the next frame', () => {
  const unknown = Buffer.from(open);
  unknown.writeUInt16BE(99, 7);
  const d = new FrameDecoder();
  d.push(Buffer.concat([unknown, open]));
  assert.throws(() => d.next(), (e) => isCodecError(e, 'unknown-method') && e.replyCode === 540 && e.channel === 1);
  assert.equal(d.next()?.kind, 'method');
  assert.equal(d.next(), null);
});

test('whole frames are views of the chunk; split frames are copied once at their exact size', () => {
  const body = Buffer.alloc(3000, 7);
  const msg = encodeMessage(2, { method: 'basic.publish', routingKey: 'q' }, {}, body, 4096);
  const whole = new FrameDecoder();
  const allocs = watchAllocations(() => {
    const frames = drain(whole, msg);
    const b = frames[2];
    assert.ok(b?.kind === 'body');
    assert.equal(b.payload.buffer, msg.buffer);
    assert.equal(b.payload.byteOffset, msg.byteOffset + msg.length - 3001);
  });
  assert.deepEqual(allocs, []);

  const split = new FrameDecoder();
  const cut = msg.length - 1000;
  const allocs2 = watchAllocations(() => {
    assert.equal(drain(split, msg.subarray(0, cut)).length, 2);
    const [b] = drain(split, msg.subarray(cut));
    assert.ok(b?.kind === 'body');
    assert.deepEqual(b.payload, body);
  });
  assert.deepEqual(allocs2, [3000 + 8]);
});

test('memory stays bounded when a max-size frame trickles in', () => {
  const d = new FrameDecoder({ preTuneFrameMaxBytes: FRAME_MIN_SIZE });
  const big = rawFrame(3, 1, Buffer.alloc(FRAME_MIN_SIZE - 8, 1));
  let max = 0;
  for (let i = 0; i < big.length; i += 13) {
    drain(d, big.subarray(i, Math.min(i + 13, big.length)));
    max = Math.max(max, d.bufferedBytes);
  }
  assert.ok(max <= FRAME_MIN_SIZE, `buffered ${max}`);
  assert.equal(d.bufferedBytes, 0);
});

test('push before the previous chunk is drained is a caller bug', () => {
  const d = new FrameDecoder();
  d.push(Buffer.concat([open, open]));
  d.next();
  assert.throws(() => d.push(open), /invariant violated/);
});
