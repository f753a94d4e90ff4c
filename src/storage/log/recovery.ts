/**
 * Opening a log folder after a clean stop or a crash. The rules (docs/storage.md, "Recovery"):
 *
 * 1. Transient files: a committed compaction swap (<base>.log.swap) is finished; uncommitted
 *    rewrites (*.cleaned) and unfinished atomic writes (*.tmp) are deleted.
 * 2. Sealed segments (all but the last) were fsynced before the next segment was created, so
 *    their bytes are complete; only their index files are checked (cheaply) and rebuilt from
 *    the .log when missing or inconsistent. Their CRCs are checked when first read (reader.ts).
 * 3. The active (last) segment may end with a torn or partly written tail: it is scanned from
 *    its last trustworthy index entry to the end, checking every batch's length, CRC and
 *    offset order, and truncated at the end of the last valid batch. Everything from the scan
 *    start on is CRC-verified by this, and the offsets after the last valid batch are the ones
 *    the next append gets: no acknowledged offset is reused, because an acknowledged batch was
 *    fsynced and so is found valid here.
 * 4. logStartOffset = max(checkpoint, first segment's base); if it is past the end (the data
 *    below it was lost but the checkpoint was not), the log restarts empty at logStartOffset.
 * 5. Offsets handed out before are never handed out again (high-water.ts): when the data ends
 *    below the end recorded at the last clean close, or after an unclean stop under a fsync
 *    policy other than `always` (acknowledged appends may be gone), the log continues at its
 *    high-water mark in a new segment. The offsets skipped are reported (`lost`), and every
 *    cut or loss (LogDamage) too, for the error log and /health.
 */
import { join } from 'node:path';
import { readBatchHeader, BATCH_HEADER_BYTES } from '../codec/record-batch.js';
import type { StorageFs } from '../fs/types.js';
import type { Clock, LogConfig, LogDamage } from '../types.js';
import { readLogStartCheckpoint } from './checkpoint.js';
import { readHighWater } from './high-water.js';
import { headerMatches, indexesFit, readIndexFiles, rebuildIndexes, writeIndexFiles } from './index-files.js';
import { CLEANED_SUFFIX, type HighWaterRecord, parseSegmentFileName, SegmentFile, segmentFileName, SWAP_SUFFIX, TMP_SUFFIX } from './layout.js';
import { OffsetIndex } from './offset-index.js';
import { readRange, scanBatches } from './scan.js';
import { Segment } from './segment.js';
import { TimeIndex } from './time-index.js';

export interface RecoveredLog {
  segments: Segment[];
  logStartOffset: number;
  /** Bytes cut off the active segment's tail (0 after a clean stop). */
  truncatedBytes: number;
  /** Segments whose index files had to be rebuilt. */
  rebuiltIndexes: number;
  /** Offsets [from, to) the log skipped (rule 5): they have no record, though some may have been handed out before. */
  lost: { from: number; to: number } | null;
  /** What high-water.checkpoint says now (null: nothing yet, a new log or one from an older Hopper). */
  highWater: HighWaterRecord | null;
  /** What recovery cut or found damaged, for the error log and /health. */
  damage: LogDamage[];
}

export async function recoverLog(fs: StorageFs, dir: string, config: LogConfig, clock: Clock): Promise<RecoveredLog> {
  await fs.mkdirp(dir);
  await settleTransientFiles(fs, dir);
  const bases = (await fs.readdir(dir))
    .map(parseSegmentFileName)
    .filter((p) => p !== null && p.kind === 'log' && p.suffix === '')
    .map((p) => p!.base)
    .sort((a, b) => a - b);
  const checkpoint = (await readLogStartCheckpoint(fs, dir)) ?? 0;
  const highWater = await readHighWater(fs, dir);
  const damage: LogDamage[] = [];
  let segments: Segment[] = [];
  let logStartOffset = checkpoint;
  let truncatedBytes = 0;
  let rebuiltIndexes = 0;
  if (bases.length === 0) {
    segments.push(await createSegment(fs, dir, checkpoint));
  } else {
    for (let i = 0; i < bases.length - 1; i++) {
      const { seg, rebuilt, soundEnd, soundEndOffset } = await loadSealed(fs, dir, bases[i]!, bases[i + 1]!, config);
      segments.push(seg);
      if (rebuilt) rebuiltIndexes++;
      if (soundEnd < seg.size) {
        damage.push({
          atMs: clock.now(),
          droppedBytes: seg.size - soundEnd,
          fromOffset: soundEndOffset,
          toOffset: seg.endOffset,
          reason: `segment ${seg.base} is damaged from byte ${soundEnd} of ${seg.size}: records from offset ${soundEndOffset} to ${seg.endOffset - 1} cannot be read`,
        });
      }
    }
    const active = await recoverActive(fs, dir, bases[bases.length - 1]!, config, clock);
    segments.push(active.seg);
    if (active.rebuilt) rebuiltIndexes++;
    truncatedBytes = active.truncatedBytes;
    logStartOffset = Math.max(checkpoint, segments[0]!.base);
    if (logStartOffset > active.seg.endOffset) {
      // Everything stored is below logStartOffset: start over there so new offsets stay readable.
      for (const s of segments) await s.retire();
      for (const base of bases) await deleteSegmentFiles(fs, dir, base);
      segments = [await createSegment(fs, dir, logStartOffset)];
    }
  }

  // Rule 5.
  const end = segments[segments.length - 1]!.endOffset;
  const resumeAt = resumePoint(highWater, end, config);
  const lost = resumeAt > end ? { from: end, to: resumeAt } : null;
  if (truncatedBytes > 0 || (highWater?.clean === true && end < highWater.offset)) {
    const upTo = highWater === null || highWater.offset <= end ? '' : highWater.clean ? ` to ${highWater.offset - 1}` : ` up to ${highWater.offset - 1} at most`;
    damage.push({
      atMs: clock.now(),
      droppedBytes: truncatedBytes,
      fromOffset: end,
      toOffset: Math.max(end, resumeAt),
      reason:
        (truncatedBytes > 0 ? `cut ${truncatedBytes} bytes of torn or damaged batches off the tail` : 'the tail is missing') +
        (highWater === null ? '' : highWater.clean ? ' after a clean stop' : ' after an unclean stop') +
        (upTo === '' ? `; the log ends at offset ${end}` : `: records from offset ${end}${upTo} are lost`) +
        (lost !== null ? `; new records get offsets from ${resumeAt}` : ''),
    });
  }
  if (lost !== null) {
    segments = await skipTo(fs, dir, segments, resumeAt);
    if (segments.length === 1) logStartOffset = Math.max(logStartOffset, resumeAt);
  }
  return { segments, logStartOffset, truncatedBytes, rebuiltIndexes, lost, highWater, damage };
}

/**
 * Rule 5: where appends continue. Past the high-water mark when records handed out before may
 * be missing: after a clean close whenever the data ends early (the close recorded the exact
 * end), and after an unclean stop when the fsync policy let acknowledged appends go unsynced.
 * Otherwise at the end of the data: a clean restart leaves no gap, and neither does a crash
 * under `always`, where every acknowledged batch was fsynced and a cut tail was an unfinished
 * write (damage to acknowledged batches cannot be told from it then: it is reported, not skipped).
 */
function resumePoint(hw: HighWaterRecord | null, end: number, config: LogConfig): number {
  if (hw === null || hw.offset <= end) return end;
  if (hw.clean) return hw.offset;
  return config.fsync.kind !== 'always' ? hw.offset : end;
}

/** Continues the log at `offset` in a new segment (so the segment names record it durably too). */
async function skipTo(fs: StorageFs, dir: string, segments: Segment[], offset: number): Promise<Segment[]> {
  const last = segments[segments.length - 1]!;
  if (last.size === 0) {
    await last.retire();
    await deleteSegmentFiles(fs, dir, last.base);
    segments.pop();
  } else {
    last.finishTimeIndex();
    await writeIndexFiles(fs, last);
    last.readable = last.size;
    last.sealed = true;
    last.endOffset = offset;
  }
  segments.push(await createSegment(fs, dir, offset));
  return segments;
}

/** Creates an empty active segment durably (file, then directory entry). */
export async function createSegment(fs: StorageFs, dir: string, base: number): Promise<Segment> {
  const seg = new Segment(dir, base);
  seg.file = await fs.open(seg.path('log'), 'create');
  await fs.syncDir(dir);
  return seg;
}

/** Unlinks a segment's files, index files first (a .log without index is rebuilt; the reverse is just litter). */
export async function deleteSegmentFiles(fs: StorageFs, dir: string, base: number): Promise<void> {
  for (const kind of ['snapshot', 'txnindex', 'timeindex', 'index', 'log'] as const) await unlinkIfPresent(fs, join(dir, segmentFileName(base, kind)));
  await fs.syncDir(dir);
}

async function unlinkIfPresent(fs: StorageFs, path: string): Promise<boolean> {
  try {
    await fs.unlink(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Rule 1. Each step is made durable before the next, so a crash in here is recovered the same way. */
async function settleTransientFiles(fs: StorageFs, dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    const p = parseSegmentFileName(name);
    if (p === null || p.kind !== 'log' || p.suffix !== SWAP_SUFFIX) continue;
    // The swap is committed. The old segment's index files describe the old bytes: drop them
    // (and the rewrite's own) first, durably, so no index ever sits next to the wrong .log.
    // The .txnindex stays: compaction keeps offsets and control batches, so it still holds. So
    // does the .snapshot: it is the state as of an offset, whatever became of the batches.
    for (const kind of ['index', 'timeindex'] as const) {
      await unlinkIfPresent(fs, join(dir, segmentFileName(p.base, kind)));
      await unlinkIfPresent(fs, join(dir, segmentFileName(p.base, kind) + CLEANED_SUFFIX));
    }
    await fs.syncDir(dir);
    await fs.rename(join(dir, name), join(dir, segmentFileName(p.base, 'log')));
    await fs.syncDir(dir);
  }
  const names = await fs.readdir(dir);
  const logs = new Set(names.filter((n) => n.endsWith(SegmentFile.log)));
  let changed = false;
  for (const name of names) {
    const p = parseSegmentFileName(name);
    const transient = name.endsWith(TMP_SUFFIX) || (p !== null && p.suffix === CLEANED_SUFFIX);
    const orphanIndex = p !== null && p.suffix === '' && p.kind !== 'log' && !logs.has(segmentFileName(p.base, 'log'));
    if (transient || orphanIndex) changed = (await unlinkIfPresent(fs, join(dir, name))) || changed;
  }
  if (changed) await fs.syncDir(dir);
}

/** Rule 2. */
async function loadSealed(fs: StorageFs, dir: string, base: number, nextBase: number, config: LogConfig): Promise<{ seg: Segment; rebuilt: boolean; soundEnd: number; soundEndOffset: number }> {
  const seg = new Segment(dir, base);
  seg.file = await fs.open(seg.path('log'), 'read');
  const size = await seg.file.size();
  const loaded = await readIndexFiles(fs, seg);
  let rebuilt = false;
  let soundEnd = size;
  if (await indexesFit(seg, loaded, size, nextBase)) {
    seg.index = loaded.index!;
    seg.timeIndex = loaded.timeIndex!;
    seg.maxTimestamp = seg.timeIndex.lastTimestamp();
  } else {
    // A damaged batch inside a sealed segment stops the index there; reads reaching it fail
    // with CORRUPT_MESSAGE rather than skip data silently.
    soundEnd = await rebuildIndexes(seg, size, config.indexIntervalBytes);
    seg.finishTimeIndex();
    await writeIndexFiles(fs, seg);
    rebuilt = true;
  }
  // After a rebuild that stopped early, endOffset is where the sound batches end.
  const soundEndOffset = soundEnd < size ? seg.endOffset : nextBase;
  seg.size = size;
  seg.readable = size;
  seg.endOffset = nextBase;
  seg.sealed = true;
  return { seg, rebuilt, soundEnd, soundEndOffset };
}

interface ActiveRecovery {
  seg: Segment;
  truncatedBytes: number;
  rebuilt: boolean;
}

/** Rule 3. */
async function recoverActive(fs: StorageFs, dir: string, base: number, config: LogConfig, clock: Clock): Promise<ActiveRecovery> {
  const seg = new Segment(dir, base);
  seg.file = await fs.open(seg.path('log'), 'write');
  const size = await seg.file.size();
  let { index, timeIndex } = await readIndexFiles(fs, seg);
  let start = 0;
  let startRel = 0;
  if (index !== null && timeIndex !== null) {
    index.truncateFromPosition(size);
    // Start at or before the batch of the last time entry, so the running maximum timestamp
    // carried on from that entry covers every batch before the scan start.
    [startRel, start] = index.floor(timeIndex.lastRel());
    if (start > 0 && !(await headerMatches(seg, start, base + startRel, size))) start = -1;
  }
  const rebuilt = index === null || timeIndex === null || start < 0;
  if (rebuilt) {
    index = new OffsetIndex();
    timeIndex = new TimeIndex();
    start = 0;
    startRel = 0;
  }
  index!.truncateFromPosition(start + 1);
  seg.index = index!;
  seg.timeIndex = timeIndex!;
  seg.maxTimestamp = timeIndex!.lastTimestamp();
  seg.resumeIndexingAt(start);

  // Offsets in the active segment are exactly contiguous from its base (appends assign them so
  // and compaction never touches this segment). baseOffset is outside the CRC, so this check is
  // what catches a damaged one.
  let expected = base + startRel;
  let badAt = -1;
  const r = await scanBatches(seg.file, start, size, { verify: true }, (h, pos, len) => {
    if (h.baseOffset !== expected || !seg.fitsOffset(h.baseOffset + h.lastOffsetDelta)) {
      badAt = pos;
      return false;
    }
    seg.noteBatch(pos, len, h.baseOffset, h.baseOffset + h.lastOffsetDelta, h.maxTimestamp, config.indexIntervalBytes);
    expected = h.baseOffset + h.lastOffsetDelta + 1;
  });
  const validEnd = badAt >= 0 ? badAt : r.end;

  // A time entry past the surviving batches came from a stale index: rebuild from scratch.
  if (!rebuilt && seg.timeIndex.count > 0 && seg.timeIndex.lastRel() > seg.lastBatchRel) {
    await seg.file.close();
    await unlinkIfPresent(fs, seg.path('timeindex'));
    return recoverActive(fs, dir, base, config, clock);
  }

  if (validEnd < size) {
    await seg.file.truncate(validEnd);
    await seg.file.datasync();
  }
  seg.size = validEnd;
  seg.readable = validEnd;
  seg.markVerified(start, validEnd);
  if (validEnd > 0) seg.firstBatchAtMs = await firstBatchTime(seg, clock);
  return { seg, truncatedBytes: size - validEnd, rebuilt };
}

/**
 * For age-based rolling across restarts: the first batch's max timestamp when it is sane
 * (Kafka does the same), else now.
 */
async function firstBatchTime(seg: Segment, clock: Clock): Promise<number> {
  const now = clock.now();
  const b = await readRange(seg.file!, 0, BATCH_HEADER_BYTES);
  if (b.length < BATCH_HEADER_BYTES) return now;
  const ts = readBatchHeader(b, 0).maxTimestamp;
  return ts >= 0 && ts <= now ? ts : now;
}
