/**
 * Derives a codec from a schema for one version: which fields are on the wire, which are
 * nullable, which are tagged, and whether lengths are compact all depend on the version, and
 * are settled here once (then cached), so encoding and decoding run a flat list of closures
 * with no version checks. A field absent from a version decodes to its default and is not
 * written (as Kafka's "ignorable" fields; handlers may fill a superset of fields).
 */
import { KafkaCodecError } from './errors.js';
import type { Reader } from './reader.js';
import { inVersions } from './versions.js';
import { type DefaultValue, type ElementType, type Field, type FieldType, type Primitive, type StructType, ZERO_UUID } from './schema.js';
import { Writer } from './writer.js';

export interface Codec {
  decode(r: Reader): unknown;
  encode(w: Writer, v: unknown): void;
  /** Fewest bytes one value can take: bounds array counts by the bytes left before allocating. */
  readonly minBytes: number;
  /** A fresh default value (fresh, since decoded messages may be mutated by handlers). */
  makeDefault(): unknown;
  /** Whether v equals the default, so a tagged field can be left out. */
  isDefault(v: unknown): boolean;
}

const cache = new WeakMap<object, Map<string, Codec>>();

/** The codec of a struct (a whole message body) at one version. */
export function compileStruct(type: StructType, version: number, flexible: boolean): Codec {
  let byVersion = cache.get(type);
  if (!byVersion) cache.set(type, (byVersion = new Map()));
  const key = `${version}${flexible ? 'f' : ''}`;
  let codec = byVersion.get(key);
  if (!codec) byVersion.set(key, (codec = buildStruct(type, version, flexible)));
  return codec;
}

interface Step {
  readonly name: string;
  readonly codec: Codec;
  readonly fieldDefault: DefaultValue | undefined;
}

/** The value a field takes when absent: its declared default, else its type's. */
function defaultOf(step: Step): unknown {
  return step.fieldDefault !== undefined ? step.fieldDefault : step.codec.makeDefault();
}

function buildStruct(type: StructType, version: number, flexible: boolean): Codec {
  const regular: Step[] = [];
  const tagged = new Map<number, Step>();
  /** Decode order: every field in declaration order, so decoded objects share one shape. */
  const order: { step: Step; kind: 'regular' | 'other' }[] = [];

  for (const [name, f] of Object.entries(type.fields) as [string, Field][]) {
    const present = inVersions(f.versions, version);
    const isTagged = present && flexible && f.opts.tag !== undefined && inVersions(f.opts.taggedVersions ?? f.versions, version);
    const nullable = present && inVersions(f.opts.nullable, version);
    const step: Step = { name, codec: compileType(f.type, version, flexible, nullable), fieldDefault: f.opts.default };
    if (present && !isTagged) {
      regular.push(step);
      order.push({ step, kind: 'regular' });
      continue;
    }
    if (isTagged) {
      if (tagged.has(f.opts.tag!)) throw new Error(`duplicate tag ${f.opts.tag} at ${name}`);
      tagged.set(f.opts.tag!, step);
    }
    order.push({ step, kind: 'other' }); // tagged or absent: its default until a tag says otherwise
  }
  const taggedSteps = [...tagged.entries()].sort((a, b) => a[0] - b[0]);
  const minBytes = regular.reduce((n, s) => n + s.codec.minBytes, flexible ? 1 : 0);

  const decode = (r: Reader): unknown => {
    const o: Record<string, unknown> = {};
    for (const { step, kind } of order) o[step.name] = kind === 'regular' ? step.codec.decode(r) : defaultOf(step);
    if (flexible && !r.emptyTaggedFields()) {
      r.taggedFields((tag, fr) => {
        const step = tagged.get(tag);
        if (!step) return false;
        o[step.name] = step.codec.decode(fr);
        return true;
      });
    }
    return o;
  };

  const encode = (w: Writer, v: unknown): void => {
    const o = v as Record<string, unknown>;
    for (const step of regular) {
      const x = o[step.name];
      step.codec.encode(w, x === undefined ? defaultOf(step) : x);
    }
    if (!flexible) return;
    // Java writes a tagged field only when it differs from its default; so do we.
    const out: [number, Step, unknown][] = [];
    for (const [tag, step] of taggedSteps) {
      const x = o[step.name];
      if (x === undefined) continue;
      if (step.fieldDefault !== undefined ? x === step.fieldDefault : step.codec.isDefault(x)) continue;
      out.push([tag, step, x]);
    }
    w.unsignedVarint(out.length);
    for (const [tag, step, x] of out) {
      const sub = new Writer({ initialBytes: 64, refMinBytes: Infinity });
      step.codec.encode(sub, x);
      const bytes = sub.finishBuffer();
      w.unsignedVarint(tag);
      w.unsignedVarint(bytes.length);
      w.raw(bytes);
    }
  };

  const makeDefault = (): unknown => {
    const o: Record<string, unknown> = {};
    for (const { step } of order) o[step.name] = defaultOf(step);
    return o;
  };

  const isDefault = (v: unknown): boolean => {
    const o = v as Record<string, unknown>;
    for (const { step } of order) {
      const x = o[step.name];
      if (x === undefined) continue;
      if (step.fieldDefault !== undefined ? x !== step.fieldDefault : !step.codec.isDefault(x)) return false;
    }
    return true;
  };

  return { decode, encode, minBytes, makeDefault, isDefault };
}

function compileType(type: FieldType, version: number, flexible: boolean, nullable: boolean): Codec {
  if (typeof type === 'string') return primitive(type, flexible, nullable);
  if (type.kind === 'array') return arrayCodec(type.of, version, flexible, nullable);
  const inner = compileStruct(type, version, flexible);
  return nullable ? nullableStruct(inner) : inner;
}

function nullError(what: string): KafkaCodecError {
  return new KafkaCodecError('unencodable', `null ${what} in a version where it is not nullable`);
}

/** Nullable structs carry an INT8 marker: Java writes -1 for null, 1 for present, and reads any negative as null. */
function nullableStruct(inner: Codec): Codec {
  return {
    decode: (r) => (r.int8() < 0 ? null : inner.decode(r)),
    encode: (w, v) => {
      if (v === null) return w.int8(-1);
      w.int8(1);
      inner.encode(w, v);
    },
    minBytes: 1,
    makeDefault: () => null,
    isDefault: (v) => v === null,
  };
}

function arrayCodec(of: ElementType, version: number, flexible: boolean, nullable: boolean): Codec {
  const elem = compileType(of, version, flexible, false);
  return {
    decode: (r) => {
      const at = r.pos;
      const n = flexible ? r.compactArrayLength(elem.minBytes) : r.arrayLength(elem.minBytes);
      if (n === null) {
        if (!nullable) throw new KafkaCodecError('malformed', 'null in a non-nullable array', at);
        return null;
      }
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = elem.decode(r);
      return out;
    },
    encode: (w, v) => {
      if (v === null) {
        if (!nullable) throw nullError('array');
        return flexible ? w.compactArrayLength(null) : w.arrayLength(null);
      }
      const a = v as readonly unknown[];
      if (flexible) w.compactArrayLength(a.length);
      else w.arrayLength(a.length);
      for (const x of a) elem.encode(w, x);
    },
    minBytes: flexible ? 1 : 4,
    makeDefault: () => [],
    isDefault: (v) => v !== null && (v as unknown[]).length === 0,
  };
}

interface PrimitiveSpec {
  minBytes: number;
  decode(r: Reader): unknown;
  encode(w: Writer, v: never): void;
  zero: () => unknown;
}

const EMPTY = Buffer.alloc(0);

/** Fixed-size primitives; strings, bytes and records vary with flexible and nullable. */
const fixed: Partial<Record<Primitive, PrimitiveSpec>> = {
  int8: { minBytes: 1, decode: (r) => r.int8(), encode: (w, v: number) => w.int8(v), zero: () => 0 },
  bool: { minBytes: 1, decode: (r) => r.bool(), encode: (w, v: boolean) => w.bool(v), zero: () => false },
  int16: { minBytes: 2, decode: (r) => r.int16(), encode: (w, v: number) => w.int16(v), zero: () => 0 },
  uint16: { minBytes: 2, decode: (r) => r.uint16(), encode: (w, v: number) => w.uint16(v), zero: () => 0 },
  int32: { minBytes: 4, decode: (r) => r.int32(), encode: (w, v: number) => w.int32(v), zero: () => 0 },
  uint32: { minBytes: 4, decode: (r) => r.uint32(), encode: (w, v: number) => w.uint32(v), zero: () => 0 },
  int64: { minBytes: 8, decode: (r) => r.int64(), encode: (w, v: number) => w.int64(v), zero: () => 0 },
  float64: { minBytes: 8, decode: (r) => r.float64(), encode: (w, v: number) => w.float64(v), zero: () => 0 },
  uuid: { minBytes: 16, decode: (r) => r.uuid(), encode: (w, v: string) => w.uuid(v), zero: () => ZERO_UUID },
};

function variable(type: 'string' | 'bytes' | 'records', flexible: boolean, nullable: boolean): PrimitiveSpec {
  const minBytes = flexible ? 1 : type === 'string' ? 2 : 4;
  if (type === 'string') {
    return {
      minBytes,
      decode: flexible
        ? nullable ? (r) => r.compactNullableString() : (r) => r.compactString()
        : nullable ? (r) => r.nullableString() : (r) => r.string(),
      encode: (w, v: string | null) => {
        if (v === null && !nullable) throw nullError('string');
        if (flexible) w.compactNullableString(v);
        else w.nullableString(v);
      },
      zero: () => '',
    };
  }
  const decodeBytes = flexible
    ? nullable ? (r: Reader) => r.compactNullableBytes() : (r: Reader) => r.compactBytes()
    : nullable ? (r: Reader) => r.nullableBytes() : (r: Reader) => r.bytes();
  if (type === 'bytes') {
    return {
      minBytes,
      decode: decodeBytes,
      encode: (w, v: Buffer | null) => {
        if (v === null && !nullable) throw nullError('bytes');
        if (flexible) w.compactNullableBytes(v);
        else w.nullableBytes(v);
      },
      zero: () => EMPTY,
    };
  }
  return {
    minBytes,
    decode: decodeBytes,
    encode: (w, v: Buffer | readonly Buffer[] | null) => {
      if (v === null && !nullable) throw nullError('records');
      w.records(v, flexible);
    },
    zero: () => null, // Java's default for records
  };
}

function primitive(type: Primitive, flexible: boolean, nullable: boolean): Codec {
  const spec = fixed[type] ?? variable(type as 'string' | 'bytes' | 'records', flexible, nullable);
  const encode = spec.encode as (w: Writer, v: unknown) => void;
  const zero = spec.zero();
  const isDefault =
    type === 'bytes' || type === 'records'
      ? (v: unknown) => v === zero || (Buffer.isBuffer(v) && v.length === 0 && zero !== null)
      : (v: unknown) => v === zero;
  return { decode: spec.decode, encode, minBytes: spec.minBytes, makeDefault: spec.zero, isDefault };
}
