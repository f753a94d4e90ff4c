/**
 * The content header frame payload (spec 4.2.6.1):
 *
 *   class-id uint16 | weight uint16 (0) | body-size uint64 | property-flags | property-list
 *
 * Property flags are 16-bit words; bit 15 of the first word is the first property, bit 0 of
 * each word says another flags word follows. Only class basic carries content in 0-9-1, and its
 * 14 properties fit the first word, so any further word must be all zero but continuation bits,
 * and a set flag without a property is malformed.
 */
import { HopperError } from '../../../core/errors.js';
import { AmqpCodecError } from './errors.js';
import { defaultFieldTableLimits, type FieldTable, type FieldTableLimits } from './field-table.js';
import { readTable } from './field-table-read.js';
import { tableSize, writeTable } from './field-table-write.js';
import { type ArgsOf, FieldCode } from './methods/types.js';
import { Reader } from './reader.js';
import { isUint64Timestamp, writeShortstr, writeTimestamp, writeUint64 } from './writer.js';

export const BASIC_CLASS_ID = 60;

/** The basic properties in flag order, bit 15 first (spec class basic, "properties"). */
export const basicPropertyFields = [
  { name: 'contentType', type: 'shortstr' },
  { name: 'contentEncoding', type: 'shortstr' },
  { name: 'headers', type: 'table' },
  { name: 'deliveryMode', type: 'octet' },
  { name: 'priority', type: 'octet' },
  { name: 'correlationId', type: 'shortstr' },
  { name: 'replyTo', type: 'shortstr' },
  { name: 'expiration', type: 'shortstr' },
  { name: 'messageId', type: 'shortstr' },
  { name: 'timestamp', type: 'timestamp' },
  { name: 'type', type: 'shortstr' },
  { name: 'userId', type: 'shortstr' },
  { name: 'appId', type: 'shortstr' },
  { name: 'clusterId', type: 'shortstr' }, // reserved in 0-9-1, still carried
] as const;

/** Present properties only: a decoded header never holds `undefined` keys. */
export type BasicProperties = Partial<ArgsOf<typeof basicPropertyFields>>;

export interface ContentHeader {
  classId: number;
  weight: number;
  bodySize: number;
  properties: BasicProperties;
}

export interface ContentHeaderLimits extends FieldTableLimits {
  /** Larger bodies are refused with 406 (RabbitMQ's max_message_size; default 128 MiB). */
  messageMaxBytes: number;
}

export const defaultContentHeaderLimits: Readonly<ContentHeaderLimits> = Object.freeze({
  ...defaultFieldTableLimits,
  messageMaxBytes: 128 * 1024 * 1024,
});

/** class-id, weight, body-size. */
export const CONTENT_HEADER_FIXED_BYTES = 12;
const PROPERTY_COUNT = basicPropertyFields.length;
const CONTINUATION = 1;
/** Bits of the first flags word that name a basic property (15..2). */
const KNOWN_FLAGS = 0xfffc;
const codes = Uint8Array.from(basicPropertyFields, (f) => FieldCode[f.type]);
const names = basicPropertyFields.map((f) => f.name);

export function decodeContentHeader(buf: Buffer, start: number, end: number, channel: number, limits: ContentHeaderLimits = defaultContentHeaderLimits): ContentHeader {
  const r = new Reader(buf, start, end, { channel, classId: BASIC_CLASS_ID });
  const classId = r.u16('class-id');
  if (classId !== BASIC_CLASS_ID) throw new AmqpCodecError('unexpected-frame', `content header for class ${classId}: only basic (60) has content`, { channel });
  const weight = r.u16('weight');
  r.need(8, 'body-size');
  const bodySize = buf.readUInt32BE(r.pos) * 0x1_0000_0000 + buf.readUInt32BE(r.pos + 4); // exact up to 2^53, over it only grows
  r.pos += 8;
  if (bodySize > limits.messageMaxBytes || bodySize > Number.MAX_SAFE_INTEGER) {
    throw new AmqpCodecError('message-too-large', `message size ${bodySize} is larger than configured max size ${limits.messageMaxBytes}`, { channel, classId });
  }
  const flags = r.u16('property flags');
  if ((flags & ~KNOWN_FLAGS & ~CONTINUATION) !== 0) r.fail(`property flags 0x${flags.toString(16)} name no basic property`);
  for (let more = flags & CONTINUATION; more !== 0; ) {
    const next = r.u16('property flags');
    if ((next & ~CONTINUATION) !== 0) r.fail(`property flags word 0x${next.toString(16)} names no basic property`);
    more = next & CONTINUATION;
  }
  const properties: Record<string, unknown> = {};
  for (let i = 0; i < PROPERTY_COUNT; i++) {
    if ((flags & (0x8000 >>> i)) === 0) continue;
    const name = names[i]!;
    switch (codes[i]) {
      case FieldCode.shortstr:
        properties[name] = r.shortstr(name);
        break;
      case FieldCode.octet:
        properties[name] = r.u8(name);
        break;
      case FieldCode.timestamp:
        properties[name] = r.u64OrBig(name);
        break;
      default:
        properties[name] = readTable(r, limits);
    }
  }
  r.done('content header');
  return { classId, weight, bodySize, properties: properties as BasicProperties };
}

function invalid(name: string, why: string): never {
  throw new HopperError('INVALID_ARGUMENT', `basic property ${name}: ${why}`);
}

/** Payload size of a content header carrying `props`; validates every property. */
export function contentHeaderPayloadSize(props: BasicProperties): number {
  let n = CONTENT_HEADER_FIXED_BYTES + 2;
  const p = props as Record<string, unknown>;
  for (let i = 0; i < PROPERTY_COUNT; i++) {
    const v = p[names[i]!];
    if (v == null) continue;
    switch (codes[i]) {
      case FieldCode.shortstr: {
        if (typeof v !== 'string') invalid(names[i]!, 'not a string');
        const len = Buffer.byteLength(v, 'utf8');
        if (len > 255) invalid(names[i]!, `${len} bytes exceed a shortstr's 255`);
        n += 1 + len;
        break;
      }
      case FieldCode.octet:
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) invalid(names[i]!, `${String(v)} is not an octet`);
        n += 1;
        break;
      case FieldCode.timestamp:
        if (!isUint64Timestamp(v)) invalid(names[i]!, `${String(v)} is not a uint64 timestamp`);
        n += 8;
        break;
      default:
        if (typeof v !== 'object') invalid(names[i]!, 'not a field table');
        n += tableSize(v as FieldTable);
    }
  }
  return n;
}

/** Writes a content header payload at `pos` (sized first); returns the end. */
export function writeContentHeaderPayload(buf: Buffer, pos: number, bodySize: number, props: BasicProperties): number {
  buf.writeUInt16BE(BASIC_CLASS_ID, pos);
  buf.writeUInt16BE(0, pos + 2); // weight: unused, must be zero
  writeUint64(buf, pos + 4, bodySize);
  const flagsPos = pos + CONTENT_HEADER_FIXED_BYTES;
  pos = flagsPos + 2;
  let flags = 0;
  const p = props as Record<string, unknown>;
  for (let i = 0; i < PROPERTY_COUNT; i++) {
    const v = p[names[i]!];
    if (v == null) continue;
    flags |= 0x8000 >>> i;
    switch (codes[i]) {
      case FieldCode.shortstr:
        pos = writeShortstr(buf, pos, v as string);
        break;
      case FieldCode.octet:
        buf[pos++] = v as number;
        break;
      case FieldCode.timestamp:
        pos = writeTimestamp(buf, pos, v as number | bigint);
        break;
      default:
        pos = writeTable(buf, pos, v as FieldTable);
    }
  }
  buf.writeUInt16BE(flags, flagsPos);
  return pos;
}
