/**
 * Zstandard for Kafka batches (codec 4). Node 20's zlib has no zstd, so: decode with fzstd (pure JS,
 * streaming, so the cap is enforced block by block) and encode with @bokuweb/zstd-wasm (the zstd C
 * library compiled to WASM, shipped inside the npm package; level 3, zstd's default, as Kafka's).
 *
 * The WASM module instantiates asynchronously, so this module awaits it at load (top-level await):
 * by the time anything can import the codec registry, encode is ready and stays synchronous.
 *
 * Before decoding, the frame headers are walked (block headers only, no decoding): a declared
 * content size over the cap fails at once, and so does a window (which fzstd allocates up front)
 * larger than both the cap and 8 MiB (the window Kafka's producers and librdkafka use at most by
 * default is far smaller).
 */
import { createRequire } from 'node:module';
import { Decompress } from 'fzstd';
// Type-only: compression.ts imports this module to register it (a value import would be a cycle).
import type { CompressionCodec } from './compression.js';
import { isSkippableFrame, skipSkippableFrame } from './frames.js';

const zstdWasm = createRequire(import.meta.url)('@bokuweb/zstd-wasm') as {
  init(): Promise<void>;
  compress(input: Uint8Array, level?: number): Uint8Array;
};
await zstdWasm.init();

const FRAME_MAGIC = 0xfd2fb528;
const WINDOW_ALWAYS_ALLOWED = 8 * 1024 * 1024;
export const ZSTD_LEVEL = 3;

function fail(message: string): never {
  throw new Error(`zstd: ${message}`);
}

/** Walks the frames, checking their layout, declared content sizes and windows against the cap. */
function checkFrames(src: Buffer, maxOutputBytes: number): void {
  if (src.length === 0) fail('empty payload');
  let declared = 0;
  let at = 0;
  while (at < src.length) {
    if (at + 4 > src.length) fail('trailing bytes after the last frame');
    if (isSkippableFrame(src, at)) {
      at = skipSkippableFrame(src, at, fail);
      continue;
    }
    const magic = src.readUInt32LE(at);
    if (magic !== FRAME_MAGIC) fail(`bad frame magic 0x${magic.toString(16)}`);
    at += 4;
    if (at >= src.length) fail('truncated frame header');
    const fhd = src[at++]!;
    const fcsFlag = fhd >> 6;
    const singleSegment = (fhd & 0x20) !== 0;
    if ((fhd & 0x08) !== 0) fail('reserved bit set in frame header');
    const dictBytes = [0, 1, 2, 4][fhd & 3]!;
    const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
    let window = 0;
    if (!singleSegment) {
      if (at >= src.length) fail('truncated frame header');
      const wd = src[at++]!;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    at += dictBytes;
    if (at + fcsBytes > src.length) fail('truncated frame header');
    let contentSize: number | undefined;
    if (fcsBytes === 1) contentSize = src[at]!;
    else if (fcsBytes === 2) contentSize = src.readUInt16LE(at) + 256;
    else if (fcsBytes === 4) contentSize = src.readUInt32LE(at);
    else if (fcsBytes === 8) contentSize = src.readUInt32LE(at) + src.readUInt32LE(at + 4) * 2 ** 32;
    at += fcsBytes;
    if (singleSegment) window = contentSize!;
    if (contentSize !== undefined) {
      declared += contentSize;
      if (declared > maxOutputBytes) throw new RangeError(`zstd content of ${declared} bytes over the cap`);
    }
    if (window > maxOutputBytes && window > WINDOW_ALWAYS_ALLOWED) {
      throw new RangeError(`zstd window of ${window} bytes over the cap`);
    }
    for (let last = false; !last; ) {
      if (at + 3 > src.length) fail('truncated block header');
      const header = src[at]! | (src[at + 1]! << 8) | (src[at + 2]! << 16);
      at += 3;
      last = (header & 1) === 1;
      const type = (header >> 1) & 3;
      if (type === 3) fail('reserved block type');
      at += type === 1 ? 1 : header >>> 3;
      if (at > src.length) fail('block runs past the payload');
    }
    if ((fhd & 0x04) !== 0) at += 4;
    if (at > src.length) fail('truncated content checksum');
  }
}

export function zstdDecompress(input: Buffer, maxOutputBytes: number): Buffer {
  checkFrames(input, maxOutputBytes);
  const parts: Uint8Array[] = [];
  let total = 0;
  const stream = new Decompress((chunk) => {
    total += chunk.length;
    if (total > maxOutputBytes) throw new RangeError(`zstd output over the cap of ${maxOutputBytes}`);
    // fzstd reuses no chunk it hands out, but copy anyway: it may be a view of its window.
    parts.push(Buffer.from(chunk));
  });
  stream.push(input, true);
  return Buffer.concat(parts, total);
}

export function zstdCompress(input: Buffer, level = ZSTD_LEVEL): Buffer {
  const out = zstdWasm.compress(input, level);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

export const zstd: CompressionCodec = {
  id: 4,
  name: 'zstd',
  compress: (input) => zstdCompress(input),
  decompress: zstdDecompress,
};
