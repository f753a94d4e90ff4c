import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeArguments, decodeTypedValue, encodeArguments, encodeTypedValue, ShapeError } from '../../../src/core/catalogue/typed-json.js';
import { typedValueIdentical } from '../../../src/core/exchange/arguments.js';
import type { TypedValue } from '../../../src/core/message.js';

const leaf: fc.Arbitrary<TypedValue> = fc.oneof(
  fc.string().map((value) => ({ type: 'string' as const, value })),
  fc.boolean().map((value) => ({ type: 'bool' as const, value })),
  fc.maxSafeInteger().map((value) => ({ type: 'int' as const, value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }).map((value) => ({ type: 'long' as const, value })),
  fc.double().map((value) => ({ type: 'float' as const, value })),
  fc.record({ scale: fc.integer({ min: 0, max: 20 }), value: fc.integer() }).map((d) => ({ type: 'decimal' as const, ...d })),
  fc.string().map((value) => ({ type: 'number' as const, value })),
  fc.integer({ min: 0 }).map((value) => ({ type: 'timestamp' as const, value })),
  fc.uint8Array({ maxLength: 16 }).map((a) => ({ type: 'bytes' as const, value: Buffer.from(a) })),
  fc.constant({ type: 'void' as const }),
);
const { value: typed } = fc.letrec<{ value: TypedValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }).map((value) => ({ type: 'array' as const, value })),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }).map((value) => ({ type: 'table' as const, value })),
  ),
}));

test('property: typed values survive JSON exactly', () => {
  fc.assert(
    fc.property(typed, (v) => {
      const back = decodeTypedValue(JSON.parse(JSON.stringify(encodeTypedValue(v))), 'v');
      assert.ok(typedValueIdentical(v, back), JSON.stringify(encodeTypedValue(v)));
    }),
    { numRuns: 500 },
  );
});

test('argument tables encode with sorted keys, so equal tables encode equally', () => {
  const a = encodeArguments({ b: { type: 'int', value: 1 }, a: { type: 'void' } });
  const b = encodeArguments({ a: { type: 'void' }, b: { type: 'int', value: 1 } });
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  assert.deepEqual(Object.keys(decodeArguments(JSON.parse(JSON.stringify(a)), 'args')), ['a', 'b']);
});

test('malformed values are refused with their path', () => {
  assert.throws(() => decodeTypedValue({ type: 'int', value: 1.5 }, 'x'), ShapeError);
  assert.throws(() => decodeTypedValue({ type: 'long', value: '1e3' }, 'x'), ShapeError);
  assert.throws(() => decodeTypedValue({ type: 'what' }, 'x'), /x\.type/);
  assert.throws(() => decodeArguments({ k: { type: 'string', value: 1 } }, 'args'), /args\["k"\]\.value/);
  let deep: unknown = { type: 'void' };
  for (let i = 0; i < 100; i++) deep = { type: 'array', value: [deep] };
  assert.throws(() => decodeTypedValue(deep, 'x'), /nested too deeply/);
});
