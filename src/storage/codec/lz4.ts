/**
 * LZ4 for Kafka batches (codec 3): the LZ4 frame format (magic 0x184D2204), which Kafka has used
 * for v2 record batches (KIP-57 fixed the old header-checksum quirk of magic 0/1).
 *
 * Encode uses lz4js (pure JS; one frame, 4 MiB blocks, descriptor checksum, no content size).
 * Decode is done here rather than with lz4js, whose frame decoder trusts the declared sizes: this
 * one bounds-checks every read and write, walks the block headers first to size the output, and
 * stops at the cap. Descriptor, block and content checksums are skipped: the batch's CRC-32C
 * already covers the compressed bytes. Concatenated and skippable frames are accepted.
 */
import { createRequire } from 'node:module';
// Type-only: compression.ts imports this module to register it (a value import would be a cycle).
import type { CompressionCodec } from './compression.js';
import { isSkippableFrame, skipSkippableFrame } from './frames.js';

const lz4js = createRequire(import.meta.url)('lz4js') as { compress(input: Uint8Array): Uint8Array };

const FRAME_MAGIC = 0x184d2204;
const BLOCK_MAX: Record<number, number> = { 4: 0x10000, 5: 0x40000, 6: 0x100000, 7: 0x400000 };
const MIN_MATCH = 4;

interface Frame {
  /** Offset of the first block header. */
  blocks: number;
  blockChecksum: boolean;
  contentChecksum: boolean;
  maxBlock: number;
}

function fail(message: string): never {
  throw new Error(`lz4: ${message}`);
}

function readFrameHeader(src: Buffer, at: number): Frame {
  if (at + 7 > src.length) fail('truncated frame header');
  const flg = src[at + 4]!;
  const bd = src[at + 5]!;
  if (flg >> 6 !== 1) fail(`unsupported frame version ${flg >> 6}`);
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) fail('reserved bits set in frame descriptor');
  const maxBlock = BLOCK_MAX[(bd >> 4) & 7];
  if (maxBlock === undefined) fail(`invalid block maximum size ${(bd >> 4) & 7}`);
  let blocks = at + 6;
  if ((flg & 0x08) !== 0) blocks += 8; // content size (not trusted: the blocks are walked instead)
  if ((flg & 0x01) !== 0) blocks += 4; // dictionary id (a dictionary is never needed by Kafka)
  blocks += 1; // header checksum
  if (blocks > src.length) fail('truncated frame header');
  return { blocks, blockChecksum: (flg & 0x10) !== 0, contentChecksum: (flg & 0x04) !== 0, maxBlock };
}

/** Walks every frame's block headers: an upper bound of the output, and a check of the layout. */
function outputBound(src: Buffer): number {
  let bound = 0;
  let at = 0;
  while (at < src.length) {
    if (at + 4 > src.length) fail('trailing bytes after the last frame');
    if (isSkippableFrame(src, at)) {
      at = skipSkippableFrame(src, at, fail);
      continue;
    }
    const magic = src.readUInt32LE(at);
    if (magic !== FRAME_MAGIC) fail(`bad frame magic 0x${magic.toString(16)}`);
    const frame = readFrameHeader(src, at);
    at = frame.blocks;
    for (;;) {
      if (at + 4 > src.length) fail('truncated block header');
      const word = src.readUInt32LE(at);
      at += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      const raw = (word & 0x80000000) !== 0;
      if (size > frame.maxBlock) fail(`block of ${size} bytes over the frame's maximum ${frame.maxBlock}`);
      at += size + (frame.blockChecksum ? 4 : 0);
      if (at > src.length) fail('block runs past the payload');
      bound += raw ? size : frame.maxBlock;
    }
    at += frame.contentChecksum ? 4 : 0;
    if (at > src.length) fail('truncated content checksum');
  }
  return bound;
}

class Output {
  length = 0;
  constructor(
    readonly buf: Buffer,
    private readonly overCap: boolean,
  ) {}
  room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    if (this.overCap) throw new RangeError('lz4 output over the cap');
    fail('block decodes past its declared size');
  }
}

/** Decodes one LZ4 block from src[start, end) onto out; matches may reach into earlier blocks. */
function decodeBlock(src: Buffer, start: number, end: number, out: Output, maxBlock: number): void {
  const dst = out.buf;
  const blockStart = out.length;
  let s = start;
  let d = out.length;
  while (s < end) {
    const token = src[s++]!;
    let literals = token >> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (s >= end) fail('truncated literal length');
        b = src[s++]!;
        literals += b;
      } while (b === 255);
    }
    if (s + literals > end) fail('literals run past the block');
    out.length = d;
    out.room(literals);
    src.copy(dst, d, s, s + literals);
    s += literals;
    d += literals;
    if (s === end) break; // the last sequence has literals only
    if (s + 2 > end) fail('truncated match offset');
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (offset === 0 || offset > d) fail(`match offset ${offset} out of range`);
    let match = token & 15;
    if (match === 15) {
      let b: number;
      do {
        if (s >= end) fail('truncated match length');
        b = src[s++]!;
        match += b;
      } while (b === 255);
    }
    match += MIN_MATCH;
    out.length = d;
    out.room(match);
    if (offset >= match) {
      dst.copy(dst, d, d - offset, d - offset + match);
      d += match;
    } else {
      for (let i = d - offset, n = d + match; d < n; ) dst[d++] = dst[i++]!;
    }
  }
  out.length = d;
  if (d - blockStart > maxBlock) fail('block decodes past the frame maximum block size');
}

export function lz4DecompressFrames(src: Buffer, maxOutputBytes: number): Buffer {
  if (src.length === 0) fail('empty payload');
  const bound = outputBound(src);
  const out = new Output(Buffer.allocUnsafe(Math.min(bound, maxOutputBytes)), bound > maxOutputBytes);
  let at = 0;
  while (at < src.length) {
    const magic = src.readUInt32LE(at);
    if (magic !== FRAME_MAGIC) {
      at += 8 + src.readUInt32LE(at + 4); // skippable, checked by outputBound
      continue;
    }
    const frame = readFrameHeader(src, at);
    at = frame.blocks;
    for (;;) {
      const word = src.readUInt32LE(at);
      at += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      if ((word & 0x80000000) !== 0) {
        out.room(size);
        src.copy(out.buf, out.length, at, at + size);
        out.length += size;
      } else {
        decodeBlock(src, at, at + size, out, frame.maxBlock);
      }
      at += size + (frame.blockChecksum ? 4 : 0);
    }
    at += frame.contentChecksum ? 4 : 0;
  }
  return out.buf.subarray(0, out.length);
}

export function lz4CompressFrame(input: Buffer): Buffer {
  const out = lz4js.compress(input);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

export const lz4: CompressionCodec = {
  id: 3,
  name: 'lz4',
  compress: lz4CompressFrame,
  decompress: lz4DecompressFrames,
};
