/**
 * Field tables and field values, with the type letters RabbitMQ actually uses (the 0-9-1
 * errata, not the spec's own table, which no broker follows: 's' is int16, not shortstr).
 *
 *   t bool   b int8   B uint8   s int16   u uint16   I int32   i uint32   l int64
 *   f float  d double D decimal (scale octet, uint32)  S longstr  A array  T timestamp (uint64)
 *   F table  V void   x byte array
 *
 * Decoding maps every letter onto the core TypedValue and keeps what the letter says beyond
 * the value (an integer's width, a float's single precision), so bytes → TypedValue → bytes
 * gives the same letters back:
 *
 *   b B s u I i l   int with width int8 uint8 int16 uint16 int32 uint32 int64
 *                   (l beyond 2^53: long, a bigint)
 *   f / d           float, single / not      D decimal     S string     t bool
 *   T               timestamp (a bigint beyond 2^53)        x bytes      V void
 *   A array         F table
 *
 * Values made elsewhere (no width) get one letter per type: int I if it fits int32, else l;
 * float d; number (SQS) S, its decimal text. 'I' for ordinary ints is what Java and .NET
 * clients expect back for an Integer header. A value with no exact wire form (fractional int,
 * long beyond int64, negative decimal, negative timestamp, a width its value does not fit)
 * goes out in the nearest form that holds it (another integer letter, else a double) rather
 * than failing a delivery.
 */
import type { TypedValue } from '../../../core/message.js';

export type FieldTable = Record<string, TypedValue>;

export interface FieldTableLimits {
  /** Tables and arrays nested deeper than this are rejected (x-death is 3 deep). */
  depthMax: number;
  /** Declared byte length of any one table, checked before it is parsed. */
  tableBytesMax: number;
}

export const defaultFieldTableLimits: Readonly<FieldTableLimits> = Object.freeze({
  depthMax: 32,
  tableBytesMax: 1024 * 1024,
});

/** Type letters as octets (field-table-read.ts and field-table-write.ts). */
export const Tag = {
  bool: 0x74, // t
  int8: 0x62, // b
  uint8: 0x42, // B
  int16: 0x73, // s
  uint16: 0x75, // u
  int32: 0x49, // I
  uint32: 0x69, // i
  int64: 0x6c, // l
  float: 0x66, // f
  double: 0x64, // d
  decimal: 0x44, // D
  longstr: 0x53, // S
  array: 0x41, // A
  timestamp: 0x54, // T
  table: 0x46, // F
  void: 0x56, // V
  bytes: 0x78, // x
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];
