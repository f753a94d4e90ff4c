/**
 * One segment in memory: its file, its two indexes and the byte counters that say what may be
 * read. The log owns the list; this class only keeps a segment's own facts consistent.
 *
 * Byte counters, always size >= readable:
 * - size: bytes reserved by appends (the file may still be catching up while writes are queued);
 * - readable: bytes readers may see: acknowledged appends (so under fsync=always only fsynced
 *   bytes, and a reader never sees a record that a crash could take back), or the whole file
 *   once sealed.
 */
import { join } from 'node:path';
import type { StorageFile } from '../fs/types.js';
import type { AbortedTxns } from './aborted-txns.js';
import { MAX_RELATIVE_OFFSET, segmentFileName, type SegmentFileKind } from './layout.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

export class Segment {
  /** Null only for a new segment whose file the write loop has not created yet. */
  file: StorageFile | null = null;
  index = new OffsetIndex();
  timeIndex = new TimeIndex();
  size = 0;
  readable = 0;
  /** Offset after the last batch noted; base when empty. Exact for the active segment. */
  endOffset: number;
  /** Relative base offset of the last batch noted, -1 when empty. */
  lastBatchRel = -1;
  /** Largest batch maxTimestamp noted, -1 (NO_TIMESTAMP) when none. */
  maxTimestamp = -1;
  /** When the segment got its first batch (clock ms), for age-based rolling; -1 when empty. */
  firstBatchAtMs = -1;
  /** Sealed: no more appends, file complete and durable, index files written. */
  sealed = false;
  /** Byte range [verifiedStart, verifiedEnd) whose batch CRCs this process has checked. */
  verifiedStart = 0;
  verifiedEnd = 0;
  /** Position of the last batch that got an index entry (0: the implied first entry). */
  private lastIndexedPos = 0;
  /** Logs with a transaction index: the aborts whose marker is in this segment (null: none). */
  aborted: AbortedTxns | null = null;
  /**
   * Logs with a transaction index: the transactions open at this segment's end, taken when the
   * log rolls past it and dropped once its .txnindex is written (open-txn pairs, see txn-tracker.ts).
   */
  openAtEnd: Float64Array | null = null;
  /**
   * Logs with producer state: its snapshot as of this segment's base, encoded when the log rolls
   * to this segment and dropped once its .snapshot is written (producer-snapshot-file.ts).
   */
  snapshotAtStart: Buffer | null = null;
  /** In-flight reads; a retired segment's file closes when this drops to 0. */
  readers = 0;
  retired = false;

  constructor(
    readonly dir: string,
    readonly base: number,
  ) {
    this.endOffset = base;
  }

  path(kind: SegmentFileKind): string {
    return join(this.dir, segmentFileName(this.base, kind));
  }

  /** Whether a batch ending at lastOffset can still get relative offsets that fit the index. */
  fitsOffset(lastOffset: number): boolean {
    return lastOffset - this.base <= MAX_RELATIVE_OFFSET;
  }

  /**
   * Records a batch of `length` bytes at `position` (which must be `size`): indexes it when at
   * least indexIntervalBytes passed since the last indexed batch, and keeps the time index's
   * promise (see TimeIndexEntry) by recording the running maximum timestamp.
   */
  noteBatch(position: number, length: number, baseOffset: number, lastOffset: number, maxTimestamp: number, indexIntervalBytes: number): void {
    const rel = baseOffset - this.base;
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
    if (position > 0 && position - this.lastIndexedPos >= indexIntervalBytes) {
      this.index.append(rel, position);
      this.lastIndexedPos = position;
      if (this.maxTimestamp > this.timeIndex.lastTimestamp()) this.timeIndex.append(this.maxTimestamp, rel);
    }
    this.size = position + length;
    this.endOffset = lastOffset + 1;
    this.lastBatchRel = rel;
  }

  /** After loading an index, indexing resumes from its last entry. */
  resumeIndexingAt(position: number): void {
    this.lastIndexedPos = position;
  }

  /** Adds the final time entry that makes maxTimestamp findable from the index alone (at seal and close). */
  finishTimeIndex(): void {
    if (this.lastBatchRel >= 0 && this.maxTimestamp > this.timeIndex.lastTimestamp()) {
      this.timeIndex.append(this.maxTimestamp, Math.max(this.lastBatchRel, this.timeIndex.lastRel()));
    }
  }

  /** Extends the verified range with a checked batch at [start, end) when it touches it. */
  markVerified(start: number, end: number): void {
    if (this.verifiedEnd === this.verifiedStart) {
      this.verifiedStart = start;
      this.verifiedEnd = end;
    } else if (start === this.verifiedEnd) this.verifiedEnd = end;
    else if (end === this.verifiedStart) this.verifiedStart = start;
  }

  isVerified(start: number, end: number): boolean {
    return start >= this.verifiedStart && end <= this.verifiedEnd;
  }

  /** Closes the file now, or when the last reader leaves. Idempotent. */
  async retire(): Promise<void> {
    this.retired = true;
    if (this.readers === 0) await this.closeFile();
  }

  async leave(): Promise<void> {
    this.readers--;
    if (this.retired && this.readers === 0) await this.closeFile();
  }

  private async closeFile(): Promise<void> {
    const f = this.file;
    this.file = null;
    if (f !== null) await f.close().catch(() => undefined); // nothing useful to do with a close error on a dropped segment
  }
}
