/**
 * Writer and Reader primitives: records kept by reference (a Fetch response copies no batch
 * bytes), amortized growth, the frame size prefix, and values the wire cannot carry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Fetch } from '../../../src/protocol/kafka/api/fetch.js';
import { KafkaCodecError } from '../../../src/protocol/kafka/codec/errors.js';
import { encodeResponse } from '../../../src/protocol/kafka/codec/message.js';
import { Reader } from '../../../src/protocol/kafka/codec/reader.js';
import { ZERO_UUID } from '../../../src/protocol/kafka/codec/schema.js';
import { Writer } from '../../../src/protocol/kafka/codec/writer.js';

const partition = (records: Buffer | Buffer[] | null, i = 0) => ({
  partitionIndex: i, errorCode: 0, highWatermark: 100, lastStableOffset: 100, logStartOffset: 0,
  abortedTransactions: null, preferredReadReplica: -1, records,
});
const fetchBody = (partitions: ReturnType<typeof partition>[]) => ({
  throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', topicId: ZERO_UUID, partitions }],
});

test('Fetch responses keep record buffers by reference: the chunks are the very batch buffers', () => {
  const a = Buffer.alloc(1 << 20, 1);
  const b = Buffer.alloc(300_000, 2);
  const c = Buffer.alloc(700_000, 3);
  for (const v of [4, 11, 12, 16]) {
    const chunks = encodeResponse(Fetch, v, 5, fetchBody([partition(a, 0), partition([b, c], 1)]));
    assert.ok(chunks.includes(a) && chunks.includes(b) && chunks.includes(c), `v${v}: batches by reference`);
    const copied = chunks.filter((x) => x !== a && x !== b && x !== c).reduce((n, x) => n + x.length, 0);
    assert.ok(copied < 200, `v${v}: only ${copied} header bytes copied`);
    const whole = Buffer.concat(chunks);
    assert.equal(whole.readInt32BE(0), whole.length - 4);
  }
});

test('small buffers are copied (cheaper than an iovec); the threshold is configurable', () => {
  const small = Buffer.from('tiny');
  assert.ok(!encodeResponse(Fetch, 12, 1, fetchBody([partition(small)])).includes(small));
  assert.ok(encodeResponse(Fetch, 12, 1, fetchBody([partition(small)]), { refMinBytes: 1 }).includes(small));
});

test('the writer grows by doubling and a size prefix covers everything after it', () => {
  const w = new Writer({ initialBytes: 16, sizePrefix: true });
  for (let i = 0; i < 10_000; i++) w.int32(i);
  w.ref(Buffer.alloc(5000, 7));
  w.compactString('é'.repeat(10));
  const out = Buffer.concat(w.finish());
  assert.equal(out.readInt32BE(0), out.length - 4);
  assert.equal(out.readInt32BE(4 + 4 * 9999), 9999);
  assert.equal(out.length, 4 + 40_000 + 5000 + 1 + 20);
});

test('primitives round-trip through Writer and Reader', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      fc.integer(),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.option(fc.string({ unit: 'grapheme', maxLength: 30 }), { nil: null }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.double(),
      (i64, i32, u32, s, uuid, d) => {
        const w = new Writer({ initialBytes: 16 });
        const id = Buffer.from(uuid).toString('base64url');
        w.int64(i64);
        w.varint(i32);
        w.varlong(i64);
        w.unsignedVarint(u32);
        w.uint32(u32);
        w.nullableString(s);
        w.compactNullableString(s);
        w.uuid(id);
        w.float64(d);
        const r = new Reader(w.finishBuffer());
        assert.deepEqual(
          [r.int64(), r.varint(), r.varlong(), r.unsignedVarint(), r.uint32(), r.nullableString(), r.compactNullableString(), r.uuid(), r.float64()],
          [i64, i32, i64, u32, u32, s, s, id, d],
        );
        r.expectEnd('primitives');
      },
    ),
  );
});

test('values the wire cannot carry are refused, not written wrong', () => {
  const unencodable = (e: unknown) => e instanceof KafkaCodecError && e.reason === 'unencodable';
  assert.throws(() => new Writer().string('x'.repeat(0x8000)), unencodable);
  assert.throws(() => new Writer().int64(2 ** 53), unencodable);
  assert.throws(() => new Writer().uuid('not-a-uuid'), unencodable);
  assert.throws(() => new Writer().uuid('!!!!!!!!!!!!!!!!!!!!!!'), unencodable);
});

test('reads past the end, unsafe int64 and bad zigzag varints are KafkaCodecErrors', () => {
  const reason = (f: () => unknown) => {
    try {
      f();
      return 'ok';
    } catch (e) {
      assert.ok(e instanceof KafkaCodecError, String(e));
      return e.reason;
    }
  };
  assert.equal(reason(() => new Reader(Buffer.alloc(3)).int32()), 'truncated');
  assert.equal(reason(() => new Reader(Buffer.from('0020000000000000', 'hex')).int64()), 'malformed');
  assert.equal(reason(() => new Reader(Buffer.from('ffffffffff7f', 'hex')).varint()), 'malformed');
  assert.equal(reason(() => new Reader(Buffer.from('ff', 'hex')).varint()), 'truncated');
  assert.equal(reason(() => new Reader(Buffer.from('0003616263', 'hex'), 0, 4).string()), 'truncated', 'bounded by end, not by the buffer');
  assert.equal(reason(() => new Reader(Buffer.from('ffff', 'hex')).string()), 'malformed');
});
