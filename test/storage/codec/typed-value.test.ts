import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHopperError } from '../../../src/core/errors.js';
import type { TypedValue } from '../../../src/core/message.js';
import { decodeTypedValue, encodeTypedValue, MAX_TYPED_DEPTH } from '../../../src/storage/codec/typed-value.js';
import { isCorrupt, returnsOrCorrupt } from './util.js';

const hex = (v: TypedValue): string => encodeTypedValue(v).toString('hex');

test('typed value: golden encodings', () => {
  assert.equal(hex({ type: 'void' }), '00');
  assert.equal(hex({ type: 'bool', value: false }), '01');
  assert.equal(hex({ type: 'bool', value: true }), '02');
  assert.equal(hex({ type: 'int', value: -1 }), '0301');
  assert.equal(hex({ type: 'int', value: 300 }), '03d804');
  assert.equal(hex({ type: 'long', value: -2n }), '04fffffffffffffffe');
  assert.equal(hex({ type: 'float', value: 1.5 }), '053ff8000000000000');
  assert.equal(hex({ type: 'decimal', scale: 2, value: 314 }), '06024073a00000000000');
  assert.equal(hex({ type: 'number', value: '1.5e3' }), '070a312e356533');
  assert.equal(hex({ type: 'timestamp', value: 1_700_000_000 }), '0880c49fd50c');
  assert.equal(hex({ type: 'string', value: 'hé' }), '090668c3a9');
  assert.equal(hex({ type: 'bytes', value: Buffer.from([1, 2]) }), '0a040102');
  assert.equal(hex({ type: 'array', value: [{ type: 'void' }, { type: 'bool', value: true }] }), '0b040002');
  assert.equal(hex({ type: 'table', value: { a: { type: 'int', value: 1 } } }), '0c0202610302');
  // Tags 13-15: AMQP types kept exactly.
  assert.equal(hex({ type: 'int', value: -1, width: 'int8' }), '0d0001');
  assert.equal(hex({ type: 'int', value: 65535, width: 'uint16' }), '0d03feff07');
  assert.equal(hex({ type: 'int', value: 1, width: 'int64' }), '0d0602');
  assert.equal(hex({ type: 'float', value: 1.5, single: true }), '0e3fc00000');
  assert.equal(hex({ type: 'timestamp', value: 2n ** 64n - 1n }), '0fffffffffffffffff');
});

test('typed value: encodings written before widths were kept still decode as they did', () => {
  // Bytes as the previous version wrote them (tags 3, 5, 8 for every int, float and timestamp).
  assert.deepEqual(decodeTypedValue(Buffer.from('03d804', 'hex')), { type: 'int', value: 300 });
  assert.deepEqual(decodeTypedValue(Buffer.from('053ff8000000000000', 'hex')), { type: 'float', value: 1.5 });
  assert.deepEqual(decodeTypedValue(Buffer.from('0880c49fd50c', 'hex')), { type: 'timestamp', value: 1_700_000_000 });
  assert.deepEqual(decodeTypedValue(Buffer.from('090668c3a9', 'hex')), { type: 'string', value: 'hé' });
});

const leaf: fc.Arbitrary<TypedValue> = fc.oneof(
  fc.constant<TypedValue>({ type: 'void' }),
  fc.boolean().map((value): TypedValue => ({ type: 'bool', value })),
  fc.maxSafeInteger().map((value): TypedValue => ({ type: 'int', value })),
  fc
    .record({ value: fc.maxSafeInteger(), width: fc.constantFrom('int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64' as const) })
    .map(({ value, width }): TypedValue => ({ type: 'int', value, width })),
  fc.float().map((value): TypedValue => ({ type: 'float', value, single: true })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value): TypedValue => ({ type: 'timestamp', value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value): TypedValue => ({ type: 'long', value })),
  fc.double().map((value): TypedValue => ({ type: 'float', value })),
  fc.record({ scale: fc.integer({ min: 0, max: 255 }), value: fc.double() }).map((d): TypedValue => ({ type: 'decimal', ...d })),
  fc.string().map((value): TypedValue => ({ type: 'number', value })),
  fc.maxSafeInteger().map((value): TypedValue => ({ type: 'timestamp', value })),
  fc.string({ unit: 'grapheme' }).map((value): TypedValue => ({ type: 'string', value })),
  fc.uint8Array({ maxLength: 20 }).map((u): TypedValue => ({ type: 'bytes', value: Buffer.from(u) })),
);
const { value: typedArb } = fc.letrec<{ value: TypedValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }).map((value): TypedValue => ({ type: 'array', value })),
    fc
      .dictionary(fc.string({ unit: 'grapheme', maxLength: 6 }), tie('value'), { maxKeys: 4, noNullPrototype: true })
      .map((value): TypedValue => ({ type: 'table', value })),
  ),
}));

test('typed value: property round trip, and every truncation is CORRUPT_MESSAGE', () => {
  fc.assert(
    fc.property(typedArb, (v) => {
      const enc = encodeTypedValue(v);
      assert.deepEqual(decodeTypedValue(enc), v);
      for (let len = 0; len < enc.length; len++) assert.throws(() => decodeTypedValue(enc.subarray(0, len)), isCorrupt);
      assert.throws(() => decodeTypedValue(Buffer.concat([enc, Buffer.from([0])])), /bytes after the value/);
    }),
    { numRuns: 500 },
  );
});

test('typed value: random bytes decode or throw CORRUPT_MESSAGE', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (u) => returnsOrCorrupt(() => decodeTypedValue(Buffer.from(u)))),
    { numRuns: 3000 },
  );
});

test('typed value: "__proto__" is an ordinary table key', () => {
  const value: Record<string, TypedValue> = {};
  Object.defineProperty(value, '__proto__', { value: { type: 'int', value: 1 }, enumerable: true, writable: true, configurable: true });
  const back = decodeTypedValue(encodeTypedValue({ type: 'table', value }));
  assert.equal(back.type, 'table');
  assert.deepEqual(Object.keys((back as { value: object }).value), ['__proto__']);
  assert.equal(Object.getPrototypeOf((back as { value: object }).value), Object.prototype);
});

test('typed value: nesting is bounded both ways', () => {
  let deep: TypedValue = { type: 'void' };
  for (let i = 0; i < MAX_TYPED_DEPTH; i++) deep = { type: 'array', value: [deep] };
  assert.deepEqual(decodeTypedValue(encodeTypedValue(deep)), deep);
  const tooDeep: TypedValue = { type: 'array', value: [deep] };
  assert.throws(() => encodeTypedValue(tooDeep), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
  // 10,000 nested empty arrays on the wire: refused at the limit, no stack overflow.
  const wire = Buffer.alloc(20_000);
  for (let i = 0; i < 10_000; i++) wire.set([0x0b, 0x02], i * 2);
  assert.throws(() => decodeTypedValue(wire), /nested deeper than 32/);
  // A cycle is caught by the same limit.
  const cyc: TypedValue[] = [];
  cyc.push({ type: 'array', value: cyc });
  assert.throws(() => encodeTypedValue(cyc[0]!), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
});

test('typed value: counts and lengths are bounded by the bytes left', () => {
  assert.throws(() => decodeTypedValue(Buffer.from('0bfeffffff0f', 'hex')), /length 2147483647 with 0 bytes left/);
  assert.throws(() => decodeTypedValue(Buffer.from('0c0300', 'hex')), /length -2/);
  assert.throws(() => decodeTypedValue(Buffer.from('0c040000', 'hex')), /length 2 with 2 bytes left/); // 2 entries need 4 bytes
  assert.throws(() => decodeTypedValue(Buffer.from('0a0a01', 'hex')), /length 5 with 1 bytes left/);
  assert.throws(() => decodeTypedValue(Buffer.from('10', 'hex')), /unknown tag 16/);
  assert.throws(() => decodeTypedValue(Buffer.from('0d', 'hex')), /truncated/);
  assert.throws(() => decodeTypedValue(Buffer.from('0d0702', 'hex')), /unknown int width 7/);
  assert.throws(() => decodeTypedValue(Buffer.from('0e3fc000', 'hex')), /truncated/);
  assert.throws(() => decodeTypedValue(Buffer.from('0fffffffffffffff', 'hex')), /truncated/);
  assert.throws(() => decodeTypedValue(Buffer.alloc(0)), /missing value/);
  assert.throws(() => decodeTypedValue(Buffer.from('04ffff', 'hex')), /truncated/);
});

test('typed value: invalid values are INVALID_ARGUMENT on encode', () => {
  const bad = (v: unknown) => assert.throws(() => encodeTypedValue(v as TypedValue), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
  bad({ type: 'int', value: 1.5 });
  bad({ type: 'int', value: 2 ** 53 });
  bad({ type: 'timestamp', value: NaN });
  bad({ type: 'timestamp', value: -1n });
  bad({ type: 'timestamp', value: 2n ** 64n });
  bad({ type: 'int', value: 1, width: 'int128' });
  bad({ type: 'long', value: 2n ** 63n });
  bad({ type: 'long', value: 5 });
  bad({ type: 'decimal', scale: 256, value: 1 });
  bad({ type: 'decimal', scale: -1, value: 1 });
  bad({ type: 'mystery' });
});
