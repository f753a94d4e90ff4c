/**
 * Key compaction for logs with cleanupPolicy compact (Kafka's log cleaner, simplified).
 *
 * 1. Map every key to its latest offset, over all acknowledged batches (sealed and active).
 * 2. Rewrite each sealed segment that holds a superseded record or an expired tombstone,
 *    keeping: records without a key, control batches, batches we cannot decode (unknown
 *    compression), and each key's latest record unless it is a tombstone (null value) whose
 *    timestamp is older than deleteRetentionMs. Offsets never change: a batch kept whole is
 *    copied byte for byte; a partly kept one is re-encoded as one batch per run of consecutive
 *    kept offsets, with the producer fields carried over.
 * 3. Swap the rewrite in (see swapIn): the .swap rename is the commit point recovery honours.
 *
 * The active segment is never rewritten. Each rewrite replaces exactly one segment under the
 * same name; small segments are not merged (yet). Tombstone expiry uses the record timestamp,
 * which the producer sets: a consumer must read a tombstone within deleteRetentionMs of it.
 */
import {
  type BatchHeader,
  type DecodedRecord,
  decodeRecords,
  encodeBatch,
  isControl,
  isTransactional,
  readBatchHeader,
} from '../codec/record-batch.js';
import type { StorageFile } from '../fs/types.js';
import { DEFAULT_DELETE_RETENTION_MS } from './config.js';
import { writeIndexFiles } from './index-files.js';
import { CLEANED_SUFFIX, SWAP_SUFFIX } from './layout.js';
import { type MaintainedLog, sealedCount } from './maintained.js';
import { scanBatches } from './scan.js';
import { Segment } from './segment.js';

/** Rewritten bytes are written in pieces of about this size. */
const WRITE_CHUNK_BYTES = 1024 * 1024;

export interface CompactionResult {
  segmentsRewritten: number;
  recordsRemoved: number;
  /** Tombstones still inside sealed segments (kept until their horizon). */
  tombstonesKept: number;
}

type Verdict = 'keep' | 'drop' | 'partial';

export async function compactLog(log: MaintainedLog): Promise<CompactionResult> {
  const result: CompactionResult = { segmentsRewritten: 0, recordsRemoved: 0, tombstonesKept: 0 };
  const sealed = log.segments.slice(0, sealedCount(log.segments));
  if (sealed.length === 0) return result;
  const latest = await latestOffsets(log);
  const horizon = log.clock.now() - (log.config.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS);
  const keepRecord = (r: DecodedRecord): boolean => {
    if (r.key === null) return true;
    if (latest.get(r.key.toString('latin1')) !== r.offset) return false;
    return r.value !== null || r.timestamp > horizon;
  };
  for (const seg of sealed) {
    const plan = await planSegment(seg, keepRecord);
    result.tombstonesKept += plan.tombstonesKept;
    if (plan.removed === 0 || plan.damaged) continue;
    const cleaned = await rewriteSegment(log, seg, keepRecord);
    await swapIn(log, seg, cleaned);
    result.segmentsRewritten++;
    result.recordsRemoved += plan.removed;
  }
  return result;
}

/** Key (bytes as latin1, one char per byte) to the offset of its latest record. */
async function latestOffsets(log: MaintainedLog): Promise<Map<string, number>> {
  const latest = new Map<string, number>();
  for (const seg of log.segments.slice()) {
    if (seg.file === null || seg.readable === 0) continue;
    seg.readers++;
    try {
      await scanBatches(seg.file, 0, seg.readable, { verify: true }, (h, _pos, _size, bytes, at) => {
        for (const r of decodeOrNull(h, bytes, at) ?? []) if (r.key !== null) latest.set(r.key.toString('latin1'), r.offset);
      });
    } finally {
      await seg.leave();
    }
  }
  return latest;
}

/** Records of a user batch, or null for batches compaction must keep whole (control, undecodable). */
function decodeOrNull(h: BatchHeader, bytes: Buffer, at: number): DecodedRecord[] | null {
  if (isControl(h.attributes)) return null;
  try {
    return decodeRecords(bytes, at);
  } catch {
    return null;
  }
}

function verdict(records: DecodedRecord[] | null, keep: (r: DecodedRecord) => boolean): { v: Verdict; kept: DecodedRecord[] | null } {
  if (records === null) return { v: 'keep', kept: null };
  const kept = records.filter(keep);
  return { v: kept.length === records.length ? 'keep' : kept.length === 0 ? 'drop' : 'partial', kept };
}

interface Plan {
  removed: number;
  tombstonesKept: number;
  /** A batch failed its CRC: leave the segment alone rather than lose what follows it. */
  damaged: boolean;
}

async function planSegment(seg: Segment, keep: (r: DecodedRecord) => boolean): Promise<Plan> {
  const plan: Plan = { removed: 0, tombstonesKept: 0, damaged: false };
  seg.readers++;
  try {
    const r = await scanBatches(seg.file!, 0, seg.readable, { verify: true }, (h, _pos, _size, bytes, at) => {
      const records = decodeOrNull(h, bytes, at);
      if (records === null) return;
      for (const rec of records) {
        if (!keep(rec)) plan.removed++;
        else if (rec.key !== null && rec.value === null) plan.tombstonesKept++;
      }
    });
    plan.damaged = r.error !== null;
  } finally {
    await seg.leave();
  }
  return plan;
}

/** Writes `<base>.log.cleaned` and its index files; returns the new (not yet live) segment. */
async function rewriteSegment(log: MaintainedLog, seg: Segment, keep: (r: DecodedRecord) => boolean): Promise<Segment> {
  const cleaned = new Segment(log.dir, seg.base);
  const out = await log.fs.open(seg.path('log') + CLEANED_SUFFIX, 'create');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let written = 0;
  const drain = async (): Promise<void> => {
    if (pending.length === 0) return;
    await out.writev(pending, written);
    written += pendingBytes;
    pending = [];
    pendingBytes = 0;
  };
  const emit = (b: Buffer, h: { baseOffset: number; lastOffsetDelta: number; maxTimestamp: number }): void => {
    cleaned.noteBatch(written + pendingBytes, b.length, h.baseOffset, h.baseOffset + h.lastOffsetDelta, h.maxTimestamp, log.config.indexIntervalBytes);
    pending.push(b);
    pendingBytes += b.length;
  };
  try {
    await out.truncate(0);
    seg.readers++;
    try {
      await scanBatches(seg.file!, 0, seg.readable, { verify: true }, async (h, _pos, size, bytes, at) => {
        const { v, kept } = verdict(decodeOrNull(h, bytes, at), keep);
        if (v === 'keep') emit(bytes.subarray(at, at + size), h);
        else if (v === 'partial') for (const b of reencode(h, kept!)) emit(b, readBatchHeader(b, 0));
        if (pendingBytes >= WRITE_CHUNK_BYTES) await drain();
      });
    } finally {
      await seg.leave();
    }
    await drain();
    await out.datasync();
  } finally {
    await out.close();
  }
  cleaned.size = written;
  cleaned.readable = written;
  cleaned.endOffset = seg.endOffset;
  cleaned.sealed = true;
  cleaned.markVerified(0, written);
  cleaned.finishTimeIndex();
  await writeIndexFiles(log.fs, cleaned, CLEANED_SUFFIX);
  return cleaned;
}

/** One batch per run of consecutive kept offsets, so every record keeps its offset. */
function reencode(h: BatchHeader, kept: DecodedRecord[]): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < kept.length) {
    let j = i + 1;
    while (j < kept.length && kept[j]!.offset === kept[j - 1]!.offset + 1) j++;
    const run = kept.slice(i, j);
    const first = run[0]!.offset;
    out.push(
      encodeBatch(
        run.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
        {
          baseOffset: first,
          producerId: h.producerId,
          producerEpoch: h.producerEpoch,
          baseSequence: h.baseSequence < 0 ? -1 : (h.baseSequence + (first - h.baseOffset)) % 0x8000_0000,
          transactional: isTransactional(h.attributes),
          partitionLeaderEpoch: h.partitionLeaderEpoch,
        },
      ),
    );
    i = j;
  }
  return out;
}

/**
 * Makes the rewrite live. Order, each step durable before the next:
 *   <base>.log.cleaned -> <base>.log.swap           commit point
 *   unlink <base>.index, <base>.timeindex           old indexes never sit next to new bytes
 *   <base>.{index,timeindex}.cleaned -> live names
 *   <base>.log.swap -> <base>.log                   (atomic replace)
 * A crash before the commit leaves the old segment (the .cleaned files are deleted on open);
 * after it, recovery finishes the swap and rebuilds any index file that is missing.
 */
async function swapIn(log: MaintainedLog, old: Segment, cleaned: Segment): Promise<void> {
  const { fs, dir } = log;
  const live = old.path('log');
  await fs.syncDir(dir);
  await fs.rename(live + CLEANED_SUFFIX, live + SWAP_SUFFIX);
  await fs.syncDir(dir);
  await fs.unlink(old.path('index')).catch(ignoreMissing);
  await fs.unlink(old.path('timeindex')).catch(ignoreMissing);
  await fs.syncDir(dir);
  await fs.rename(old.path('index') + CLEANED_SUFFIX, old.path('index'));
  await fs.rename(old.path('timeindex') + CLEANED_SUFFIX, old.path('timeindex'));
  await fs.syncDir(dir);
  await fs.rename(live + SWAP_SUFFIX, live);
  await fs.syncDir(dir);
  const file: StorageFile = await fs.open(live, 'read');
  cleaned.file = file;
  log.replaceSegment(old, cleaned);
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
