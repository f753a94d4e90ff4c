/**
 * Decoding field tables into core TypedValues. Every length is checked against the bytes left
 * in the enclosing table (the reader's `end` is narrowed to it) and the caps in `limits`.
 */
import { assert } from '../../../core/errors.js';
import type { TypedValue } from '../../../core/message.js';
import { defaultFieldTableLimits, type FieldTable, type FieldTableLimits, Tag } from './field-table.js';
import type { Reader } from './reader.js';

const TWO_POW_32 = 0x1_0000_0000;

/** Reads a table (uint32 length, then name/value pairs) at the reader's position. */
export function readTable(r: Reader, limits: FieldTableLimits = defaultFieldTableLimits): FieldTable {
  return readTableAt(r, limits, 1);
}

function readTableAt(r: Reader, limits: FieldTableLimits, depth: number): FieldTable {
  if (depth > limits.depthMax) r.fail(`field table nested deeper than ${limits.depthMax}`);
  const len = r.u32('table length');
  if (len > limits.tableBytesMax) r.fail(`field table of ${len} bytes exceeds ${limits.tableBytesMax}`);
  const end = r.region(len, 'table');
  const outer = r.end;
  r.end = end; // nested lengths may not reach past the table that holds them
  const out: FieldTable = {};
  while (r.pos < end) {
    const name = r.shortstr('field name');
    setField(out, name, readValue(r, limits, depth));
  }
  assert(r.pos === end, 'field reads stay inside their table');
  r.end = outer;
  return out;
}

function readArray(r: Reader, limits: FieldTableLimits, depth: number): TypedValue[] {
  if (depth > limits.depthMax) r.fail(`field array nested deeper than ${limits.depthMax}`);
  const end = r.region(r.u32('array length'), 'array');
  const outer = r.end;
  r.end = end;
  const out: TypedValue[] = [];
  while (r.pos < end) out.push(readValue(r, limits, depth));
  assert(r.pos === end, 'field reads stay inside their array');
  r.end = outer;
  return out;
}

/** '__proto__' from the wire must become an own property, never the object's prototype. */
function setField(t: FieldTable, name: string, v: TypedValue): void {
  if (name === '__proto__') Object.defineProperty(t, name, { value: v, enumerable: true, writable: true, configurable: true });
  else t[name] = v;
}

function readValue(r: Reader, limits: FieldTableLimits, depth: number): TypedValue {
  const tag = r.u8('field type');
  const b = r.buf;
  switch (tag) {
    case Tag.bool:
      return { type: 'bool', value: r.u8('bool') !== 0 };
    case Tag.int8:
      r.need(1, 'int8');
      return { type: 'int', value: b.readInt8(r.pos++), width: 'int8' };
    case Tag.uint8:
      return { type: 'int', value: r.u8('uint8'), width: 'uint8' };
    case Tag.int16:
      r.need(2, 'int16');
      r.pos += 2;
      return { type: 'int', value: b.readInt16BE(r.pos - 2), width: 'int16' };
    case Tag.uint16:
      return { type: 'int', value: r.u16('uint16'), width: 'uint16' };
    case Tag.int32:
      r.need(4, 'int32');
      r.pos += 4;
      return { type: 'int', value: b.readInt32BE(r.pos - 4), width: 'int32' };
    case Tag.uint32:
      return { type: 'int', value: r.u32('uint32'), width: 'uint32' };
    case Tag.int64:
      return readInt64(r);
    case Tag.float:
      r.need(4, 'float');
      r.pos += 4;
      return { type: 'float', value: b.readFloatBE(r.pos - 4), single: true };
    case Tag.double:
      r.need(8, 'double');
      r.pos += 8;
      return { type: 'float', value: b.readDoubleBE(r.pos - 8) };
    case Tag.decimal: {
      const scale = r.u8('decimal scale');
      return { type: 'decimal', scale, value: r.u32('decimal value') };
    }
    case Tag.longstr:
      return { type: 'string', value: r.longstrString('longstr value') };
    case Tag.array:
      return { type: 'array', value: readArray(r, limits, depth + 1) };
    case Tag.timestamp:
      return readTimestamp(r);
    case Tag.table:
      return { type: 'table', value: readTableAt(r, limits, depth + 1) };
    case Tag.void:
      return { type: 'void' };
    case Tag.bytes:
      return { type: 'bytes', value: r.longstrBytes('byte array') };
    default:
      return r.fail(`unknown field type 0x${tag.toString(16)}`);
  }
}

/** int64 as a number when exact, else as a bigint ('long'), per the core's TypedValue. */
function readInt64(r: Reader): TypedValue {
  r.need(8, 'int64');
  const v = r.buf.readInt32BE(r.pos) * TWO_POW_32 + r.buf.readUInt32BE(r.pos + 4);
  const out: TypedValue = Number.isSafeInteger(v) ? { type: 'int', value: v, width: 'int64' } : { type: 'long', value: r.buf.readBigInt64BE(r.pos) };
  r.pos += 8;
  return out;
}

/** A uint64 timestamp; one past 2^53 seconds cannot be a number, so its value is a bigint. */
function readTimestamp(r: Reader): TypedValue {
  r.need(8, 'timestamp');
  const v = r.buf.readUInt32BE(r.pos) * TWO_POW_32 + r.buf.readUInt32BE(r.pos + 4);
  const out: TypedValue = { type: 'timestamp', value: Number.isSafeInteger(v) ? v : r.buf.readBigUInt64BE(r.pos) };
  r.pos += 8;
  return out;
}
