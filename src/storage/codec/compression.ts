/**
 * Compression codecs for RecordBatch v2 payloads, keyed by the Kafka codec id in attribute bits
 * 0-2: none, gzip (node:zlib), snappy, lz4 and zstd (snappy.ts, lz4.ts, zstd.ts). registerCodec()
 * can replace one (tests); an id with no codec is refused as CORRUPT_MESSAGE with a message that
 * names the codec, never silently stored undecodable by other protocols.
 *
 * Codecs are synchronous: batches are at most maxBatchBytes, and the Kafka path stores and serves
 * compressed batches without touching them, so only cross-protocol reads pay for this.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { HopperError } from '../../core/errors.js';
import { lz4 } from './lz4.js';
import { snappy } from './snappy.js';
import { zstd } from './zstd.js';

export const CompressionId = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionName = keyof typeof CompressionId;

/** Decompression stops past this many bytes (decompression bombs); callers may lower it. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export interface CompressionCodec {
  readonly id: number;
  readonly name: CompressionName;
  compress(input: Buffer): Buffer;
  /** Must throw (anything) rather than produce more than maxOutputBytes. */
  decompress(input: Buffer, maxOutputBytes: number): Buffer;
}

const identity: CompressionCodec = {
  id: CompressionId.none,
  name: 'none',
  compress: (input) => input,
  decompress: (input, max) => {
    if (input.length > max) throw new RangeError(`${input.length} bytes over the cap of ${max}`);
    return input;
  },
};

const gzip: CompressionCodec = {
  id: CompressionId.gzip,
  name: 'gzip',
  compress: (input) => gzipSync(input),
  // maxOutputLength makes zlib stop (RangeError) instead of inflating a bomb into memory.
  decompress: (input, max) => gunzipSync(input, { maxOutputLength: Math.max(1, max) }),
};

// snappy (snappy.ts), lz4 (lz4.ts) and zstd (zstd.ts) are registered too: see those files.
const registry: (CompressionCodec | undefined)[] = [identity, gzip, snappy, lz4, zstd];

/**
 * Adds or replaces the codec for codec.id.
 * Returns a function that puts back what was there before (for tests).
 */
export function registerCodec(codec: CompressionCodec): () => void {
  const previous = registry[codec.id];
  registry[codec.id] = codec;
  return () => {
    registry[codec.id] = previous;
  };
}

const NAMES: readonly string[] = Object.keys(CompressionId);

/** The codec for a Kafka codec id; unknown or unavailable ids are CORRUPT_MESSAGE. */
export function codecFor(id: number): CompressionCodec {
  const codec = registry[id];
  if (codec !== undefined) return codec;
  const name = NAMES[id];
  throw new HopperError(
    'CORRUPT_MESSAGE',
    name !== undefined
      ? `batch uses ${name} compression (codec ${id}), which this broker does not support yet`
      : `batch uses unknown compression codec ${id}`,
  );
}

/** The codec for a name, for encoders; an unavailable one is the caller's INVALID_ARGUMENT. */
export function codecByName(name: CompressionName): CompressionCodec {
  const codec = registry[CompressionId[name]];
  if (codec === undefined) throw new HopperError('INVALID_ARGUMENT', `${name} compression is not available`);
  return codec;
}

/**
 * Decompresses a batch payload with the codec `id`, capped at maxOutputBytes. Any codec failure
 * (bad stream, truncated stream, over the cap) becomes CORRUPT_MESSAGE with the cause attached.
 */
export function decompress(id: number, input: Buffer, maxOutputBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
  const codec = codecFor(id);
  try {
    return codec.decompress(input, maxOutputBytes);
  } catch (cause) {
    const over = (cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || cause instanceof RangeError;
    throw new HopperError(
      'CORRUPT_MESSAGE',
      over
        ? `${codec.name} payload decompresses to more than ${maxOutputBytes} bytes`
        : `${codec.name} payload does not decompress: ${(cause as Error).message}`,
      { cause },
    );
  }
}
