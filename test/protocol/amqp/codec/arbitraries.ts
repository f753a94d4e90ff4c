/**
 * fast-check arbitraries for values in their canonical form: the TypedValues that survive
 * encode → decode unchanged (ints carry the width of a letter that holds them; a 'long' in the
 * safe range decodes as an int64 'int', so it is not made).
 */
import fc from 'fast-check';
import type { IntWidth, TypedValue } from '../../../../src/core/message.js';
import {
  allMethods,
  type AmqpMethod,
  basicPropertyFields,
  type BasicProperties,
  type FieldTable,
  type FieldType,
  type MethodDescriptor,
} from '../../../../src/protocol/amqp/codec/index.js';

const text = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength });
/** shortstr: at most 255 UTF-8 bytes. */
export const shortstr = text(60).filter((s) => Buffer.byteLength(s) <= 255);

const outsideSafe = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER));

const WIDTH_RANGES: [IntWidth, number, number][] = [
  ['int8', -0x80, 0x7f],
  ['uint8', 0, 0xff],
  ['int16', -0x8000, 0x7fff],
  ['uint16', 0, 0xffff],
  ['int32', -(2 ** 31), 2 ** 31 - 1],
  ['uint32', 0, 2 ** 32 - 1],
  ['int64', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
];
const sizedInt: fc.Arbitrary<TypedValue> = fc.oneof(
  ...WIDTH_RANGES.map(([width, min, max]) => fc.integer({ min, max }).map((value) => ({ type: 'int', value, width }) as const)),
);

export const typedValue: fc.Arbitrary<TypedValue> = fc.letrec<{ value: TypedValue; table: FieldTable }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text(40).map((value) => ({ type: 'string', value }) as const),
    fc.boolean().map((value) => ({ type: 'bool', value }) as const),
    sizedInt,
    outsideSafe.map((value) => ({ type: 'long', value }) as const),
    fc.double().map((value) => ({ type: 'float', value }) as const),
    fc.float().map((value) => ({ type: 'float', value, single: true }) as const),
    fc.record({ type: fc.constant('decimal' as const), scale: fc.integer({ min: 0, max: 255 }), value: fc.integer({ min: 0, max: 0xffff_ffff }) }, { noNullPrototype: true }),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).map((value) => ({ type: 'timestamp', value }) as const),
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }).map((value) => ({ type: 'timestamp', value }) as const),
    fc.uint8Array({ maxLength: 40 }).map((a) => ({ type: 'bytes', value: Buffer.from(a) }) as const),
    fc.constant({ type: 'void' } as const),
    fc.array(tie('value'), { maxLength: 4 }).map((value) => ({ type: 'array', value }) as const),
    tie('table').map((value) => ({ type: 'table', value }) as const),
  ),
  table: fc.dictionary(shortstr, tie('value'), { maxKeys: 5, noNullPrototype: true }),
})).value;

export const fieldTable: fc.Arbitrary<FieldTable> = fc.dictionary(shortstr, typedValue, { maxKeys: 6, noNullPrototype: true });

const byType: Record<FieldType, fc.Arbitrary<unknown>> = {
  octet: fc.integer({ min: 0, max: 0xff }),
  short: fc.integer({ min: 0, max: 0xffff }),
  long: fc.integer({ min: 0, max: 0xffff_ffff }),
  longlong: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  timestamp: fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n })),
  shortstr,
  longstr: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  bit: fc.boolean(),
  table: fieldTable,
};

export function argsFor(d: MethodDescriptor): fc.Arbitrary<AmqpMethod> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of d.fields) shape[f.name] = byType[f.type];
  return fc.record(shape, { noNullPrototype: true }).map((r) => ({ method: d.name, ...r }) as AmqpMethod);
}

export const anyMethod: fc.Arbitrary<AmqpMethod> = fc.constantFrom(...allMethods).chain((d) => argsFor(d));

export const properties: fc.Arbitrary<BasicProperties> = fc.record(
  Object.fromEntries(basicPropertyFields.map((f) => [f.name, byType[f.type]])),
  { requiredKeys: [], noNullPrototype: true },
) as fc.Arbitrary<BasicProperties>;
