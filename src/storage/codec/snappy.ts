/**
 * Snappy for Kafka batches (codec 2), on snappyjs (pure JS raw snappy).
 *
 * Kafka's Java clients write snappy in xerial's framing: an 8-byte magic (0x82 "SNAPPY" 0x00), two
 * big-endian int32 (version, compatible version), then chunks of a big-endian int32 length and a
 * raw snappy block each. Other clients (librdkafka, kafkajs-snappy, @platformatic/kafka) write one
 * plain raw block. Decode accepts both. Encode writes the plain raw block: every client reads it
 * (Java's through xerial's fallback for unframed input, as Kafka itself relies on for librdkafka
 * producers), while some (@platformatic/kafka) cannot read the xerial framing.
 *
 * Each raw block starts with its uncompressed length as a varint, so the cap is checked before any
 * output is allocated. Raw blocks are decoded here, not by snappyjs: its decoder trusts hostile
 * input (a 4-byte literal length can go negative and send it backwards for ever, and output that
 * falls short of the declared length is returned zero-filled). snappyjs still compresses.
 */
import { createRequire } from 'node:module';
// Type-only: compression.ts imports this module to register it (a value import would be a cycle).
import type { CompressionCodec } from './compression.js';

const snappyjs = createRequire(import.meta.url)('snappyjs') as { compress(input: Uint8Array): Uint8Array };

export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
/** xerial's default block size (Kafka's Java producer uses it too). */
const XERIAL_BLOCK = 32 * 1024;

function isXerial(input: Buffer): boolean {
  return input.length >= XERIAL_HEADER_BYTES && input.subarray(0, 8).equals(XERIAL_MAGIC);
}

function fail(message: string): never {
  throw new Error(`snappy: ${message}`);
}

/** A little-endian unsigned integer of `n` (1–4) bytes at `at`, checked against the input. */
function readLE(block: Buffer, at: number, n: number): number {
  if (at + n > block.length) fail('truncated element');
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + block[at + i]!;
  return v;
}

/**
 * One raw snappy block: a varint of the uncompressed length (checked against `budget` before the
 * output is allocated), then literals and back-references. Every length and offset is checked
 * against the bytes left and the output written so far; the output must come out exactly as long
 * as declared.
 */
function uncompressRaw(block: Buffer, budget: number): Buffer {
  let length = 0;
  let at = 0;
  for (let shift = 0; ; shift += 7) {
    if (shift > 28) fail('length varint too long');
    const b = block[at++];
    if (b === undefined) fail('truncated length');
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  if (length > budget) throw new RangeError(`snappy block of ${length} bytes over the cap`);
  const out = Buffer.allocUnsafe(length);
  let o = 0;
  while (at < block.length) {
    const tag = block[at++]!;
    const kind = tag & 3;
    if (kind === 0) {
      // Literal: length - 1 in the tag, or in the 1–4 bytes after it when the tag says 60–63.
      let n = tag >>> 2;
      if (n >= 60) {
        n = readLE(block, at, n - 59);
        at += (tag >>> 2) - 59;
      }
      n += 1;
      if (n > block.length - at) fail('literal runs past the input');
      if (n > length - o) fail('literal runs past the declared length');
      block.copy(out, o, at, at + n);
      at += n;
      o += n;
      continue;
    }
    // Copy of `n` bytes from `offset` back in the output (overlap allowed: byte by byte).
    let n: number;
    let offset: number;
    if (kind === 1) {
      n = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | readLE(block, at, 1);
      at += 1;
    } else {
      n = 1 + (tag >>> 2);
      const bytes = kind === 2 ? 2 : 4;
      offset = readLE(block, at, bytes);
      at += bytes;
    }
    if (offset === 0 || offset > o) fail(`copy offset ${offset} outside the ${o} bytes written`);
    if (n > length - o) fail('copy runs past the declared length');
    for (let end = o + n; o < end; o++) out[o] = out[o - offset]!;
  }
  if (o !== length) fail(`${o} bytes decoded, ${length} declared`);
  return out;
}

export function snappyCompressRaw(input: Buffer): Buffer {
  const out = snappyjs.compress(input);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** xerial-framed snappy, as Kafka's Java producer writes it. */
export function snappyCompressXerial(input: Buffer, blockSize = XERIAL_BLOCK): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (let at = 0; at < input.length; at += blockSize) {
    const block = snappyCompressRaw(input.subarray(at, at + blockSize));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

export function snappyDecompress(input: Buffer, maxOutputBytes: number): Buffer {
  if (!isXerial(input)) return uncompressRaw(input, maxOutputBytes);
  const parts: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_BYTES;
  while (at < input.length) {
    if (at + 4 > input.length) throw new Error('truncated xerial chunk length');
    const len = input.readInt32BE(at);
    at += 4;
    if (len < 0 || at + len > input.length) throw new Error(`xerial chunk of ${len} bytes runs past the payload`);
    const out = uncompressRaw(input.subarray(at, at + len), maxOutputBytes - total);
    at += len;
    total += out.length;
    parts.push(out);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

export const snappy: CompressionCodec = {
  id: 2,
  name: 'snappy',
  compress: snappyCompressRaw,
  decompress: snappyDecompress,
};
