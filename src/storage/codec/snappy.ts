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
 * output is allocated.
 */
import { createRequire } from 'node:module';
// Type-only: compression.ts imports this module to register it (a value import would be a cycle).
import type { CompressionCodec } from './compression.js';

const snappyjs = createRequire(import.meta.url)('snappyjs') as {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
};

export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
/** xerial's default block size (Kafka's Java producer uses it too). */
const XERIAL_BLOCK = 32 * 1024;

function isXerial(input: Buffer): boolean {
  return input.length >= XERIAL_HEADER_BYTES && input.subarray(0, 8).equals(XERIAL_MAGIC);
}

/** The uncompressed length a raw snappy block declares (its leading varint, at most 32 bits). */
function declaredLength(block: Buffer): number {
  let result = 0;
  for (let i = 0, shift = 0; i < 5; i++, shift += 7) {
    const b = block[i];
    if (b === undefined) throw new Error('truncated snappy length');
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
  }
  throw new Error('snappy length varint too long');
}

function uncompressRaw(block: Buffer, budget: number): Buffer {
  const length = declaredLength(block);
  if (length > budget) throw new RangeError(`snappy block of ${length} bytes over the cap`);
  const out = snappyjs.uncompress(block, budget);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
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
