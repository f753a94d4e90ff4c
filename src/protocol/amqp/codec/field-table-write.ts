/**
 * Encoding TypedValues as field tables, in two passes (size, then write) so callers allocate
 * once. The letter chosen per TypedValue type is documented in field-table.ts.
 */
import { HopperError } from '../../../core/errors.js';
import type { IntWidth, TypedValue } from '../../../core/message.js';
import { type FieldTable, Tag } from './field-table.js';
import { writeShortstr, writeUint64, writeUtf8 } from './writer.js';

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const UINT32_MAX = 0xffff_ffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** The range of each integer width, and its letter. */
const WIDTHS: Readonly<Record<IntWidth, readonly [min: number, max: number, tag: Tag]>> = {
  int8: [-0x80, 0x7f, Tag.int8],
  uint8: [0, 0xff, Tag.uint8],
  int16: [-0x8000, 0x7fff, Tag.int16],
  uint16: [0, 0xffff, Tag.uint16],
  int32: [INT32_MIN, INT32_MAX, Tag.int32],
  uint32: [0, UINT32_MAX, Tag.uint32],
  int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, Tag.int64],
};

/** The wire letter a TypedValue is written with (the choice is explained in field-table.ts). */
function tagOf(v: TypedValue): Tag {
  switch (v.type) {
    case 'string':
    case 'number': // SQS Number: kept as its decimal text, never rounded through a double
      return Tag.longstr;
    case 'bool':
      return Tag.bool;
    case 'int': {
      if (!Number.isInteger(v.value)) return Tag.double;
      const w = v.width === undefined ? undefined : WIDTHS[v.width];
      if (w !== undefined && v.value >= w[0] && v.value <= w[1]) return w[2];
      if (v.value >= INT32_MIN && v.value <= INT32_MAX) return Tag.int32;
      return Math.abs(v.value) < 2 ** 63 ? Tag.int64 : Tag.double;
    }
    case 'long':
      return v.value >= INT64_MIN && v.value <= INT64_MAX ? Tag.int64 : Tag.double;
    case 'float':
      // A single-precision value goes back as one; Math.fround is exact for it (NaN aside).
      return v.single === true && (Math.fround(v.value) === v.value || Number.isNaN(v.value)) ? Tag.float : Tag.double;
    case 'decimal':
      return isWireDecimal(v.scale, v.value) ? Tag.decimal : Tag.double;
    case 'timestamp':
      return isWireTimestamp(v.value) ? Tag.timestamp : Tag.double;
    case 'bytes':
      return Tag.bytes;
    case 'void':
      return Tag.void;
    case 'array':
      return Tag.array;
    case 'table':
      return Tag.table;
  }
}

function isWireTimestamp(t: number | bigint): boolean {
  return typeof t === 'bigint' ? t >= 0n && t <= UINT64_MAX : Number.isSafeInteger(t) && t >= 0;
}

function isWireDecimal(scale: number, value: number): boolean {
  return Number.isInteger(scale) && scale >= 0 && scale <= 255 && Number.isInteger(value) && value >= 0 && value <= UINT32_MAX;
}

/** What a value that has no exact wire form degrades to: a double of the same magnitude. */
function asDouble(v: TypedValue): number {
  switch (v.type) {
    case 'long':
      return Number(v.value);
    case 'decimal':
      return v.value / 10 ** v.scale;
    case 'timestamp':
      return Number(v.value);
    case 'int':
    case 'float':
      return v.value;
    default:
      return NaN;
  }
}

function shortKeyLength(name: string): number {
  const n = Buffer.byteLength(name, 'utf8');
  if (n > 255) throw new HopperError('INVALID_ARGUMENT', `field name of ${n} bytes exceeds 255: ${name.slice(0, 40)}…`);
  return n;
}

/** Encoded size of a table including its uint32 length prefix. */
export function tableSize(t: FieldTable): number {
  let n = 4;
  for (const name in t) n += 1 + shortKeyLength(name) + valueSize(t[name]!);
  return n;
}

function valueSize(v: TypedValue): number {
  switch (tagOf(v)) {
    case Tag.longstr:
      return 5 + Buffer.byteLength((v as { value: string }).value, 'utf8');
    case Tag.bool:
    case Tag.int8:
    case Tag.uint8:
      return 2;
    case Tag.int16:
    case Tag.uint16:
      return 3;
    case Tag.int32:
    case Tag.uint32:
    case Tag.float:
      return 5;
    case Tag.int64:
    case Tag.double:
    case Tag.timestamp:
      return 9;
    case Tag.decimal:
      return 6;
    case Tag.bytes:
      return 5 + (v as { value: Buffer }).value.length;
    case Tag.void:
      return 1;
    case Tag.array: {
      let n = 5;
      for (const e of (v as { value: TypedValue[] }).value) n += valueSize(e);
      return n;
    }
    default: // table
      return 1 + tableSize((v as { value: FieldTable }).value);
  }
}

/** Writes a table (length prefix included) at `pos`; returns the position after it. */
export function writeTable(buf: Buffer, pos: number, t: FieldTable): number {
  const start = pos;
  pos += 4;
  for (const name in t) {
    pos = writeValue(buf, writeShortstr(buf, pos, name), t[name]!);
  }
  buf.writeUInt32BE(pos - start - 4, start);
  return pos;
}

function writeValue(buf: Buffer, pos: number, v: TypedValue): number {
  const tag = tagOf(v);
  buf[pos++] = tag;
  switch (tag) {
    case Tag.longstr: {
      const len = writeUtf8(buf, pos + 4, (v as { value: string }).value);
      buf.writeUInt32BE(len, pos);
      return pos + 4 + len;
    }
    case Tag.bool:
      buf[pos] = (v as { value: boolean }).value ? 1 : 0;
      return pos + 1;
    case Tag.int8:
      buf.writeInt8((v as { value: number }).value, pos);
      return pos + 1;
    case Tag.uint8:
      buf[pos] = (v as { value: number }).value;
      return pos + 1;
    case Tag.int16:
      buf.writeInt16BE((v as { value: number }).value, pos);
      return pos + 2;
    case Tag.uint16:
      buf.writeUInt16BE((v as { value: number }).value, pos);
      return pos + 2;
    case Tag.int32:
      buf.writeInt32BE((v as { value: number }).value, pos);
      return pos + 4;
    case Tag.uint32:
      buf.writeUInt32BE((v as { value: number }).value, pos);
      return pos + 4;
    case Tag.float:
      buf.writeFloatBE((v as { value: number }).value, pos);
      return pos + 4;
    case Tag.int64: {
      const x = (v as { value: number | bigint }).value;
      buf.writeBigInt64BE(typeof x === 'bigint' ? x : BigInt(x), pos);
      return pos + 8;
    }
    case Tag.double:
      buf.writeDoubleBE(asDouble(v), pos);
      return pos + 8;
    case Tag.timestamp: {
      const t = (v as { value: number | bigint }).value;
      if (typeof t === 'bigint') {
        buf.writeBigUInt64BE(t, pos);
        return pos + 8;
      }
      return writeUint64(buf, pos, t);
    }
    case Tag.decimal: {
      const d = v as { scale: number; value: number };
      buf[pos] = d.scale;
      buf.writeUInt32BE(d.value, pos + 1);
      return pos + 5;
    }
    case Tag.bytes: {
      const b = (v as { value: Buffer }).value;
      buf.writeUInt32BE(b.length, pos);
      b.copy(buf, pos + 4);
      return pos + 4 + b.length;
    }
    case Tag.void:
      return pos;
    case Tag.array: {
      const start = pos;
      pos += 4;
      for (const e of (v as { value: TypedValue[] }).value) pos = writeValue(buf, pos, e);
      buf.writeUInt32BE(pos - start - 4, start);
      return pos;
    }
    default:
      return writeTable(buf, pos, (v as { value: FieldTable }).value);
  }
}

/** A standalone encoded table (length prefix included); the frame encoders write in place. */
export function encodeTable(t: FieldTable): Buffer {
  const buf = Buffer.allocUnsafe(tableSize(t));
  writeTable(buf, 0, t);
  return buf;
}
