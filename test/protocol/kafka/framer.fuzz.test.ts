/**
 * The framer and the body decoders under hostile input: streams split at random points give the
 * same requests as whole streams; corrupted sizes, lengths and counts end in KafkaCodecError only
 * (never a RangeError or a TypeError), and no count is trusted beyond the bytes that could hold it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kafkaApis } from '../../../src/protocol/kafka/api/registry.js';
import { isKafkaCodecError, KafkaCodecError } from '../../../src/protocol/kafka/codec/errors.js';
import { type Frame, RequestFramer } from '../../../src/protocol/kafka/codec/framer.js';
import { decodeLimits } from '../../../src/protocol/kafka/codec/limits.js';
import { decodeRequestBody, encodeRequest } from '../../../src/protocol/kafka/codec/message.js';
import type { ApiDef } from '../../../src/protocol/kafka/codec/api-def.js';
import { Heartbeat } from '../../../src/protocol/kafka/api/heartbeat.js';
import { Metadata } from '../../../src/protocol/kafka/api/metadata.js';
import { SaslAuthenticate } from '../../../src/protocol/kafka/api/sasl-authenticate.js';
import { requestArb } from './arbitrary.js';

const apis = kafkaApis.all;

/** A valid request frame of any API and version. */
const frameArb: fc.Arbitrary<Buffer> = fc
  .record({ api: fc.constantFrom(...apis), pick: fc.nat(), correlationId: fc.integer() })
  .chain(({ api, pick, correlationId }) => {
    const v = api.minVersion + (pick % (api.maxVersion - api.minVersion + 1));
    return requestArb(api, v).map((body) => Buffer.concat(encodeRequest(api, v, { correlationId, clientId: 'fuzz' }, body as never)));
  });

const summary = (f: Frame) => ({ kind: f.kind, apiKey: f.apiKey, v: f.apiVersion, c: f.correlationId, id: f.clientId, body: f.body.toString('hex') });

/** Pushes chunks; returns the frames and the error that stopped the framer, if any. */
function run(chunks: Buffer[], maxRequestBytes?: number): { frames: ReturnType<typeof summary>[]; error: string | null } {
  const framer = new RequestFramer({ maxRequestBytes });
  const frames: ReturnType<typeof summary>[] = [];
  try {
    for (const c of chunks) for (const f of framer.push(c)) frames.push(summary(f));
  } catch (e) {
    if (!isKafkaCodecError(e)) throw e;
    return { frames, error: e.reason };
  }
  return { frames, error: framer.error?.reason ?? null };
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p)); // empty chunks included on purpose
    prev = p;
  }
  return out;
}

test('random splits of a valid stream yield the same requests as the whole stream', () => {
  fc.assert(
    fc.property(fc.array(frameArb, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 20 }), (frames, cuts) => {
      const stream = Buffer.concat(frames);
      const whole = run([stream]);
      assert.equal(whole.error, null);
      assert.equal(whole.frames.length, frames.length);
      assert.ok(whole.frames.every((f) => f.kind === 'request'));
      assert.deepEqual(run(splitAt(stream, cuts)), whole);
    }),
    { numRuns: 300 },
  );
});

test('byte-at-a-time feeding yields the same requests', () => {
  fc.assert(
    fc.property(fc.array(frameArb, { minLength: 1, maxLength: 3 }), (frames) => {
      const stream = Buffer.concat(frames);
      const bytes = [...stream].map((b) => Buffer.from([b]));
      assert.deepEqual(run(bytes), run([stream]));
    }),
    { numRuns: 50 },
  );
});

test('corrupted streams: same outcome whatever the split, and only KafkaCodecError', () => {
  fc.assert(
    fc.property(
      fc.array(frameArb, { minLength: 1, maxLength: 4 }),
      fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (frames, edits, cuts) => {
        const stream = Buffer.concat(frames);
        for (const { at, byte } of edits) stream[at % stream.length] = byte;
        const whole = run([stream], 1 << 20);
        assert.deepEqual(run(splitAt(stream, cuts), 1 << 20), whole);
      },
    ),
    { numRuns: 300 },
  );
});

test('the size limit is enforced from the 4 size bytes alone, before buffering', () => {
  const framer = new RequestFramer({ maxRequestBytes: 1000 });
  const head = Buffer.alloc(4);
  head.writeInt32BE(1001);
  assert.throws(() => framer.push(head), (e: unknown) => e instanceof KafkaCodecError && e.reason === 'bad_frame_size');
  assert.throws(() => framer.push(Buffer.alloc(10)), KafkaCodecError, 'a failed framer refuses more input');
  for (const size of [-1, 0, 9, 0x7fffffff, -0x80000000]) {
    head.writeInt32BE(size);
    assert.throws(() => new RequestFramer().push(head), (e: unknown) => e instanceof KafkaCodecError && e.reason === 'bad_frame_size');
  }
  // Just at the limit: accepted once the bytes arrive, and nothing is kept while waiting.
  const f = new RequestFramer({ maxRequestBytes: 100 * 1024 * 1024 });
  head.writeInt32BE(100 * 1024 * 1024);
  assert.deepEqual(f.push(head), []);
  assert.equal(f.bufferedBytes, 0);
});

test('requests before a bad frame are returned; the error comes on the next push', () => {
  const good = Buffer.concat(encodeRequest(Heartbeat, 4, { correlationId: 1, clientId: null }, {
    groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null,
  }));
  const bad = Buffer.alloc(4);
  bad.writeInt32BE(-5);
  const framer = new RequestFramer();
  const out = framer.push(Buffer.concat([good, bad]));
  assert.equal(out.length, 1);
  assert.equal(framer.error?.reason, 'bad_frame_size');
  assert.throws(() => framer.push(Buffer.alloc(0)), KafkaCodecError);
});

test('unknown api keys and unsupported versions are reported, not decoded', () => {
  const frame = (apiKey: number, apiVersion: number) => {
    const b = Buffer.alloc(4 + 10 + 3);
    b.writeInt32BE(13, 0);
    b.writeInt16BE(apiKey, 4);
    b.writeInt16BE(apiVersion, 6);
    b.writeInt32BE(77, 8);
    b.writeInt16BE(-1, 12);
    return b;
  };
  const [a, b, c, d] = new RequestFramer().push(Buffer.concat([frame(999, 0), frame(0, 2), frame(18, 99), frame(0, 12)]));
  assert.equal(a!.kind, 'unknown_api');
  assert.equal(b!.kind, 'unsupported_version', 'Produce v2 is below the floor');
  assert.equal(c!.kind, 'unsupported_version');
  assert.equal(d!.kind, 'unsupported_version', 'Produce v12 is above the ceiling');
  assert.deepEqual([c!.apiKey, c!.apiVersion, c!.correlationId, c!.clientId, c!.body.length], [18, 99, 77, null, 3]);
});

/** Decoding a mutated body may succeed or throw KafkaCodecError; anything else is a bug. */
function decodeOrCodecError(api: ApiDef, v: number, body: Buffer, limits = decodeLimits()): void {
  try {
    decodeRequestBody(api, v, body, limits);
  } catch (e) {
    if (!(e instanceof KafkaCodecError)) throw e;
  }
}

test('every API and version: truncated and mutated bodies throw only KafkaCodecError', () => {
  for (const api of apis) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      fc.assert(
        fc.property(
          requestArb(api, v),
          fc.array(fc.record({ at: fc.nat(), byte: fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x01, 0xfe) }), { minLength: 1, maxLength: 3 }),
          (value, edits) => {
            const frame = Buffer.concat(encodeRequest(api, v, { correlationId: 0, clientId: null }, value as never));
            const [f] = new RequestFramer().push(frame);
            const body = Buffer.from(f!.body);
            for (let n = 0; n < body.length; n += Math.max(1, body.length >> 3)) decodeOrCodecError(api, v, body.subarray(0, n));
            if (body.length === 0) return;
            for (const { at, byte } of edits) body[at % body.length] = byte;
            decodeOrCodecError(api, v, body, decodeLimits({ maxArrayLength: 64 }));
          },
        ),
        { numRuns: 15 },
      );
    }
  }
});

test('array counts are checked against the bytes left and the cap before allocating', () => {
  // Metadata v1: topics = ARRAY of { name STRING }: at least 2 bytes an element.
  const body = Buffer.alloc(4 + 20);
  body.writeInt32BE(0x7fffffff, 0);
  const before = process.memoryUsage().heapUsed;
  assert.throws(() => decodeRequestBody(Metadata, 1, body), (e: unknown) => e instanceof KafkaCodecError && e.reason === 'limit');
  body.writeInt32BE(11, 0); // 11 × 2 bytes > 20 left
  assert.throws(() => decodeRequestBody(Metadata, 1, body), (e: unknown) => e instanceof KafkaCodecError && e.reason === 'limit');
  body.writeInt32BE(10, 0); // fits: ten empty names
  assert.equal(decodeRequestBody(Metadata, 1, body).topics!.length, 10);
  assert.throws(() => decodeRequestBody(Metadata, 1, body, decodeLimits({ maxArrayLength: 9 })), (e: unknown) => e instanceof KafkaCodecError && e.reason === 'limit');
  // Compact (v9+): count+1 as an unsigned varint of 2^32-1; the flexible element is >= 2 bytes.
  const compact = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0]);
  assert.throws(() => decodeRequestBody(Metadata, 9, compact), (e: unknown) => e instanceof KafkaCodecError && e.reason === 'limit');
  assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024, 'no count-sized allocation happened');
});

test('lengths beyond the frame or the caps, negative lengths and over-long varints are rejected', () => {
  const reason = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof KafkaCodecError, String(e));
      return e.reason;
    }
    return 'ok';
  };
  const b = Buffer.alloc(4 + 8);
  b.writeInt32BE(9, 0);
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 0, b)), 'truncated');
  b.writeInt32BE(-2, 0);
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 0, b)), 'malformed');
  b.writeInt32BE(-1, 0);
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 0, b)), 'malformed', 'null in non-nullable bytes');
  b.writeInt32BE(8, 0);
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 0, b)), 'ok');
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 0, b, decodeLimits({ maxBytesLength: 7 }))), 'limit');
  // Bytes after the last field: ignored, as Kafka ignores them, unless strict.
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 0, Buffer.concat([b, Buffer.from([0])]))), 'ok');
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 0, Buffer.concat([b, Buffer.from([0])]), undefined, true)), 'trailing_bytes');
  // v2 (flexible): compact bytes, then the tagged-field section.
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 2, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))), 'malformed');
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 2, Buffer.from([0x80, 0x80]))), 'truncated');
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 2, Buffer.from([0x02, 0x61, 0x00]))), 'ok');
  // Tagged fields: unknown tags are skipped, out-of-order and repeated tags rejected.
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 2, Buffer.from([0x01, 0x02, 0x05, 0x01, 0x00, 0x09, 0x00]))), 'ok');
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 2, Buffer.from([0x01, 0x02, 0x05, 0x00, 0x05, 0x00]))), 'malformed');
  assert.equal(reason(() => decodeRequestBody(SaslAuthenticate, 2, Buffer.from([0x01, 0x01, 0x05, 0x09]))), 'truncated');
});

/** Longest array anywhere in a decoded value. */
function longestArray(v: unknown): number {
  if (Array.isArray(v)) return Math.max(v.length, ...v.map(longestArray));
  if (v && typeof v === 'object' && !Buffer.isBuffer(v)) return Math.max(0, ...Object.values(v).map(longestArray));
  return 0;
}

test('random bytes as any body: KafkaCodecError or a value whose arrays respect the cap', () => {
  const limits = decodeLimits({ maxArrayLength: 5, maxStringBytes: 16, maxBytesLength: 32 });
  for (const api of apis) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
          try {
            const d = decodeRequestBody(api, v, Buffer.from(bytes), limits);
            assert.ok(longestArray(d) <= 5);
          } catch (e) {
            if (!(e instanceof KafkaCodecError)) throw e;
          }
        }),
        { numRuns: 60 },
      );
    }
  }
});
