/**
 * Walks the batches of a byte range of a segment file in chunks, for recovery, index rebuilds,
 * reads and compaction. The walk stops at the first thing that is not a whole, well-formed
 * batch (and, with `verify`, one whose CRC-32C matches): everything before that point is sound.
 */
import { type BatchHeader, batchSizeAt, checkBatch, checkBatchStructure, LOG_OVERHEAD } from '../codec/record-batch.js';
import { readFully, type StorageFile } from '../fs/types.js';

/** Chunk read per I/O when walking a file; big enough to amortize the threadpool round trip. */
export const SCAN_CHUNK_BYTES = 256 * 1024;

export interface ScanOptions {
  /** Check each batch's CRC (recovery, rebuilds, compaction); off for reads that only need headers. */
  verify: boolean;
  chunkBytes?: number;
}

export interface ScanResult {
  /** Position after the last whole, valid batch visited (or where the visitor stopped). */
  end: number;
  /** Why the walk stopped before `to`: a torn or malformed batch. Null when it reached `to` or was stopped. */
  error: Error | null;
}

/**
 * Visits each batch in file[from, to). `bytes[at, at + size)` is the whole batch; the buffer is
 * fresh for each chunk, so a visitor may keep subarrays of it. Returning false (or a promise of
 * false) stops the walk after that batch.
 */
export async function scanBatches(
  file: StorageFile,
  from: number,
  to: number,
  opts: ScanOptions,
  visit: (h: BatchHeader, position: number, size: number, bytes: Buffer, at: number) => boolean | void | Promise<boolean | void>,
): Promise<ScanResult> {
  const chunk = opts.chunkBytes ?? SCAN_CHUNK_BYTES;
  let buf: Buffer = Buffer.alloc(0);
  let bufStart = from;
  let pos = from;
  while (pos < to) {
    let at = pos - bufStart;
    if (buf.length - at < LOG_OVERHEAD) {
      buf = await readRange(file, pos, Math.min(to - pos, chunk));
      bufStart = pos;
      at = 0;
      if (buf.length < LOG_OVERHEAD) return { end: pos, error: new Error(`torn batch header at byte ${pos}`) };
    }
    let size: number;
    try {
      size = batchSizeAt(buf, at)!;
    } catch (err) {
      return { end: pos, error: err as Error };
    }
    if (size > to - pos) return { end: pos, error: new Error(`torn batch at byte ${pos}: ${size} bytes, ${to - pos} left`) };
    if (buf.length - at < size) {
      buf = await readRange(file, pos, Math.min(to - pos, Math.max(size, chunk)));
      bufStart = pos;
      at = 0;
      if (buf.length < size) return { end: pos, error: new Error(`torn batch at byte ${pos}: file ends early`) };
    }
    let h: BatchHeader;
    try {
      h = opts.verify ? checkBatch(buf, at, size) : checkBatchStructure(buf, at, size);
    } catch (err) {
      return { end: pos, error: err as Error };
    }
    let more = visit(h, pos, size, buf, at);
    if (more instanceof Promise) more = await more; // compaction writes as it goes
    if (more === false) return { end: pos + size, error: null };
    pos += size;
  }
  return { end: pos, error: null };
}

/** Reads file[position, position + length), shorter if the file ends first. */
export async function readRange(file: StorageFile, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  const n = await readFully(file, buf, 0, length, position);
  return n === length ? buf : buf.subarray(0, n);
}
