import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHopperError } from '../../../src/core/errors.js';
import {
  BATCH_HEADER_BYTES,
  BatchField,
  batchSizeAt,
  checkBatch,
  decodeRecords,
  encodeBatch,
  type EncodeBatchOptions,
  forEachBatch,
  isControl,
  isLogAppendTime,
  isTransactional,
  compressionOf,
  hasDeleteHorizon,
  lastOffsetOf,
  LOG_OVERHEAD,
  makeAttributes,
  MIN_BATCH_LENGTH,
  type RecordInput,
  readBatchHeader,
  setBaseOffset,
} from '../../../src/storage/codec/record-batch.js';
import { fixCrc, isCorrupt } from './util.js';

const TS = 1_700_000_000_000;
const b = (s: string): Buffer => Buffer.from(s);

/** Made by kafkajs 2.2.4's RecordBatch encoder (see kafkajs-compat.test.ts for the live check). */
const GOLDEN =
  '00000000000000000000004f0000000002d64388f10000000000010000018bcfe568000000018bcfe56805ffffffffffffffff' +
  '0000000000000000000222000000046b310a68656c6c6f020268027616000a02010a776f726c6400';
const goldenRecords: RecordInput[] = [
  { key: b('k1'), value: b('hello'), headers: [{ key: 'h', value: b('v') }], timestamp: TS },
  { key: null, value: b('world'), timestamp: TS + 5 },
];
const kafkajsDefaults: EncodeBatchOptions = { partitionLeaderEpoch: 0, producerEpoch: 0, baseSequence: 0 };

test('layout: named offsets follow the field sizes of RecordBatch v2', () => {
  const sizes: [keyof typeof BatchField, number][] = [
    ['baseOffset', 8], ['batchLength', 4], ['partitionLeaderEpoch', 4], ['magic', 1], ['crc', 4],
    ['attributes', 2], ['lastOffsetDelta', 4], ['baseTimestamp', 8], ['maxTimestamp', 8], ['producerId', 8],
    ['producerEpoch', 2], ['baseSequence', 4], ['recordCount', 4],
  ];
  let at = 0;
  for (const [name, size] of sizes) {
    assert.equal(BatchField[name], at, name);
    at += size;
  }
  assert.equal(at, BATCH_HEADER_BYTES);
  assert.equal(BatchField.records, BATCH_HEADER_BYTES);
  assert.equal(LOG_OVERHEAD, 12);
  assert.equal(MIN_BATCH_LENGTH, 49);
});

test('attributes: bit helpers', () => {
  const a = makeAttributes({ compression: 1, logAppendTime: true, transactional: true, control: true, deleteHorizon: true });
  assert.equal(a, 0x7f - 0x06);
  assert.equal(compressionOf(a), 1);
  assert.ok(isLogAppendTime(a) && isTransactional(a) && isControl(a) && hasDeleteHorizon(a));
  assert.equal(makeAttributes({}), 0);
  assert.ok(!isTransactional(0) && !isControl(0) && !isLogAppendTime(0) && !hasDeleteHorizon(0));
});

test('encodeBatch: golden bytes (as kafkajs writes them)', () => {
  const buf = encodeBatch(goldenRecords, kafkajsDefaults);
  assert.equal(buf.toString('hex'), GOLDEN);
});

test('checkBatch/readBatchHeader: golden header fields', () => {
  const h = checkBatch(Buffer.from(GOLDEN, 'hex'), 0, 1 << 20);
  assert.deepEqual(h, {
    baseOffset: 0, batchLength: 79, partitionLeaderEpoch: 0, magic: 2, crc: 0xd64388f1, attributes: 0,
    lastOffsetDelta: 1, baseTimestamp: TS, maxTimestamp: TS + 5, producerId: -1, producerEpoch: 0,
    baseSequence: 0, recordCount: 2,
  });
  assert.deepEqual(readBatchHeader(Buffer.from(GOLDEN, 'hex'), 0), h);
});

test('decodeRecords: golden records, key/value are views (no copy)', () => {
  const buf = Buffer.from(GOLDEN, 'hex');
  const recs = decodeRecords(buf, 0, { verifyCrc: true });
  assert.deepEqual(recs, [
    { offset: 0, timestamp: TS, key: b('k1'), value: b('hello'), headers: [{ key: 'h', value: b('v') }] },
    { offset: 1, timestamp: TS + 5, key: null, value: b('world'), headers: [] },
  ]);
  assert.equal(recs[0]!.value!.buffer, buf.buffer);
});

test('encodeBatch: defaults (Kafka Java constants) and options', () => {
  const one = encodeBatch([{ key: null, value: b('x'), timestamp: TS }]);
  const h = checkBatch(one, 0, 1 << 20);
  assert.equal(h.producerId, -1);
  assert.equal(h.producerEpoch, -1);
  assert.equal(h.baseSequence, -1);
  assert.equal(h.partitionLeaderEpoch, -1);
  assert.equal(h.attributes, 0);
  const opts: EncodeBatchOptions = {
    baseOffset: 2 ** 40, baseTimestamp: TS - 10, producerId: 2 ** 45, producerEpoch: 7, baseSequence: 99,
    transactional: true, control: true, partitionLeaderEpoch: 3,
  };
  const h2 = checkBatch(encodeBatch([{ key: null, value: null, timestamp: TS }, { key: null, value: null }], opts), 0, 1 << 20);
  assert.deepEqual(
    { ...h2, crc: 0, batchLength: 0 },
    {
      baseOffset: 2 ** 40, batchLength: 0, partitionLeaderEpoch: 3, magic: 2, crc: 0, attributes: 0x30,
      lastOffsetDelta: 1, baseTimestamp: TS - 10, maxTimestamp: TS, producerId: 2 ** 45, producerEpoch: 7,
      baseSequence: 99, recordCount: 2,
    },
  );
  // A record without a timestamp takes baseTimestamp when one is given.
  const recs = decodeRecords(encodeBatch([{ key: null, value: null, timestamp: TS }, { key: null, value: null }], opts));
  assert.deepEqual(recs.map((r) => [r.offset, r.timestamp]), [[2 ** 40, TS], [2 ** 40 + 1, TS - 10]]);
});

test('encodeBatch: records without timestamps get the encoding time', () => {
  const before = Date.now();
  const h = checkBatch(encodeBatch([{ key: null, value: null }]), 0, 1 << 20);
  assert.ok(h.baseTimestamp >= before && h.baseTimestamp <= Date.now());
  assert.equal(h.maxTimestamp, h.baseTimestamp);
});

test('encodeBatch: caller mistakes are INVALID_ARGUMENT', () => {
  const bad = (f: () => unknown) => assert.throws(f, (e) => isHopperError(e, 'INVALID_ARGUMENT'));
  bad(() => encodeBatch([]));
  bad(() => encodeBatch([{ key: null, value: null, timestamp: 1.5 }]));
  bad(() => encodeBatch([{ key: null, value: null, timestamp: NaN }]));
  bad(() => encodeBatch([{ key: null, value: null, timestamp: 2 ** 53 - 1 }], { baseTimestamp: -(2 ** 53 - 1) }));
  bad(() => encodeBatch([{ key: null, value: null, timestamp: 0 }], { baseOffset: -1 }));
  bad(() => encodeBatch([{ key: null, value: null, timestamp: 0 }], { producerEpoch: 40000 }));
  bad(() => encodeBatch([{ key: null, value: null, timestamp: 0 }], { baseSequence: 2 ** 31 }));
  bad(() => encodeBatch([{ key: null, value: null, timestamp: 0 }], { compression: 'brotli' as never }));
});

test('gzip batch: attributes carry codec 1, records round trip', () => {
  const buf = encodeBatch(goldenRecords, { compression: 'gzip' });
  const h = checkBatch(buf, 0, 1 << 20);
  assert.equal(compressionOf(h.attributes), 1);
  assert.deepEqual(decodeRecords(buf), decodeRecords(Buffer.from(GOLDEN, 'hex')));
});

test('LogAppendTime: every record reports maxTimestamp', () => {
  const buf = encodeBatch(goldenRecords);
  buf.writeInt16BE(makeAttributes({ logAppendTime: true }), BatchField.attributes);
  buf.writeUInt32BE(0, BatchField.maxTimestamp); // maxTimestamp = TS - (TS mod 2^32) - ish: any value
  fixCrc(buf);
  const h = checkBatch(buf, 0, 1 << 20);
  for (const r of decodeRecords(buf)) assert.equal(r.timestamp, h.maxTimestamp);
});

test('setBaseOffset: rewrites offsets without breaking the CRC; lastOffsetOf', () => {
  const buf = encodeBatch(goldenRecords);
  setBaseOffset(buf, 0, 123_456_789_012);
  const h = checkBatch(buf, 0, 1 << 20);
  assert.equal(h.baseOffset, 123_456_789_012);
  assert.equal(lastOffsetOf(h), 123_456_789_013);
  assert.deepEqual(decodeRecords(buf).map((r) => r.offset), [123_456_789_012, 123_456_789_013]);
});

test('batchSizeAt: size, null when under 12 bytes, corrupt when the length is impossible', () => {
  const buf = encodeBatch(goldenRecords);
  assert.equal(batchSizeAt(buf, 0), buf.length);
  assert.equal(batchSizeAt(buf.subarray(0, 12), 0), buf.length);
  assert.equal(batchSizeAt(buf.subarray(0, 11), 0), null);
  assert.equal(batchSizeAt(buf, buf.length), null);
  const bad = Buffer.from(buf);
  bad.writeInt32BE(48, BatchField.batchLength);
  assert.throws(() => batchSizeAt(bad, 0), isCorrupt);
  bad.writeInt32BE(-1, BatchField.batchLength);
  assert.throws(() => batchSizeAt(bad, 0), isCorrupt);
});

test('checkBatch: magic, CRC, truncation, size limit, int64 ranges', () => {
  const ok = encodeBatch(goldenRecords);
  assert.throws(() => checkBatch(ok, 0, ok.length - 1), (e) => isHopperError(e, 'MESSAGE_TOO_LARGE'));
  assert.doesNotThrow(() => checkBatch(ok, 0, ok.length));

  const magic = Buffer.from(ok);
  magic[BatchField.magic] = 1;
  assert.throws(() => checkBatch(magic, 0, 1 << 20), /magic 1/);

  const crc = Buffer.from(ok);
  crc[crc.length - 2]! ^= 1; // a byte of the last value
  assert.throws(() => checkBatch(crc, 0, 1 << 20), /CRC mismatch/);
  assert.doesNotThrow(() => decodeRecords(crc)); // decodeRecords trusts the CRC unless asked
  assert.throws(() => decodeRecords(crc, 0, { verifyCrc: true }), isCorrupt);

  assert.throws(() => checkBatch(ok.subarray(0, 60), 0, 1 << 20), /truncated/);
  assert.throws(() => checkBatch(ok.subarray(0, ok.length - 1), 0, 1 << 20), /truncated/);

  const offset = Buffer.from(ok);
  offset.writeInt32BE(0x00400000, BatchField.baseOffset); // 2^54
  assert.throws(() => checkBatch(offset, 0, 1 << 20), /baseOffset/);
  setBaseOffset(offset, 0, -5);
  assert.throws(() => checkBatch(offset, 0, 1 << 20), /baseOffset/);

  const producer = Buffer.from(ok);
  producer.writeInt32BE(0x7fffffff, BatchField.producerId);
  assert.throws(() => checkBatch(fixCrc(producer), 0, 1 << 20), /producerId/);
});

test('checkBatch: record count must fit lastOffsetDelta and the bytes', () => {
  const ok = encodeBatch(goldenRecords);
  const count = Buffer.from(ok);
  count.writeInt32BE(0x7fffffff, BatchField.recordCount);
  count.writeInt32BE(0x7ffffffe, BatchField.lastOffsetDelta);
  assert.throws(() => checkBatch(fixCrc(count), 0, 1 << 20), /cannot fit/);
  count.writeInt32BE(3, BatchField.recordCount);
  count.writeInt32BE(1, BatchField.lastOffsetDelta);
  assert.throws(() => checkBatch(fixCrc(count), 0, 1 << 20), /does not fit lastOffsetDelta/);
  count.writeInt32BE(-1, BatchField.recordCount);
  assert.throws(() => checkBatch(fixCrc(count), 0, 1 << 20), isCorrupt);
  count.writeInt32BE(2, BatchField.recordCount);
  count.writeInt32BE(-1, BatchField.lastOffsetDelta);
  assert.throws(() => checkBatch(fixCrc(count), 0, 1 << 20), /lastOffsetDelta/);
});

test('forEachBatch: visits whole batches, stops cleanly at a partial tail or on false', () => {
  const a = encodeBatch(goldenRecords, { baseOffset: 0 });
  const c = encodeBatch([{ key: null, value: b('c'), timestamp: TS }], { baseOffset: 2 });
  const all = Buffer.concat([a, c, a.subarray(0, 30)]);
  const seen: [number, number][] = [];
  assert.equal(forEachBatch(all, (h, pos) => void seen.push([h.baseOffset, pos])), a.length + c.length);
  assert.deepEqual(seen, [[0, 0], [2, a.length]]);
  for (let cut = 0; cut < 12; cut++) {
    assert.equal(forEachBatch(Buffer.concat([a, c.subarray(0, cut)]), () => {}), a.length);
  }
  assert.equal(forEachBatch(Buffer.alloc(0), () => assert.fail()), 0);
  assert.equal(forEachBatch(all, () => false), a.length);
  const bad = Buffer.concat([a, c]);
  bad[bad.length - 1]! ^= 0xff;
  assert.throws(() => forEachBatch(bad, () => {}), /CRC mismatch/);
  assert.equal(forEachBatch(bad, () => {}, { verifyCrc: false }), bad.length);
  assert.throws(() => forEachBatch(bad, () => {}, { maxBatchBytes: 64 }), (e) => isHopperError(e, 'MESSAGE_TOO_LARGE'));
});

// --- property tests ----------------------------------------------------------------------

const bytes = fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u));
const headerArb = fc.record(
  { key: fc.string({ unit: 'grapheme', maxLength: 12 }), value: fc.option(bytes, { nil: null }) },
  { noNullPrototype: true },
);
const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: fc.option(bytes, { nil: null }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.array(headerArb, { maxLength: 4 }),
  timestamp: fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.integer({ min: -(2 ** 50), max: 2 ** 50 })),
}, { noNullPrototype: true });
const optsArb: fc.Arbitrary<EncodeBatchOptions> = fc.record(
  {
    baseOffset: fc.integer({ min: 0, max: 2 ** 50 }),
    producerId: fc.integer({ min: -1, max: 2 ** 50 }),
    producerEpoch: fc.integer({ min: -1, max: 0x7fff }),
    baseSequence: fc.integer({ min: -1, max: 0x7fffffff }),
    transactional: fc.boolean(),
    compression: fc.constantFrom('none' as const, 'gzip' as const),
    partitionLeaderEpoch: fc.integer({ min: -1, max: 1000 }),
  },
  { requiredKeys: [], noNullPrototype: true },
);

test('property: encodeBatch → checkBatch → decodeRecords round trips', () => {
  fc.assert(
    fc.property(fc.array(recordArb, { minLength: 1, maxLength: 20 }), optsArb, (records, opts) => {
      const buf = encodeBatch(records, opts);
      const h = checkBatch(buf, 0, buf.length);
      assert.equal(buf.length, LOG_OVERHEAD + h.batchLength);
      assert.equal(h.recordCount, records.length);
      assert.equal(h.lastOffsetDelta, records.length - 1);
      assert.equal(h.baseOffset, opts.baseOffset ?? 0);
      assert.equal(h.maxTimestamp, Math.max(...records.map((r) => r.timestamp!)));
      assert.equal(h.baseTimestamp, Math.min(...records.map((r) => r.timestamp!)));
      assert.equal(isTransactional(h.attributes), opts.transactional ?? false);
      const decoded = decodeRecords(buf);
      assert.deepEqual(
        decoded,
        records.map((r, i) => ({
          offset: h.baseOffset + i,
          timestamp: r.timestamp,
          key: r.key,
          value: r.value,
          headers: r.headers,
        })),
      );
    }),
    { numRuns: 300 },
  );
});

test('property: string header values are written as UTF-8 bytes', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      const buf = encodeBatch([{ key: null, value: null, headers: [{ key: 'k', value: s }], timestamp: 0 }]);
      assert.deepEqual(decodeRecords(buf)[0]!.headers, [{ key: 'k', value: Buffer.from(s) }]);
    }),
  );
});

test('property: any JS string (lone surrogates too) sizes and writes consistently', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), (k, v) => {
      const buf = encodeBatch([{ key: null, value: null, headers: [{ key: k, value: v }], timestamp: 0 }]);
      assert.deepEqual(decodeRecords(buf, 0, { verifyCrc: true })[0]!.headers, [
        { key: Buffer.from(k).toString(), value: Buffer.from(v) },
      ]);
    }),
    { numRuns: 500 },
  );
});

test('a batch larger than the shared size table (5,000 records) round trips', () => {
  const many = Array.from({ length: 5000 }, (_, i) => ({ key: null, value: Buffer.from(String(i)), timestamp: TS + i }));
  const recs = decodeRecords(encodeBatch(many, { compression: 'gzip' }), 0, { verifyCrc: true });
  assert.equal(recs.length, 5000);
  assert.equal(recs[4999]!.value!.toString(), '4999');
  assert.equal(recs[4999]!.timestamp, TS + 4999);
});
