/**
 * Reading, checking, rebuilding and writing a segment's .index and .timeindex files. The
 * indexes live in memory while a segment is active; the files are written whole (atomically)
 * when it is sealed and when the log closes, and are only hints: any doubt means a rebuild from
 * the .log, which is the one source of truth.
 */
import { readBatchHeader, BATCH_HEADER_BYTES, LOG_OVERHEAD, MAGIC_V2 } from '../codec/record-batch.js';
import type { StorageFs } from '../fs/types.js';
import { CLEANED_SUFFIX } from './layout.js';
import { OffsetIndex } from './offset-index.js';
import { readRange, scanBatches } from './scan.js';
import type { Segment } from './segment.js';
import { readSegmentFile } from './state-file.js';
import { TimeIndex } from './time-index.js';

export interface LoadedIndexes {
  index: OffsetIndex | null;
  timeIndex: TimeIndex | null;
}

/** Both index files parsed, or null for one that is missing or malformed. */
export async function readIndexFiles(fs: StorageFs, seg: Segment): Promise<LoadedIndexes> {
  const ib = await readSegmentFile(fs, seg, 'index');
  const tb = await readSegmentFile(fs, seg, 'timeindex');
  return { index: ib === null ? null : OffsetIndex.parse(ib), timeIndex: tb === null ? null : TimeIndex.parse(tb) };
}

/** Writes both index files atomically (suffix '.cleaned' for a compaction rewrite). */
export async function writeIndexFiles(fs: StorageFs, seg: Segment, suffix: '' | typeof CLEANED_SUFFIX = ''): Promise<void> {
  await fs.writeFileAtomic(seg.path('index') + suffix, seg.index.toBytes());
  await fs.writeFileAtomic(seg.path('timeindex') + suffix, seg.timeIndex.toBytes());
}

/**
 * Whether `position` of the segment's file holds the header of a batch with base offset
 * `baseOffset` that fits in the file. A cheap check (no CRC) that an index entry is not stale.
 */
export async function headerMatches(seg: Segment, position: number, baseOffset: number, fileSize: number): Promise<boolean> {
  if (position + BATCH_HEADER_BYTES > fileSize) return false;
  const b = await readRange(seg.file!, position, BATCH_HEADER_BYTES);
  if (b.length < BATCH_HEADER_BYTES) return false;
  const h = readBatchHeader(b, 0);
  return h.magic === MAGIC_V2 && h.baseOffset === baseOffset && h.batchLength > 0 && position + LOG_OVERHEAD + h.batchLength <= fileSize;
}

/**
 * Whether loaded indexes are consistent with a sealed segment of `fileSize` bytes whose offsets
 * end before `endOffset`: entries inside the file and the offset range, and the last offset
 * entry pointing at the batch it names.
 */
export async function indexesFit(seg: Segment, loaded: LoadedIndexes, fileSize: number, endOffset: number): Promise<boolean> {
  const { index, timeIndex } = loaded;
  if (index === null || timeIndex === null) return false;
  const span = endOffset - seg.base;
  if (index.count > 0) {
    if (index.lastRel() >= span || index.lastPosition() >= fileSize) return false;
    if (!(await headerMatches(seg, index.lastPosition(), seg.base + index.lastRel(), fileSize))) return false;
  }
  return timeIndex.count === 0 || timeIndex.lastRel() < span;
}

/**
 * Rebuilds both indexes of a segment by walking its file from the start, checking every CRC.
 * Returns the position where sound batches end (fileSize unless something is damaged).
 */
export async function rebuildIndexes(seg: Segment, fileSize: number, indexIntervalBytes: number): Promise<number> {
  seg.index = new OffsetIndex();
  seg.timeIndex = new TimeIndex();
  seg.maxTimestamp = -1;
  seg.lastBatchRel = -1;
  seg.resumeIndexingAt(0);
  let prevEnd = seg.base;
  let badOrder = -1;
  const r = await scanBatches(seg.file!, 0, fileSize, { verify: true }, (h, pos, size) => {
    if (h.baseOffset < prevEnd || !seg.fitsOffset(h.baseOffset + h.lastOffsetDelta)) {
      badOrder = pos;
      return false;
    }
    seg.noteBatch(pos, size, h.baseOffset, h.baseOffset + h.lastOffsetDelta, h.maxTimestamp, indexIntervalBytes);
    prevEnd = h.baseOffset + h.lastOffsetDelta + 1;
  });
  const end = badOrder >= 0 ? badOrder : r.end;
  seg.markVerified(0, end);
  return end;
}
