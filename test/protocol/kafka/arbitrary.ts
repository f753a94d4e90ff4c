/**
 * fast-check arbitraries derived from a schema at one version, following the same version rules
 * as the codec: fields absent from the version hold their defaults, nullable fields may be null
 * only where nullable, tagged fields may hold their default (then they are left off the wire).
 * So decode(encode(x)) must equal x exactly.
 */
import fc from 'fast-check';
import type { ApiDef } from '../../../src/protocol/kafka/codec/api-def.js';
import { isFlexible } from '../../../src/protocol/kafka/codec/api-def.js';
import { compileStruct } from '../../../src/protocol/kafka/codec/compile.js';
import type { ElementType, Field, FieldType, Primitive, StructType } from '../../../src/protocol/kafka/codec/schema.js';
import { inVersions } from '../../../src/protocol/kafka/codec/versions.js';

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u));
const safeInt = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });

function primitive(p: Primitive): fc.Arbitrary<unknown> {
  switch (p) {
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'bool':
      return fc.boolean();
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'int32':
      return fc.integer();
    case 'uint32':
      return fc.integer({ min: 0, max: 0xffffffff });
    case 'int64':
      return fc.oneof(safeInt, fc.constantFrom(-1, 0, 1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53) + 1));
    case 'float64':
      return fc.double();
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((u) => Buffer.from(u).toString('base64url'));
    case 'string':
      // Whole code points only: a lone surrogate cannot survive UTF-8, on the wire or in Java.
      return fc.string({ unit: 'grapheme', maxLength: 12 });
    case 'bytes':
      return bytes(24);
    case 'records':
      return bytes(80);
  }
}

function typeArb(t: FieldType, version: number, flexible: boolean, depth: number): fc.Arbitrary<unknown> {
  if (typeof t === 'string') return primitive(t);
  if (t.kind === 'array') return fc.array(typeArb(t.of as ElementType, version, flexible, depth + 1), { maxLength: depth > 2 ? 1 : 3 });
  return structArb(t, version, flexible, depth + 1);
}

export function structArb(st: StructType, version: number, flexible: boolean, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const defaults = compileStruct(st, version, flexible).makeDefault() as Record<string, unknown>;
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, f] of Object.entries(st.fields) as [string, Field][]) {
    if (!inVersions(f.versions, version)) {
      const d = f.opts.default !== undefined ? f.opts.default : defaults[name];
      parts[name] = fc.constant(d);
      continue;
    }
    let arb = typeArb(f.type, version, flexible, depth);
    if (inVersions(f.opts.nullable, version)) arb = fc.option(arb, { nil: null, freq: 4 });
    parts[name] = arb;
  }
  return fc.record(parts, { noNullPrototype: true }) as fc.Arbitrary<Record<string, unknown>>;
}

export function requestArb(api: ApiDef, version: number): fc.Arbitrary<Record<string, unknown>> {
  return structArb(api.request, version, isFlexible(api, version));
}

export function responseArb(api: ApiDef, version: number): fc.Arbitrary<Record<string, unknown>> {
  return structArb(api.response, version, isFlexible(api, version));
}
