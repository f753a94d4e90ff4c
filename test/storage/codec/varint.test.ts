import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHopperError } from '../../../src/core/errors.js';
import {
  type Cursor,
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
} from '../../../src/storage/codec/varint.js';
import { kjsVarint, kjsVarlong } from './kafkajs.js';

/** Independent reference: zigzag in BigInt, then unsigned LEB128. */
function reference(n: bigint, bits: 32n | 64n): Buffer {
  let z = BigInt.asUintN(Number(bits), (n << 1n) ^ (n >> (bits - 1n)));
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

const enc = (n: number, long = false): Buffer => {
  const b = Buffer.alloc(10);
  const end = long ? writeVarlong(b, 0, n) : writeVarint(b, 0, n);
  assert.equal(end, long ? sizeOfVarlong(n) : sizeOfVarint(n));
  return b.subarray(0, end);
};

const isCorrupt = (e: unknown): boolean => isHopperError(e, 'CORRUPT_MESSAGE');

test('varint: known encodings (Kafka ByteUtils)', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [-65, '8101'],
    [0x7fffffff, 'feffffff0f'],
    [-0x80000000, 'ffffffff0f'],
  ];
  for (const [n, hex] of cases) {
    assert.equal(enc(n).toString('hex'), hex, `varint ${n}`);
    const cur: Cursor = { pos: -1 };
    assert.equal(readVarint(Buffer.from(hex, 'hex'), 0, cur), n);
    assert.equal(cur.pos, hex.length / 2);
  }
});

test('varint: matches the reference and kafkajs for all int32, round trips', () => {
  fc.assert(
    fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (n) => {
      const b = enc(n);
      assert.deepEqual(b, reference(BigInt(n), 32n));
      assert.deepEqual(b, kjsVarint(n));
      const cur = { pos: 0 };
      assert.equal(readVarint(Buffer.concat([Buffer.from([9]), b, Buffer.from([1])]), 1, cur), n);
      assert.equal(cur.pos, 1 + b.length);
    }),
    { numRuns: 2000 },
  );
});

test('varlong: matches the reference and kafkajs over the safe range, round trips', () => {
  const safe = fc.oneof(
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    fc.maxSafeInteger(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 31, -(2 ** 31) - 1, 2 ** 52, -(2 ** 52)),
  );
  fc.assert(
    fc.property(safe, (n) => {
      const b = enc(n, true);
      assert.deepEqual(b, reference(BigInt(n), 64n));
      assert.deepEqual(b, kjsVarlong(n));
      const cur = { pos: 0 };
      assert.equal(readVarlong(b, 0, cur), n);
      assert.equal(cur.pos, b.length);
    }),
    { numRuns: 2000 },
  );
});

test('varint/varlong: truncation at every length is CORRUPT_MESSAGE, never a read past end', () => {
  for (const n of [0x7fffffff, -0x80000000, 300]) {
    const b = enc(n);
    for (let len = 0; len < b.length; len++) {
      assert.throws(() => readVarint(b, 0, { pos: 0 }, len), isCorrupt);
      assert.throws(() => readVarint(b.subarray(0, len), 0, { pos: 0 }), isCorrupt);
    }
  }
  for (const n of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 40]) {
    const b = enc(n, true);
    for (let len = 0; len < b.length; len++) assert.throws(() => readVarlong(b, 0, { pos: 0 }, len), isCorrupt);
  }
});

test('varint: over-long encodings are CORRUPT_MESSAGE', () => {
  assert.throws(() => readVarint(Buffer.from('ffffffff10', 'hex'), 0, { pos: 0 }), isCorrupt); // 33rd bit
  assert.throws(() => readVarint(Buffer.from('ffffffff8f00', 'hex'), 0, { pos: 0 }), isCorrupt); // 6 bytes
  // A non-minimal but in-range encoding is accepted, as Kafka does.
  assert.equal(readVarint(Buffer.from('8000', 'hex'), 0, { pos: 0 }), 0);
});

test('varlong: over-long and out-of-safe-range values are CORRUPT_MESSAGE', () => {
  const ten = reference(2n ** 63n - 1n, 64n);
  assert.equal(ten.length, 10);
  assert.throws(() => readVarlong(ten, 0, { pos: 0 }), isCorrupt); // int64 max: past 2^53
  assert.throws(() => readVarlong(reference(2n ** 53n, 64n), 0, { pos: 0 }), isCorrupt);
  assert.throws(() => readVarlong(reference(-(2n ** 53n), 64n), 0, { pos: 0 }), isCorrupt);
  assert.equal(readVarlong(reference(2n ** 53n - 1n, 64n), 0, { pos: 0 }), Number.MAX_SAFE_INTEGER);
  assert.equal(readVarlong(reference(-(2n ** 53n) + 1n, 64n), 0, { pos: 0 }), Number.MIN_SAFE_INTEGER);
  assert.throws(() => readVarlong(Buffer.from('ffffffffffffffffff02', 'hex'), 0, { pos: 0 }), isCorrupt); // 65th bit
  assert.throws(() => readVarlong(Buffer.from('ffffffffffffffffff8100', 'hex'), 0, { pos: 0 }), isCorrupt); // 11 bytes
});

test('varint/varlong: random bytes either decode within bounds or throw CORRUPT_MESSAGE', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 12 }), fc.nat({ max: 12 }), (bytes, endRaw) => {
      const b = Buffer.from(bytes);
      const end = Math.min(endRaw, b.length);
      for (const read of [readVarint, readVarlong]) {
        const cur = { pos: -1 };
        try {
          const v = read(b, 0, cur, end);
          assert.ok(Number.isSafeInteger(v));
          assert.ok(cur.pos > 0 && cur.pos <= end);
        } catch (e) {
          assert.ok(isCorrupt(e), String(e));
        }
      }
    }),
    { numRuns: 3000 },
  );
});

test('writeVarint refuses a non-int32 (a caller bug, not a client error)', () => {
  assert.throws(() => writeVarint(Buffer.alloc(10), 0, 2 ** 31), /invariant/);
  assert.throws(() => writeVarlong(Buffer.alloc(10), 0, 2 ** 53), /invariant/);
});
