/**
 * Cross-checks against kafkajs 2.2.4's own RecordBatch code (an independent implementation):
 * byte-identical uncompressed batches, and each side decoding the other's plain and gzip batches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkBatch, decodeRecords, encodeBatch, type RecordInput } from '../../../src/storage/codec/record-batch.js';
import { kjsDecodeBatch, kjsEncodeBatch, type KjsRecord } from './kafkajs.js';

interface Sample {
  records: RecordInput[];
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  transactional: boolean;
}

const buf = fc.uint8Array({ maxLength: 80 }).map((u) => Buffer.from(u));
const sampleArb: fc.Arbitrary<Sample> = fc.record(
  {
    records: fc.array(
      fc.record(
        {
          key: fc.option(buf, { nil: null }),
          value: fc.option(buf, { nil: null }),
          // kafkajs takes headers as an object: keys are unique, not integer-like (those sort
          // first in an object) and not Object.prototype names (its decoder trips on those).
          headers: fc.uniqueArray(fc.record({ key: fc.string({ maxLength: 8 }).map((k) => `x-${k}`), value: buf }, { noNullPrototype: true }), {
            selector: (h) => h.key,
            maxLength: 4,
          }),
          timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }),
        },
        { noNullPrototype: true },
      ),
      { minLength: 1, maxLength: 12 },
    ),
    producerId: fc.integer({ min: -1, max: 2 ** 40 }),
    producerEpoch: fc.integer({ min: 0, max: 0x7fff }),
    baseSequence: fc.integer({ min: 0, max: 0x7fffffff }),
    transactional: fc.boolean(),
  },
  { noNullPrototype: true },
);

function toKjs(s: Sample, compression: number): Promise<Buffer> {
  const ts = s.records.map((r) => r.timestamp!);
  const first = Math.min(...ts);
  const records: KjsRecord[] = s.records.map((r) => ({
    key: r.key,
    value: r.value,
    headers: Object.fromEntries((r.headers ?? []).map((h) => [h.key, h.value as Buffer])),
    timestampDelta: r.timestamp! - first,
  }));
  return kjsEncodeBatch(records, {
    firstTimestamp: first,
    maxTimestamp: Math.max(...ts),
    compression,
    producerId: s.producerId,
    producerEpoch: s.producerEpoch,
    firstSequence: s.baseSequence,
    transactional: s.transactional,
  });
}

function ours(s: Sample, compression: 'none' | 'gzip'): Buffer {
  return encodeBatch(s.records, {
    compression,
    partitionLeaderEpoch: 0, // kafkajs writes 0 where the Java client writes -1
    producerId: s.producerId,
    producerEpoch: s.producerEpoch,
    baseSequence: s.baseSequence,
    transactional: s.transactional,
  });
}

function expected(s: Sample) {
  return s.records.map((r, i) => ({
    offset: i,
    timestamp: r.timestamp!,
    key: r.key,
    value: r.value,
    headers: r.headers ?? [],
  }));
}

test('uncompressed batches are byte-identical to kafkajs', async () => {
  await fc.assert(
    fc.asyncProperty(sampleArb, async (s) => {
      assert.equal(ours(s, 'none').toString('hex'), (await toKjs(s, 0)).toString('hex'));
    }),
    { numRuns: 200 },
  );
});

test('we decode kafkajs batches, plain and gzip, CRC checked', async () => {
  await fc.assert(
    fc.asyncProperty(sampleArb, fc.constantFrom(0, 1), async (s, codec) => {
      const theirs = await toKjs(s, codec);
      const h = checkBatch(theirs, 0, theirs.length);
      assert.equal(h.attributes & 0x07, codec);
      assert.deepEqual(decodeRecords(theirs), expected(s));
    }),
    { numRuns: 150 },
  );
});

test('kafkajs decodes our batches, plain and gzip', async () => {
  await fc.assert(
    fc.asyncProperty(sampleArb, fc.constantFrom('none' as const, 'gzip' as const), async (s, compression) => {
      const d = await kjsDecodeBatch(ours(s, compression));
      assert.equal(d.records.length, s.records.length);
      d.records.forEach((r, i) => {
        const want = s.records[i]!;
        assert.equal(r.offset, String(i));
        assert.equal(r.timestamp, String(want.timestamp));
        assert.deepEqual(r.key, want.key);
        assert.deepEqual(r.value, want.value);
        assert.deepEqual(r.headers, Object.fromEntries((want.headers ?? []).map((h) => [h.key, h.value])));
      });
    }),
    { numRuns: 150 },
  );
});
