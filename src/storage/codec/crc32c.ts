/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka RecordBatch v2.
 *
 * Slicing-by-16: sixteen 256-entry tables in one Int32Array (16 KiB) let the loop fold 16 bytes
 * per step with independent lookups: about 3x the byte-at-a-time loop in V8 and ~25% over
 * slicing-by-8 (bench/codec.bench.ts). Reading words with readInt32LE was 4x slower than
 * assembling them from bytes, so the loop indexes bytes.
 * Pure JS so it runs the same everywhere; a native binding can replace it behind this signature.
 */

import { createRequire } from 'node:module';
import { assert } from '../../core/errors.js';

const POLY = 0x82f63b78;

const SLICES = 16;

/** TABLES[k * 256 + b]: the CRC of byte b followed by k zero bytes. */
const TABLES = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(SLICES * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[b] = c;
  }
  for (let k = 1; k < SLICES; k++) {
    for (let b = 0; b < 256; b++) {
      const prev = t[(k - 1) * 256 + b]!;
      t[k * 256 + b] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
}

/**
 * Continues a running CRC over buf[start, end). Start with crc32cUpdate(0, ...) and chain the
 * results: crc32cUpdate(crc32cUpdate(0, a), b) === crc32c(a ++ b). Returns an unsigned 32-bit value.
 */
export function crc32cUpdate(crc: number, buf: Uint8Array, start = 0, end = buf.length): number {
  // Out-of-range indexes would read as undefined (0) and give a wrong CRC silently.
  assert(start >= 0 && start <= end && end <= buf.length, 'crc32c range inside the buffer');
  const t = TABLES;
  let c = ~crc;
  let i = start;
  const last16 = end - 16;
  while (i <= last16) {
    const w = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    c =
      t[3840 + (w & 0xff)]! ^
      t[3584 + ((w >>> 8) & 0xff)]! ^
      t[3328 + ((w >>> 16) & 0xff)]! ^
      t[3072 + (w >>> 24)]! ^
      t[2816 + buf[i + 4]!]! ^
      t[2560 + buf[i + 5]!]! ^
      t[2304 + buf[i + 6]!]! ^
      t[2048 + buf[i + 7]!]! ^
      t[1792 + buf[i + 8]!]! ^
      t[1536 + buf[i + 9]!]! ^
      t[1280 + buf[i + 10]!]! ^
      t[1024 + buf[i + 11]!]! ^
      t[768 + buf[i + 12]!]! ^
      t[512 + buf[i + 13]!]! ^
      t[256 + buf[i + 14]!]! ^
      t[buf[i + 15]!]!;
    i += 16;
  }
  while (i < end) c = (c >>> 8) ^ t[(c ^ buf[i++]!) & 0xff]!;
  return ~c >>> 0;
}

/** CRC-32C of buf[start, end), unsigned. */
/**
 * @node-rs/crc32 uses the CPU's CRC-32C instruction (about 2.6× the tables above on 1 KiB, more
 * on larger buffers; measured in bench/codec.bench.ts). It ships prebuilt binaries as optional
 * per-platform packages, so it can be missing on some platform: then the tables serve.
 */
type NativeCrc = (input: Buffer) => number;
const native: NativeCrc | null = (() => {
  try {
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: (input: Buffer, initial?: number) => number };
    return (input) => mod.crc32c(input);
  } catch {
    return null;
  }
})();
/** Below this the native call's fixed cost outweighs its speed. */
const NATIVE_MIN_BYTES = 64;

/** Whether the native implementation is in use (for benchmarks and logs). */
export const crc32cIsNative = native !== null;

export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  if (native !== null && end - start >= NATIVE_MIN_BYTES && start >= 0 && end <= buf.length) {
    const view = Buffer.from(buf.buffer, buf.byteOffset + start, end - start);
    return native(view) >>> 0;
  }
  return crc32cUpdate(0, buf, start, end);
}
