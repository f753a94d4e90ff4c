/**
 * Hostile bytes: truncation and corruption at every position, random mutations, and crafted
 * lengths and counts. The decoder may only return a consistent result or throw CORRUPT_MESSAGE:
 * never a RangeError, never a huge allocation, never a read past the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BATCH_HEADER_BYTES,
  BatchField,
  checkBatch,
  type DecodedRecord,
  decodeRecords,
  encodeBatch,
  forEachBatch,
  LOG_OVERHEAD,
  makeAttributes,
  type RecordInput,
} from '../../../src/storage/codec/record-batch.js';
import { fixCrc, isCorrupt, returnsOrCorrupt } from './util.js';

const TS = 1_700_000_000_000;
const records: RecordInput[] = [
  { key: Buffer.from('key-1'), value: Buffer.from('value one'), headers: [{ key: 'h1', value: Buffer.from('x') }, { key: 'h2', value: null }], timestamp: TS },
  { key: null, value: Buffer.alloc(0), timestamp: TS + 1000 },
  { key: Buffer.alloc(0), value: null, headers: [{ key: 'ü', value: 'ß' }], timestamp: TS - 1 },
];
const samples: [string, Buffer][] = [
  ['plain', encodeBatch(records, { baseOffset: 40, producerId: 7, producerEpoch: 1, baseSequence: 3 })],
  ['gzip', encodeBatch(records, { baseOffset: 40, compression: 'gzip' })],
  ['single', encodeBatch([{ key: null, value: Buffer.from('v'), timestamp: TS }])],
];

/** Invariants any successful decode must satisfy. */
function checkDecoded(buf: Buffer, recs: DecodedRecord[]): void {
  const base = Number(buf.readBigInt64BE(0));
  const last = base + buf.readInt32BE(BatchField.lastOffsetDelta);
  let prev = base - 1;
  for (const r of recs) {
    assert.ok(r.offset > prev && r.offset <= last, 'offsets grow inside the batch range');
    assert.ok(Number.isSafeInteger(r.timestamp));
    prev = r.offset;
  }
  assert.equal(recs.length, buf.readInt32BE(BatchField.recordCount));
}

const decodeChecked = (buf: Buffer) => () => checkDecoded(buf, decodeRecords(buf));

test('truncation at every length: checkBatch and decodeRecords throw CORRUPT_MESSAGE, forEachBatch stops', () => {
  for (const [name, full] of samples) {
    for (let len = 0; len < full.length; len++) {
      const cut = full.subarray(0, len);
      assert.throws(() => checkBatch(cut, 0, 1 << 20), isCorrupt, `${name} cut at ${len}`);
      assert.throws(() => decodeRecords(cut), isCorrupt, `${name} cut at ${len}`);
      assert.equal(forEachBatch(Buffer.concat([full, cut]), () => {}), full.length);
    }
  }
});

test('one corrupted byte at every position: checkBatch catches all but the fields outside the CRC', () => {
  for (const [name, full] of samples) {
    for (let pos = 0; pos < full.length; pos++) {
      for (const change of [0x01, 0x80, 0xff]) {
        const bad = Buffer.from(full);
        bad[pos]! ^= change;
        const outsideCrc = pos < BatchField.batchLength || (pos >= BatchField.partitionLeaderEpoch && pos < BatchField.magic);
        try {
          checkBatch(bad, 0, 1 << 20);
          assert.ok(outsideCrc, `${name}: byte ${pos} ^ ${change} went unnoticed`);
        } catch (e) {
          assert.ok(isCorrupt(e), `${name}: byte ${pos}: ${String(e)}`);
        }
        returnsOrCorrupt(decodeChecked(bad)); // no CRC check: the parser itself must hold
        returnsOrCorrupt(decodeChecked(fixCrc(bad))); // CRC made valid: structure checks only
      }
    }
  }
});

test('property: random mutations of random batches never escape as anything but CORRUPT_MESSAGE', () => {
  const rec = fc.record(
    {
      key: fc.option(fc.uint8Array({ maxLength: 20 }).map((u) => Buffer.from(u)), { nil: null }),
      value: fc.option(fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)), { nil: null }),
      headers: fc.array(fc.record({ key: fc.string({ maxLength: 5 }), value: fc.constant(Buffer.from('hv')) }), { maxLength: 3 }),
      timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
    },
    { noNullPrototype: true },
  );
  fc.assert(
    fc.property(
      fc.array(rec, { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      (rs, gzip, edits, fix) => {
        const buf = encodeBatch(rs, { compression: gzip ? 'gzip' : 'none' });
        // Keep the batchLength and magic so the mutations reach the record parser.
        for (const [at, v] of edits) {
          const pos = BatchField.attributes + (at % (buf.length - BatchField.attributes));
          buf[pos] = v;
        }
        if (fix) fixCrc(buf);
        returnsOrCorrupt(decodeChecked(buf));
        returnsOrCorrupt(() => decodeRecords(buf, 0, { verifyCrc: true }));
      },
    ),
    { numRuns: 2000 },
  );
});

/** A batch whose records region is `body`, with header fields set to match. */
function crafted(body: Buffer, recordCount: number, attributes = 0): Buffer {
  const head = Buffer.from(encodeBatch([{ key: null, value: null, timestamp: TS }]).subarray(0, BATCH_HEADER_BYTES));
  const buf = Buffer.concat([head, body]);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, BatchField.batchLength);
  buf.writeInt16BE(attributes, BatchField.attributes);
  buf.writeInt32BE(recordCount, BatchField.recordCount);
  buf.writeInt32BE(Math.max(0, recordCount - 1), BatchField.lastOffsetDelta);
  return fixCrc(buf);
}

test('crafted lengths and counts are refused before any allocation', () => {
  // Record bytes: length, attributes, timestampDelta, offsetDelta, key, value, header count...
  // (zigzag varints: 00 = 0, 01 = -1, 02 = 1, 03 = -2, 0c = 6; feffffff0f = 2^31-1).
  const cases: [string, string, number, RegExp][] = [
    ['record length past the batch', 'feffffff0f000000000000', 1, /length 2147483647 with 6 bytes left/],
    ['negative record length', '01000000000000', 1, /length -1 with/],
    ['key length past the record', '14' + '000000' + 'feffffff0f' + '0000', 1, /byte field length 2147483647/],
    ['key length -2', '0c' + '000000' + '03' + '0000', 1, /byte field length -2/],
    ['value length past the record', '0c' + '000000' + '01' + '28' + '00', 1, /byte field length 20 with 1 bytes left/],
    ['header count past the record', '14' + '000000' + '0101' + 'feffffff0f', 1, /header count 2147483647/],
    ['header count negative', '0c' + '000000' + '0101' + '01', 1, /header count -1/],
    ['header key length negative', '12' + '000000' + '0101' + '02' + '03' + '0000', 1, /header key length -2/],
    ['offset delta beyond lastOffsetDelta', '0c' + '000002' + '0101' + '00', 1, /offsetDelta 1 after -1, last is 0/],
    ['bytes left inside the record', '0e' + '000000' + '0101' + '00' + '00', 1, /1 bytes left inside the record/],
    ['bytes left after the records', '0c' + '000000' + '0101' + '00' + '00', 1, /1 bytes left after 1 records/],
    ['record count larger than the bytes allow', '0c' + '000000' + '0101' + '00', 1000, /cannot fit/],
    ['second record past the end', '0c' + '000000' + '0101' + '00' + '14' + '000000000000', 2, /length 10 with 6 bytes left/],
    ['timestamp delta past 2^53', '1e' + '00' + 'feffffffffffffffff01' + '00' + '0101' + '00', 1, /safe integer range/],
    ['varint longer than 5 bytes', '14' + '0000' + 'ffffffff7f' + '0101' + '00', 1, /varint longer than 32 bits/],
  ];
  for (const [what, hex, count, re] of cases) {
    assert.throws(
      () => decodeRecords(crafted(Buffer.from(hex, 'hex'), count), 0, { verifyCrc: true }),
      (e) => isCorrupt(e) && re.test((e as Error).message),
      what,
    );
  }
});

test('compressed payloads: bombs, huge counts, bad streams and unknown codecs are CORRUPT_MESSAGE', () => {
  const big = encodeBatch([{ key: null, value: Buffer.alloc(1 << 20), timestamp: TS }], { compression: 'gzip' });
  assert.ok(big.length < 4096);
  assert.throws(() => decodeRecords(big, 0, { maxDecompressedBytes: 64 * 1024 }), /decompresses to more than 65536/);
  assert.equal(decodeRecords(big)[0]!.value!.length, 1 << 20);

  const gz = encodeBatch(records, { compression: 'gzip' });
  const count = Buffer.from(gz);
  count.writeInt32BE(0x7fffffff, BatchField.recordCount);
  count.writeInt32BE(0x7ffffffe, BatchField.lastOffsetDelta);
  assert.throws(() => decodeRecords(fixCrc(count)), /cannot fit in \d+ decompressed bytes/);

  assert.throws(() => decodeRecords(crafted(Buffer.from('not gzip at all'), 1, 1)), /gzip payload does not decompress/);
  assert.throws(() => decodeRecords(crafted(Buffer.from(gz.subarray(BATCH_HEADER_BYTES, gz.length - 4)), 3, 1)), isCorrupt);
  for (const [codec, re] of [[2, /snappy payload does not decompress/], [3, /lz4 payload does not decompress/], [4, /zstd payload does not decompress/], [5, /unknown compression codec 5/], [7, /codec 7/]] as const) {
    assert.throws(() => decodeRecords(crafted(Buffer.from('xx'), 1, makeAttributes({ compression: codec }))), (e) => isCorrupt(e) && re.test((e as Error).message));
  }
});
