/**
 * Kafka's zigzag varints (protocol guide, "Record"): varint is a zigzag-encoded int32 in 1..5
 * bytes, varlong a zigzag-encoded int64 in 1..10 bytes. Varlongs here carry JS numbers, so a
 * decoded value outside the safe-integer range (|n| > 2^53 - 1) is rejected as corrupt: no
 * legitimate timestamp or offset delta gets near it, and a silently rounded value would be worse.
 *
 * Decoders treat the bytes as hostile: they never read at or past `end`, reject over-long
 * encodings, and report the next position through a caller-owned Cursor so the hot path
 * allocates nothing.
 */
import { assert, HopperError } from '../../core/errors.js';

/** Where a decoder stopped; reuse one per decode loop. */
export interface Cursor {
  pos: number;
}

const TWO_POW_53 = 2 ** 53;

function corrupt(what: string, pos: number): HopperError {
  return new HopperError('CORRUPT_MESSAGE', `${what} at byte ${pos}`);
}

/** Encoded size of an int32 as a zigzag varint. */
export function sizeOfVarint(n: number): number {
  const z = ((n << 1) ^ (n >> 31)) >>> 0;
  if (z < 0x80) return 1;
  if (z < 0x4000) return 2;
  if (z < 0x200000) return 3;
  if (z < 0x10000000) return 4;
  return 5;
}

/** Writes an int32 as a zigzag varint at pos; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  assert((n | 0) === n, 'varint value is an int32');
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

/** Reads a zigzag varint at pos, never at or past end; stores the next position in out.pos. */
export function readVarint(buf: Uint8Array, pos: number, out: Cursor, end = buf.length): number {
  const start = pos;
  let z = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) throw corrupt('varint runs past the end', start);
    const b = buf[pos++]!;
    // The 5th byte holds the top 4 bits of 32; anything more is an over-long encoding.
    if (shift === 28 && b > 0x0f) throw corrupt('varint longer than 32 bits', start);
    z |= (b & 0x7f) << shift;
    if (b < 0x80) {
      out.pos = pos;
      return (z >>> 1) ^ -(z & 1);
    }
  }
  throw corrupt('varint longer than 5 bytes', start); // unreachable: the 5th byte always ends it
}

/** Encoded size of a safe integer as a zigzag varlong. */
export function sizeOfVarlong(n: number): number {
  if ((n | 0) === n) return sizeOfVarint(n);
  // zigzag(n) = 2 * mag + sign; the first byte holds 6 bits of mag, the others 7 each.
  let rest = Math.floor((n < 0 ? -n - 1 : n) / 64);
  let size = 1;
  while (rest > 0) {
    size++;
    rest = Math.floor(rest / 128);
  }
  return size;
}

/**
 * Writes a safe integer as a zigzag varlong. Works on the magnitude rather than the zigzag value
 * because zigzag(n) can reach 2^54, past exact double arithmetic.
 */
export function writeVarlong(buf: Uint8Array, pos: number, n: number): number {
  if ((n | 0) === n) return writeVarint(buf, pos, n);
  assert(Number.isSafeInteger(n), 'varlong value is a safe integer');
  const neg = n < 0;
  const mag = neg ? -n - 1 : n;
  let rest = Math.floor(mag / 64);
  let b = ((mag - rest * 64) << 1) | (neg ? 1 : 0);
  while (rest > 0) {
    buf[pos++] = b | 0x80;
    b = rest % 128;
    rest = Math.floor(rest / 128);
  }
  buf[pos++] = b;
  return pos;
}

/** Reads a zigzag varlong at pos, never at or past end; stores the next position in out.pos. */
export function readVarlong(buf: Uint8Array, pos: number, out: Cursor, end = buf.length): number {
  const start = pos;
  if (pos >= end) throw corrupt('varlong runs past the end', start);
  const b0 = buf[pos++]!;
  if (b0 < 0x80) {
    out.pos = pos;
    return (b0 >>> 1) ^ -(b0 & 1);
  }
  const neg = b0 & 1;
  let mag = (b0 & 0x7f) >>> 1;
  let mult = 64;
  for (let i = 1; i < 10; i++) {
    if (pos >= end) throw corrupt('varlong runs past the end', start);
    const b = buf[pos++]!;
    // The 10th byte holds the 64th bit only.
    if (i === 9 && b > 0x01) throw corrupt('varlong longer than 64 bits', start);
    mag += (b & 0x7f) * mult;
    if (b < 0x80) {
      // Each term is exact and rounding is monotonic, so an unsafe true value never looks safe.
      if (mag >= (neg ? TWO_POW_53 - 1 : TWO_POW_53)) throw corrupt('varlong outside the safe integer range', start);
      out.pos = pos;
      return neg ? -mag - 1 : mag;
    }
    mult *= 128;
  }
  throw corrupt('varlong longer than 10 bytes', start);
}
