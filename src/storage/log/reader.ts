/**
 * Reads by offset and by timestamp. Both find a start position with the in-memory sparse index
 * (binary search), then walk batch headers forward from there.
 *
 * CRC rule: read() never returns a batch whose CRC-32C fails. Batches this process appended
 * (checked by append before writing) or recovered (checked by the tail scan) are marked
 * verified per segment; any other batch is checked here before it is returned, once, and then
 * marked. A damaged batch is CORRUPT_MESSAGE when it is the first one asked for; otherwise the
 * read stops just before it.
 */
import { HopperError } from '../../core/errors.js';
import { BatchField, readInt64 } from '../codec/batch-layout.js';
import { BATCH_HEADER_BYTES, batchSizeAt, checkBatch, decodeRecords, LOG_OVERHEAD } from '../codec/record-batch.js';
import type { ReadResult } from '../types.js';
import { readRange, scanBatches } from './scan.js';
import type { Segment } from './segment.js';

/** First read when looking for a batch: enough for the index gap plus a typical fetch, bounded. */
const MIN_FIRST_READ_BYTES = 64 * 1024;
const MAX_FIRST_READ_BYTES = 8 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export interface ReadableLog {
  readonly segments: readonly Segment[];
  readonly logStartOffset: number;
  readonly nextOffset: number;
  /** Offsets below this are acknowledged; nothing at or above it is served. */
  readonly ackedOffset: number;
}

/** Index of the last segment whose base is <= offset (0 if none is). */
export function segmentFor(segments: readonly Segment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid]!.base <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export async function readAt(log: ReadableLog, offset: number, maxBytes: number, minOneBatch = true): Promise<ReadResult> {
  const result = (bytes: Buffer): ReadResult => ({ bytes, nextOffset: log.nextOffset, logStartOffset: log.logStartOffset });
  if (offset >= log.ackedOffset) return result(EMPTY);
  const segments = log.segments;
  // A segment may hold nothing at or after `offset` (compaction removed its tail): go on to the next.
  for (let i = segmentFor(segments, offset); i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.file === null || seg.readable === 0) continue;
    seg.readers++;
    try {
      const bytes = await readInSegment(seg, offset, maxBytes, minOneBatch);
      if (bytes !== null) return result(bytes);
    } finally {
      await seg.leave();
    }
  }
  return result(EMPTY);
}

async function readInSegment(seg: Segment, offset: number, maxBytes: number, minOneBatch: boolean): Promise<Buffer | null> {
  const file = seg.file;
  if (file === null) return null;
  const limit = seg.readable;
  let pos = seg.index.lookup(Math.max(0, offset - seg.base));
  if (pos >= limit) pos = 0; // cannot happen for acknowledged offsets; stay safe anyway
  const firstRead = Math.min(limit - pos, Math.max(MIN_FIRST_READ_BYTES, Math.min(maxBytes + MIN_FIRST_READ_BYTES, MAX_FIRST_READ_BYTES)));
  let buf = await readRange(file, pos, firstRead);
  let bufStart = pos;
  let size = 0;
  for (;;) {
    if (pos >= limit) return null;
    let at = pos - bufStart;
    if (buf.length - at < BATCH_HEADER_BYTES) {
      buf = await readRange(file, pos, Math.min(limit - pos, MIN_FIRST_READ_BYTES));
      bufStart = pos;
      at = 0;
      if (buf.length < BATCH_HEADER_BYTES) throw damaged(seg, pos, 'truncated batch header');
    }
    size = batchSizeAt(buf, at)!;
    if (pos + size > limit) throw damaged(seg, pos, `batch of ${size} bytes runs past the end`);
    const last = readInt64(buf, at + BatchField.baseOffset) + buf.readInt32BE(at + BatchField.lastOffsetDelta);
    if (last >= offset) break;
    pos += size;
  }
  // `pos` starts the batch holding `offset` (or the first after it). Return whole batches up to
  // maxBytes, and the first one whole even when larger unless the caller says not to.
  const fits = Math.min(maxBytes, limit - pos);
  if (fits < size && !minOneBatch) return EMPTY;
  const want = Math.max(size, fits);
  const at = pos - bufStart;
  const out = at + want <= buf.length ? buf.subarray(at, at + want) : await readRange(file, pos, want);
  let p = 0;
  while (p < out.length) {
    if (out.length - p < LOG_OVERHEAD) break;
    const sz = batchSizeAt(out, p)!;
    if (p + sz > out.length) break;
    if (!seg.isVerified(pos + p, pos + p + sz)) {
      try {
        checkBatch(out, p, sz);
      } catch (err) {
        if (p === 0) throw damaged(seg, pos, (err as Error).message);
        break;
      }
      seg.markVerified(pos + p, pos + p + sz);
    }
    p += sz;
  }
  return out.subarray(0, p);
}

function damaged(seg: Segment, pos: number, what: string): HopperError {
  return new HopperError('CORRUPT_MESSAGE', `stored batch at byte ${pos} of segment ${seg.base} fails its check: ${what}`);
}

/** The first offset (>= logStartOffset, acknowledged) whose record timestamp is >= ts, or null. */
export async function findOffsetForTimestamp(log: ReadableLog, ts: number): Promise<number | null> {
  for (const seg of log.segments) {
    if (seg.file === null || seg.readable === 0 || seg.maxTimestamp < ts) continue;
    if (seg.endOffset <= log.logStartOffset) continue;
    seg.readers++;
    try {
      const found = await findInSegment(seg, ts, log.logStartOffset, log.ackedOffset);
      if (found !== null) return found;
    } finally {
      await seg.leave();
    }
  }
  return null;
}

async function findInSegment(seg: Segment, ts: number, logStart: number, acked: number): Promise<number | null> {
  const startRel = seg.timeIndex.startFor(ts);
  const pos = seg.index.lookup(startRel);
  let found: number | null = null;
  await scanBatches(seg.file!, pos, seg.readable, { verify: false }, (h, _pos, _size, bytes, at) => {
    const last = h.baseOffset + h.lastOffsetDelta;
    if (h.baseOffset >= acked) return false;
    if (last < logStart || h.maxTimestamp < ts) return;
    try {
      for (const r of decodeRecords(bytes, at)) {
        if (r.timestamp >= ts && r.offset >= logStart) {
          found = r.offset;
          return false;
        }
      }
    } catch {
      // Records we cannot decode (a codec this broker lacks): the batch is the best answer.
      found = Math.max(h.baseOffset, logStart);
      return false;
    }
  });
  return found;
}
