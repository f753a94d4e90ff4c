/**
 * Kafka's UNSIGNED_VARINT (protocol guide, "Protocol Primitive Types"): a plain base-128
 * varint, no zigzag, used by flexible versions for compact lengths, array counts and tagged
 * fields. Zigzag varints (records, and the VARINT/VARLONG types) live in
 * src/storage/codec/varint.ts. Values here are uint32: the 5th byte carries the top 4 bits,
 * anything longer is malformed (Java's ByteUtils rejects it too).
 */
import { KafkaCodecError } from './errors.js';

export function sizeOfUnsignedVarint(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return 5;
}

/** Writes n (0..2^32-1) at pos; returns the position after it. */
export function writeUnsignedVarint(buf: Uint8Array, pos: number, n: number): number {
  let v = n >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Reads an unsigned varint at cur.pos, never at or past end; advances cur.pos. */
export function readUnsignedVarint(buf: Uint8Array, cur: { pos: number }, end: number): number {
  const start = cur.pos;
  let pos = start;
  let v = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) throw new KafkaCodecError('truncated', 'unsigned varint runs past the end', start);
    const b = buf[pos++]!;
    if (shift === 28 && b > 0x0f) throw new KafkaCodecError('malformed', 'unsigned varint longer than 32 bits', start);
    v += (b & 0x7f) * 2 ** shift; // multiply, not shift: bit 31 must not turn the value negative
    if (b < 0x80) {
      cur.pos = pos;
      return v;
    }
  }
  throw new KafkaCodecError('malformed', 'unsigned varint longer than 5 bytes', start); // unreachable
}
