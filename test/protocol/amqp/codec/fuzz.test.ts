/**
 * Hostile bytes. Valid streams split at random points must decode to identical frames. Corrupt
 * streams (flipped bytes, rewritten lengths, insertions, truncation, garbage) may only produce
 * AmqpCodecError: never a RangeError or any other exception, and never a Buffer allocation
 * larger than the decoder's frame-max.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  allMethods,
  type AmqpFrame,
  type AmqpMethodInput,
  AmqpCodecError,
  type ChannelFrame,
  CommandAssembler,
  encodeHeartbeat,
  encodeMessage,
  encodeMethodFrame,
  FrameDecoder,
  PROTOCOL_HEADER,
  ReplyCode,
} from '../../../../src/protocol/amqp/codec/index.js';
import { defs } from './amqplib.js';
import { everyLetterInput, sampleArgs } from './samples.js';
import { splitAt } from '../../../fuzz/mutate.js';
import { rawFrame, watchAllocations } from './util.js';

const FRAME_MAX = 8192;

/** A content header whose headers table uses every type letter, as amqplib writes it. */
const everyLetterHeader = defs.encodeProperties(60, 3, 0, { headers: { ...everyLetterInput, nested: { t: everyLetterInput, a: Object.values(everyLetterInput) } } });

const stream = Buffer.concat([
  PROTOCOL_HEADER,
  ...allMethods.map((d, i) => encodeMethodFrame(i % 4, sampleArgs(d) as AmqpMethodInput)),
  encodeHeartbeat(),
  encodeMessage(1, { method: 'basic.publish', exchange: 'x', routingKey: 'k' }, { headers: { a: { type: 'array', value: [{ type: 'int', value: 1 }, { type: 'table', value: {} }] } }, priority: 3 }, Buffer.alloc(20_000, 9), FRAME_MAX),
  encodeMessage(2, { method: 'basic.deliver', consumerTag: 'c', deliveryTag: 1, exchange: '', routingKey: 'q' }, { timestamp: 1, messageId: 'm' }, Buffer.alloc(0), FRAME_MAX),
  encodeMethodFrame(3, { method: 'basic.publish' }),
  everyLetterHeader,
  encodeHeartbeat(),
]);

/** Feeds `chunks`, returning the frames and errors seen; stops at the first fatal error. */
function run(chunks: Buffer[]): { frames: AmqpFrame[]; errors: AmqpCodecError[] } {
  const d = new FrameDecoder({ expectProtocolHeader: true, preTuneFrameMaxBytes: FRAME_MAX });
  const frames: AmqpFrame[] = [];
  const errors: AmqpCodecError[] = [];
  for (const c of chunks) {
    d.push(c);
    for (;;) {
      try {
        const f = d.next();
        if (f === null) break;
        frames.push(f);
      } catch (e) {
        if (!(e instanceof AmqpCodecError)) throw e;
        errors.push(e);
        if (e.replyCode === ReplyCode.FRAME_ERROR) return { frames, errors };
      }
    }
  }
  return { frames, errors };
}


const reference = run([stream]);

test('the reference stream decodes cleanly', () => {
  assert.deepEqual(reference.errors, []);
  assert.equal(reference.frames.length, 1 + allMethods.length + 1 + (2 + 3) + 2 + 2 + 1);
});

test('valid streams split at random points yield identical frames', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: 60 }), (cuts) => {
      assert.deepEqual(run(splitAt(stream, cuts)), reference);
    }),
    { numRuns: 300 },
  );
  assert.deepEqual(run([...stream].map((b) => Buffer.of(b))), reference);
});

/** Runs the decoder under an allocation watch; any non-codec error fails the property. */
function hostile(chunks: Buffer[]): void {
  const sizes = watchAllocations(() => run(chunks));
  const max = Math.max(0, ...sizes);
  assert.ok(max <= FRAME_MAX, `allocated ${max} bytes`);
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('length' as const), at: fc.nat(), value: fc.oneof(fc.nat(), fc.constantFrom(0, 0xff, 0xffff, 0x7fff_ffff, 0xffff_ffff, FRAME_MAX, FRAME_MAX - 7, FRAME_MAX - 8)) }),
  /** Small changes to a length prefix are what reach past a nested value's end. */
  fc.record({ kind: fc.constant('nudge' as const), at: fc.nat(), delta: fc.integer({ min: -9, max: 9 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(src: Buffer, ms: Mutation[]): Buffer {
  let buf = Buffer.from(src);
  for (const m of ms) {
    const at = m.at % Math.max(1, buf.length);
    if (m.kind === 'flip') buf[at] = buf[at]! ^ m.bits;
    else if (m.kind === 'length' && at + 4 <= buf.length) buf.writeUInt32BE(m.value >>> 0, at);
    else if (m.kind === 'nudge') buf[at] = (buf[at]! + m.delta) & 0xff;
    else if (m.kind === 'insert') buf = Buffer.concat([buf.subarray(0, at), m.bytes, buf.subarray(at)]);
    else if (m.kind === 'truncate') buf = buf.subarray(0, at);
  }
  return buf;
}

test('corrupted streams only ever raise AmqpCodecError, within frame-max allocations', () => {
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 20 }), (ms, cuts) => {
      hostile(splitAt(mutate(stream, ms), cuts));
    }),
    { numRuns: 1500 },
  );
});

test('random garbage after a valid header only raises AmqpCodecError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
      hostile(splitAt(Buffer.concat([PROTOCOL_HEADER, bytes]), cuts));
    }),
    { numRuns: 500 },
  );
});

/** Method and header payloads mutated inside intact frames, to reach the field parsers. */
const payloadFrames = [
  everyLetterHeader,
  ...allMethods.map((d) => encodeMethodFrame(1, sampleArgs(d) as AmqpMethodInput)),
  encodeMessage(1, { method: 'basic.publish' }, { contentType: 't', headers: { a: { type: 'table', value: { b: { type: 'bytes', value: Buffer.from('xyz') } } } }, timestamp: 5 }, Buffer.alloc(0), FRAME_MAX).subarray(
    encodeMethodFrame(1, { method: 'basic.publish' }).length,
  ),
];

test('mutated payloads inside valid framing only raise 502/505/540/406 errors', () => {
  fc.assert(
    fc.property(fc.constantFrom(...payloadFrames), fc.array(mutation, { minLength: 1, maxLength: 4 }), (f, ms) => {
      const payload = mutate(f.subarray(7, f.length - 1), ms);
      const framed = rawFrame(f[0]!, 1, payload);
      const sizes = watchAllocations(() => {
        const { errors } = run([PROTOCOL_HEADER, framed]);
        for (const e of errors) assert.notEqual(e.replyCode, ReplyCode.FRAME_ERROR, e.message);
      });
      assert.ok(Math.max(0, ...sizes) <= FRAME_MAX);
    }),
    { numRuns: 5000 },
  );
});

test('the command assembler only raises AmqpCodecError on any frame order', () => {
  const frames = reference.frames.filter((f): f is ChannelFrame => f.kind === 'method' || f.kind === 'header' || f.kind === 'body');
  fc.assert(
    fc.property(fc.shuffledSubarray(frames), (seq) => {
      const a = new CommandAssembler();
      for (const f of seq) {
        try {
          a.accept(f);
        } catch (e) {
          if (!(e instanceof AmqpCodecError)) throw e;
          a.reset(f.channel);
        }
      }
    }),
    { numRuns: 300 },
  );
});
