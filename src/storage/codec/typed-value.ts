/**
 * A compact binary form of TypedValue (AMQP field-table values, SQS message attributes), stored
 * as the value of a `hopper.attr.<name>` record header: a 1-byte tag, then a payload.
 *
 *   tag  type       payload
 *   0    void       -
 *   1    bool       - (false)
 *   2    bool       - (true)
 *   3    int        zigzag varlong
 *   4    long       int64 big-endian
 *   5    float      float64 big-endian
 *   6    decimal    scale uint8, value float64 big-endian
 *   7    number     varint length, UTF-8 text
 *   8    timestamp  zigzag varlong (seconds)
 *   9    string     varint length, UTF-8
 *   10   bytes      varint length, bytes
 *   11   array      varint count, values
 *   12   table      varint count, (varint length, UTF-8 name, value) pairs
 *   13   int        width uint8 (0 int8, 1 uint8, 2 int16, 3 uint16, 4 int32, 5 uint32,
 *                   6 int64), then zigzag varlong: an int with its AMQP width
 *   14   float      float32 big-endian: a single-precision float (AMQP 'f')
 *   15   timestamp  uint64 big-endian: a timestamp beyond 2^53
 *
 * Tags 13-15 were added to keep AMQP types exactly; values without a width, single precision
 * or a big timestamp are written with the older tags, and the older tags still decode as they
 * always did (int without width, double, safe timestamp).
 *
 * Varints are the Kafka zigzag ones (varint.ts). Decoding bounds nesting at MAX_TYPED_DEPTH and
 * checks every length and count against the bytes left; malformed input is CORRUPT_MESSAGE.
 */
import type { IntWidth, TypedValue } from '../../core/message.js';
import { HopperError } from '../../core/errors.js';
import { type Cursor, readVarint, readVarlong, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js';

export const Tag = {
  void: 0,
  false: 1,
  true: 2,
  int: 3,
  long: 4,
  float: 5,
  decimal: 6,
  number: 7,
  timestamp: 8,
  string: 9,
  bytes: 10,
  array: 11,
  table: 12,
  sizedInt: 13,
  float32: 14,
  bigTimestamp: 15,
} as const;

/** Width codes of tag 13, by IntWidth, and back. */
const WIDTH_CODES: readonly IntWidth[] = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64'];
const WIDTH_CODE: Readonly<Record<IntWidth, number>> = { int8: 0, uint8: 1, int16: 2, uint16: 3, int32: 4, uint32: 5, int64: 6 };
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * Most arrays/tables nested in one another, encoding and decoding (AMQP tables rarely pass 3);
 * also stops a cyclic value from recursing forever.
 */
export const MAX_TYPED_DEPTH = 32;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function invalid(what: string): HopperError {
  return new HopperError('INVALID_ARGUMENT', `typed value: ${what}`);
}
function corrupt(what: string, pos: number): HopperError {
  return new HopperError('CORRUPT_MESSAGE', `typed value at byte ${pos}: ${what}`);
}

function sizeOfText(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  return sizeOfVarint(n) + n;
}

function checkSafe(what: string, n: number): number {
  if (!Number.isSafeInteger(n)) throw invalid(`${what} ${n} is not a safe integer`);
  return n;
}

/** Encoded size; validates the value (INVALID_ARGUMENT) so that writing cannot fail. */
export function sizeOfTypedValue(v: TypedValue, depth = 0): number {
  switch (v.type) {
    case 'void':
    case 'bool':
      return 1;
    case 'int':
      if (v.width !== undefined && WIDTH_CODE[v.width] === undefined) throw invalid(`int width ${String(v.width)}`);
      return (v.width === undefined ? 1 : 2) + sizeOfVarlong(checkSafe('int', v.value));
    case 'timestamp':
      if (typeof v.value === 'bigint') {
        if (v.value < 0n || v.value > UINT64_MAX) throw invalid(`timestamp ${v.value} is not a uint64`);
        return 9;
      }
      return 1 + sizeOfVarlong(checkSafe('timestamp', v.value));
    case 'long':
      if (typeof v.value !== 'bigint' || v.value < INT64_MIN || v.value > INT64_MAX) throw invalid(`long ${v.value} is not an int64`);
      return 9;
    case 'float':
      return v.single === true ? 5 : 9;
    case 'decimal':
      if (!Number.isInteger(v.scale) || v.scale < 0 || v.scale > 255) throw invalid(`decimal scale ${v.scale} is not 0..255`);
      return 10;
    case 'number':
    case 'string':
      return 1 + sizeOfText(v.value);
    case 'bytes':
      return 1 + sizeOfVarint(v.value.length) + v.value.length;
    case 'array': {
      if (depth >= MAX_TYPED_DEPTH) throw invalid(`nested deeper than ${MAX_TYPED_DEPTH}`);
      let size = 1 + sizeOfVarint(v.value.length);
      for (const item of v.value) size += sizeOfTypedValue(item, depth + 1);
      return size;
    }
    case 'table': {
      if (depth >= MAX_TYPED_DEPTH) throw invalid(`nested deeper than ${MAX_TYPED_DEPTH}`);
      const names = Object.keys(v.value);
      let size = 1 + sizeOfVarint(names.length);
      for (const name of names) size += sizeOfText(name) + sizeOfTypedValue(v.value[name]!, depth + 1);
      return size;
    }
    default:
      throw invalid(`unknown type ${(v as { type: unknown }).type}`);
  }
}

function writeText(buf: Buffer, pos: number, s: string): number {
  pos = writeVarint(buf, pos, Buffer.byteLength(s, 'utf8'));
  return pos + buf.write(s, pos, 'utf8');
}

/** Writes a value already validated by sizeOfTypedValue; returns the next position. */
export function writeTypedValue(buf: Buffer, pos: number, v: TypedValue): number {
  switch (v.type) {
    case 'void':
      buf[pos] = Tag.void;
      return pos + 1;
    case 'bool':
      buf[pos] = v.value ? Tag.true : Tag.false;
      return pos + 1;
    case 'int':
      if (v.width !== undefined) {
        buf[pos] = Tag.sizedInt;
        buf[pos + 1] = WIDTH_CODE[v.width];
        return writeVarlong(buf, pos + 2, v.value);
      }
      buf[pos] = Tag.int;
      return writeVarlong(buf, pos + 1, v.value);
    case 'timestamp':
      if (typeof v.value === 'bigint') {
        buf[pos] = Tag.bigTimestamp;
        buf.writeBigUInt64BE(v.value, pos + 1);
        return pos + 9;
      }
      buf[pos] = Tag.timestamp;
      return writeVarlong(buf, pos + 1, v.value);
    case 'long':
      buf[pos] = Tag.long;
      buf.writeBigInt64BE(v.value, pos + 1);
      return pos + 9;
    case 'float':
      if (v.single === true) {
        buf[pos] = Tag.float32;
        buf.writeFloatBE(v.value, pos + 1);
        return pos + 5;
      }
      buf[pos] = Tag.float;
      buf.writeDoubleBE(v.value, pos + 1);
      return pos + 9;
    case 'decimal':
      buf[pos] = Tag.decimal;
      buf[pos + 1] = v.scale;
      buf.writeDoubleBE(v.value, pos + 2);
      return pos + 10;
    case 'number':
    case 'string':
      buf[pos] = Tag[v.type];
      return writeText(buf, pos + 1, v.value);
    case 'bytes':
      buf[pos] = Tag.bytes;
      pos = writeVarint(buf, pos + 1, v.value.length);
      buf.set(v.value, pos);
      return pos + v.value.length;
    case 'array':
      buf[pos] = Tag.array;
      pos = writeVarint(buf, pos + 1, v.value.length);
      for (const item of v.value) pos = writeTypedValue(buf, pos, item);
      return pos;
    case 'table': {
      const names = Object.keys(v.value);
      buf[pos] = Tag.table;
      pos = writeVarint(buf, pos + 1, names.length);
      for (const name of names) {
        pos = writeText(buf, pos, name);
        pos = writeTypedValue(buf, pos, v.value[name]!);
      }
      return pos;
    }
  }
}

/** Encodes one value into an exactly sized buffer. */
export function encodeTypedValue(v: TypedValue): Buffer {
  const buf = Buffer.allocUnsafe(sizeOfTypedValue(v));
  writeTypedValue(buf, 0, v);
  return buf;
}

/** Decodes a buffer holding exactly one value. Bytes payloads are subarrays of buf. */
export function decodeTypedValue(buf: Buffer): TypedValue {
  const cur: Cursor = { pos: 0 };
  const v = readTypedValue(buf, cur, buf.length, 0);
  if (cur.pos !== buf.length) throw corrupt(`${buf.length - cur.pos} bytes after the value`, cur.pos);
  return v;
}

/** Sets own property `name` even when it is "__proto__", which plain assignment would not. */
export function setEntry<T>(obj: Record<string, T>, name: string, v: T): void {
  if (name === '__proto__') Object.defineProperty(obj, name, { value: v, enumerable: true, writable: true, configurable: true });
  else obj[name] = v;
}

function readLength(buf: Buffer, cur: Cursor, end: number, unit: number): number {
  const at = cur.pos;
  const n = readVarint(buf, cur.pos, cur, end);
  if (n < 0 || n * unit > end - cur.pos) throw corrupt(`length ${n} with ${end - cur.pos} bytes left`, at);
  return n;
}

function readText(buf: Buffer, cur: Cursor, end: number): string {
  const n = readLength(buf, cur, end, 1);
  const s = buf.toString('utf8', cur.pos, cur.pos + n);
  cur.pos += n;
  return s;
}

function readTypedValue(buf: Buffer, cur: Cursor, end: number, depth: number): TypedValue {
  const at = cur.pos;
  if (at >= end) throw corrupt('missing value', at);
  const tag = buf[cur.pos++]!;
  switch (tag) {
    case Tag.void:
      return { type: 'void' };
    case Tag.false:
    case Tag.true:
      return { type: 'bool', value: tag === Tag.true };
    case Tag.int:
      return { type: 'int', value: readVarlong(buf, cur.pos, cur, end) };
    case Tag.timestamp:
      return { type: 'timestamp', value: readVarlong(buf, cur.pos, cur, end) };
    case Tag.sizedInt: {
      if (at + 1 >= end) throw corrupt('truncated', at);
      const width = WIDTH_CODES[buf[cur.pos++]!];
      if (width === undefined) throw corrupt(`unknown int width ${buf[cur.pos - 1]}`, at);
      return { type: 'int', value: readVarlong(buf, cur.pos, cur, end), width };
    }
    case Tag.float32:
      if (end - cur.pos < 4) throw corrupt('truncated', at);
      cur.pos += 4;
      return { type: 'float', value: buf.readFloatBE(cur.pos - 4), single: true };
    case Tag.bigTimestamp:
      if (end - cur.pos < 8) throw corrupt('truncated', at);
      cur.pos += 8;
      return { type: 'timestamp', value: buf.readBigUInt64BE(cur.pos - 8) };
    case Tag.long:
    case Tag.float:
    case Tag.decimal: {
      const size = tag === Tag.decimal ? 9 : 8;
      if (end - cur.pos < size) throw corrupt('truncated', at);
      const p = cur.pos;
      cur.pos += size;
      if (tag === Tag.long) return { type: 'long', value: buf.readBigInt64BE(p) };
      if (tag === Tag.float) return { type: 'float', value: buf.readDoubleBE(p) };
      return { type: 'decimal', scale: buf[p]!, value: buf.readDoubleBE(p + 1) };
    }
    case Tag.number:
      return { type: 'number', value: readText(buf, cur, end) };
    case Tag.string:
      return { type: 'string', value: readText(buf, cur, end) };
    case Tag.bytes: {
      const n = readLength(buf, cur, end, 1);
      const value = buf.subarray(cur.pos, cur.pos + n);
      cur.pos += n;
      return { type: 'bytes', value };
    }
    case Tag.array:
    case Tag.table: {
      if (depth >= MAX_TYPED_DEPTH) throw corrupt(`nested deeper than ${MAX_TYPED_DEPTH}`, at);
      // Each item takes at least 1 byte (a table entry 2), so counts are bounded by bytes left.
      const n = readLength(buf, cur, end, tag === Tag.array ? 1 : 2);
      if (tag === Tag.array) {
        const value = new Array<TypedValue>(n);
        for (let i = 0; i < n; i++) value[i] = readTypedValue(buf, cur, end, depth + 1);
        return { type: 'array', value };
      }
      const value: Record<string, TypedValue> = {};
      for (let i = 0; i < n; i++) {
        const name = readText(buf, cur, end);
        setEntry(value, name, readTypedValue(buf, cur, end, depth + 1));
      }
      return { type: 'table', value };
    }
    default:
      throw corrupt(`unknown tag ${tag}`, at);
  }
}
