/**
 * The generic method codec: one reader and one writer driven by the descriptors in methods/.
 * Method payload (spec 4.2.4): class-id uint16, method-id uint16, then the fields in order,
 * consecutive bits packed low bit first into shared octets (spec 4.2.5.2).
 *
 * Encoding is two passes, size then write, so the frame encoders allocate once: every check
 * on caller values happens in the size pass, and the write pass trusts it.
 */
import { HopperError } from '../../../core/errors.js';
import { AmqpCodecError } from './errors.js';
import { defaultFieldTableLimits, type FieldTable, type FieldTableLimits } from './field-table.js';
import { readTable } from './field-table-read.js';
import { tableSize, writeTable } from './field-table-write.js';
import { type AmqpMethod, classNames, methodById, methodByName } from './methods/registry.js';
import { FieldCode, type MethodDescriptor } from './methods/types.js';
import { Reader } from './reader.js';
import { isUint64Timestamp, writeShortstr, writeTimestamp, writeUint64 } from './writer.js';

export const METHOD_HEADER_BYTES = 4;

const UINT_MAX = [0xff, 0xffff, 0xffff_ffff, Number.MAX_SAFE_INTEGER] as const; // octet short long longlong

/** Decodes a method frame payload `buf[start, end)`. */
export function decodeMethod(buf: Buffer, start: number, end: number, channel: number, limits: FieldTableLimits = defaultFieldTableLimits): AmqpMethod {
  if (end - start < METHOD_HEADER_BYTES) throw new AmqpCodecError('syntax', `method frame of ${end - start} bytes has no class/method id`, { channel });
  const classId = buf.readUInt16BE(start);
  const methodId = buf.readUInt16BE(start + 2);
  const d = methodById(classId, methodId);
  if (d === undefined) {
    const cls = classNames[classId] ?? `class ${classId}`;
    throw new AmqpCodecError('unknown-method', `unknown method ${cls}/${methodId}`, { channel, classId, methodId });
  }
  const r = new Reader(buf, start + METHOD_HEADER_BYTES, end, { channel, classId, methodId });
  const out: Record<string, unknown> = { method: d.name };
  const { codes, names } = d;
  let bits = 0;
  let bit = 8; // next bit index in `bits`; 8 means a fresh octet is needed
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code !== FieldCode.bit) bit = 8;
    const name = names[i]!;
    switch (code) {
      case FieldCode.bit:
        if (bit === 8) {
          bits = r.u8(name);
          bit = 0;
        }
        out[name] = (bits & (1 << bit++)) !== 0;
        break;
      case FieldCode.octet:
        out[name] = r.u8(name);
        break;
      case FieldCode.short:
        out[name] = r.u16(name);
        break;
      case FieldCode.long:
        out[name] = r.u32(name);
        break;
      case FieldCode.longlong:
        out[name] = r.u64(name);
        break;
      case FieldCode.timestamp:
        out[name] = r.u64OrBig(name);
        break;
      case FieldCode.shortstr:
        out[name] = r.shortstr(name);
        break;
      case FieldCode.longstr:
        out[name] = r.longstrBytes(name);
        break;
      default:
        out[name] = readTable(r, limits);
    }
  }
  r.done(d.name);
  return out as AmqpMethod;
}

export function descriptorOf(method: { method: string }): MethodDescriptor {
  const d = methodByName(method.method);
  if (d === undefined) throw new HopperError('INVALID_ARGUMENT', `unknown AMQP method ${method.method}`);
  return d;
}

function valueOf(d: MethodDescriptor, i: number, args: Record<string, unknown>): unknown {
  const v = args[d.names[i]!];
  return v === undefined ? d.fields[i]!.default : v;
}

function invalid(d: MethodDescriptor, i: number, why: string): never {
  throw new HopperError('INVALID_ARGUMENT', `${d.name} field ${d.names[i]}: ${why}`);
}

/** Size of the method payload (ids included); validates every field. */
export function methodPayloadSize(d: MethodDescriptor, args: Record<string, unknown>): number {
  let n = METHOD_HEADER_BYTES;
  const codes = d.codes;
  let bit = 8;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    const v = valueOf(d, i, args);
    if (v === undefined) invalid(d, i, 'missing');
    if (code === FieldCode.bit) {
      if (typeof v !== 'boolean') invalid(d, i, 'not a boolean');
      if (bit === 8) {
        n += 1;
        bit = 0;
      }
      bit++;
      continue;
    }
    bit = 8;
    switch (code) {
      case FieldCode.timestamp:
        if (!isUint64Timestamp(v)) invalid(d, i, `${String(v)} is not a uint64 timestamp`);
        n += 8;
        break;
      case FieldCode.octet:
      case FieldCode.short:
      case FieldCode.long:
      case FieldCode.longlong: {
        const max = UINT_MAX[code]!;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) invalid(d, i, `${String(v)} is not an integer in 0..${max}`);
        n += code === FieldCode.octet ? 1 : code === FieldCode.short ? 2 : code === FieldCode.long ? 4 : 8;
        break;
      }
      case FieldCode.shortstr: {
        if (typeof v !== 'string') invalid(d, i, 'not a string');
        const len = Buffer.byteLength(v, 'utf8');
        if (len > 255) invalid(d, i, `${len} bytes exceed a shortstr's 255`);
        n += 1 + len;
        break;
      }
      case FieldCode.longstr:
        if (!Buffer.isBuffer(v)) invalid(d, i, 'not a Buffer');
        n += 4 + v.length;
        break;
      default:
        if (typeof v !== 'object' || v === null) invalid(d, i, 'not a field table');
        n += tableSize(v as FieldTable);
    }
  }
  return n;
}

/** Writes the method payload at `pos` (sized by methodPayloadSize first); returns the end. */
export function writeMethodPayload(buf: Buffer, pos: number, d: MethodDescriptor, args: Record<string, unknown>): number {
  buf.writeUInt16BE(d.classId, pos);
  buf.writeUInt16BE(d.methodId, pos + 2);
  pos += METHOD_HEADER_BYTES;
  const codes = d.codes;
  let bitPos = -1; // where the current bit octet lives
  let bit = 8;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    const v = valueOf(d, i, args);
    if (code === FieldCode.bit) {
      if (bit === 8) {
        bitPos = pos++;
        buf[bitPos] = 0;
        bit = 0;
      }
      if (v) buf[bitPos]! |= 1 << bit;
      bit++;
      continue;
    }
    bit = 8;
    switch (code) {
      case FieldCode.octet:
        buf[pos++] = v as number;
        break;
      case FieldCode.short:
        buf.writeUInt16BE(v as number, pos);
        pos += 2;
        break;
      case FieldCode.long:
        buf.writeUInt32BE(v as number, pos);
        pos += 4;
        break;
      case FieldCode.longlong:
        pos = writeUint64(buf, pos, v as number);
        break;
      case FieldCode.timestamp:
        pos = writeTimestamp(buf, pos, v as number | bigint);
        break;
      case FieldCode.shortstr:
        pos = writeShortstr(buf, pos, v as string);
        break;
      case FieldCode.longstr: {
        const b = v as Buffer;
        buf.writeUInt32BE(b.length, pos);
        pos += 4 + b.copy(buf, pos + 4);
        break;
      }
      default:
        pos = writeTable(buf, pos, v as FieldTable);
    }
  }
  return pos;
}
