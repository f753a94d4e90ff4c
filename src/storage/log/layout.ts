/**
 * The on-disk layout of a log folder, defined once (docs/storage.md describes it for people).
 *
 *   00000000000000000000.log        RecordBatch v2 batches, back to back, offsets increasing
 *   00000000000000000000.index      sparse offset index: entries of OffsetIndexEntry
 *   00000000000000000000.timeindex  sparse time index: entries of TimeIndexEntry
 *   00000000000000000000.txnindex   transaction index (topic partitions only): TxnIndexHeader
 *   00000000000000000000.snapshot   idempotent producers (topic partitions only): ProducerSnapshotHeader
 *   log-start-offset.checkpoint     logStartOffset after DeleteRecords (text, see below)
 *   high-water.checkpoint           a bound on every offset ever handed out (text, see below)
 *
 * A segment's name is its base offset in 20 decimal digits: every offset in it is >= the base
 * and < the next segment's base. Compaction and writeFileAtomic leave transient names:
 *   <segment file>.cleaned   a rewrite in progress; recovery deletes it (never committed)
 *   <base>.log.swap          a committed rewrite; recovery finishes the swap (see recovery.ts)
 *   <file>.tmp               an unfinished writeFileAtomic; recovery deletes it
 * All multi-byte integers are big-endian.
 */

export const OFFSET_DIGITS = 20;

export const SegmentFile = { log: '.log', index: '.index', timeindex: '.timeindex', txnindex: '.txnindex', snapshot: '.snapshot' } as const;
export type SegmentFileKind = keyof typeof SegmentFile;

export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const TMP_SUFFIX = '.tmp';

export const LOG_START_CHECKPOINT_FILE = 'log-start-offset.checkpoint';
export const HIGH_WATER_FILE = 'high-water.checkpoint';

/** Offset index entry: which byte of the .log the batch with this relative base offset starts at. */
export const OffsetIndexEntry = {
  /** u32: batch baseOffset minus the segment's base offset. */
  relativeOffset: 0,
  /** u32: the batch's first byte in the .log file. */
  position: 4,
  bytes: 8,
} as const;

/**
 * Time index entry (timestamp T, relative offset R): every batch up to and including the one
 * whose base is R has maxTimestamp <= T. Entries rise strictly in T and never fall in R, so a
 * search for the first record at or after time t may start at the batch of the last entry
 * with T < t.
 */
export const TimeIndexEntry = {
  /** i64: ms since epoch. */
  timestamp: 0,
  /** u32: a batch's base offset minus the segment's base offset. */
  relativeOffset: 8,
  bytes: 12,
} as const;

/**
 * The envelope of a segment's state files (.txnindex, .snapshot): derived state that is costly
 * to rebuild from the .log, as of one offset, written whole and atomically (state-file.ts).
 *
 *   version u16 | offset i64 | the kind's own header fields and entries | crc u32
 *
 * The CRC-32C covers everything before it: unlike the offset index, nothing in the .log can
 * cheaply confirm these entries, so any doubt means a replay of the .log.
 */
export const StateFileHeader = {
  /** u16: the kind's version (TXN_INDEX_VERSION, PRODUCER_SNAPSHOT_VERSION). */
  version: 0,
  /** i64: the offset the state is as of (every batch below it applied, none from it on). */
  offset: 2,
  bytes: 10,
} as const;
export const STATE_FILE_CRC_BYTES = 4;

/**
 * Transaction index file (logs opened with `transactions`, i.e. topic partitions): what
 * read_committed needs of the segment, as of StateFileHeader.offset (its endOffset). Written
 * when the segment is sealed (endOffset = the next segment's base) and, for the active segment,
 * when the log closes (endOffset = the log end then); recovery replays batches from endOffset on.
 *
 *   StateFileHeader | openCount u32 | abortedCount u32 | openCount x TxnOpenEntry
 *   | abortedCount x TxnAbortedEntry | crc u32
 */
export const TxnIndexHeader = {
  /** u32: transactions still open at endOffset. */
  openCount: StateFileHeader.bytes,
  /** u32: aborted transactions whose abort marker lies in this segment, below endOffset. */
  abortedCount: StateFileHeader.bytes + 4,
  bytes: StateFileHeader.bytes + 8,
} as const;
export const TXN_INDEX_VERSION = 1;

/** A transaction open at endOffset: its producer and the offset of its first batch here. */
export const TxnOpenEntry = {
  /** i64 */
  producerId: 0,
  /** i64 */
  firstOffset: 8,
  bytes: 16,
} as const;

/**
 * An aborted transaction (Kafka's .txnindex entry): its producer, first offset, the offset of
 * its abort marker (lastOffset) and the last stable offset once it ended. Entries are in marker
 * order. lastStableOffset lets a search stop: a transaction with a record below it had ended
 * before this marker, so its entry comes earlier.
 */
export const TxnAbortedEntry = {
  /** i64 */
  producerId: 0,
  /** i64 */
  firstOffset: 8,
  /** i64 */
  lastOffset: 16,
  /** i64 */
  lastStableOffset: 24,
  bytes: 32,
} as const;

/**
 * Producer snapshot (logs opened with `producers`, i.e. topic partitions; Kafka's
 * <offset>.snapshot): the idempotent producers the log knows, as of StateFileHeader.offset.
 * A segment's file holds the state as of an offset inside it: its base offset when written at
 * the roll that started the segment, the log end when rewritten at close (active segment).
 * Producers are listed least recently appended first, their batches oldest first.
 *
 *   StateFileHeader | producerCount u32 | producerCount x (ProducerSnapshotEntry, batchCount x
 *   ProducerSnapshotBatch) | crc u32
 */
export const ProducerSnapshotHeader = {
  /** u32 */
  producerCount: StateFileHeader.bytes,
  bytes: StateFileHeader.bytes + 4,
} as const;
export const PRODUCER_SNAPSHOT_VERSION = 1;
/** Batches remembered per producer: Kafka's limit on in-flight requests of an idempotent producer. */
export const PRODUCER_BATCHES_KEPT = 5;

export const ProducerSnapshotEntry = {
  /** i64 */
  producerId: 0,
  /** i16: its latest epoch. */
  epoch: 8,
  /** i64: the max timestamp of its latest batch (or marker), for expiry. */
  lastTimestamp: 10,
  /** u8: batches that follow, at most PRODUCER_BATCHES_KEPT (0 after a marker bumped the epoch). */
  batchCount: 18,
  bytes: 19,
} as const;

/** One of a producer's latest batches, for duplicate detection (Kafka's BatchMetadata). */
export const ProducerSnapshotBatch = {
  /** i32 */
  firstSequence: 0,
  /** i32 */
  lastSequence: 4,
  /** i64: the offset of its last record. */
  lastOffset: 8,
  bytes: 16,
} as const;

/** Relative offsets and positions are u32; a segment rolls before either would overflow. */
export const MAX_RELATIVE_OFFSET = 0xffff_ffff;
/** Largest segmentMaxBytes (Kafka's int limit); with maxBatchBytes below 2^31 every position fits a u32. */
export const MAX_SEGMENT_BYTES = 0x7fff_ffff;

export function baseOffsetName(base: number): string {
  return String(base).padStart(OFFSET_DIGITS, '0');
}

export function segmentFileName(base: number, kind: SegmentFileKind): string {
  return baseOffsetName(base) + SegmentFile[kind];
}

export interface ParsedName {
  base: number;
  kind: SegmentFileKind;
  /** '' for a live file, else the transient suffix. */
  suffix: '' | typeof CLEANED_SUFFIX | typeof SWAP_SUFFIX | typeof TMP_SUFFIX;
}

const NAME = /^(\d{20})\.(log|index|timeindex|txnindex|snapshot)(\.cleaned|\.swap|\.tmp|\.cleaned\.tmp)?$/;

/** Parses a segment file name; null for anything else (other files are left alone). */
export function parseSegmentFileName(name: string): ParsedName | null {
  const m = NAME.exec(name);
  if (m === null) return null;
  const base = Number(m[1]);
  if (!Number.isSafeInteger(base)) return null;
  const suffix = m[3] === undefined ? '' : m[3].endsWith(TMP_SUFFIX) ? TMP_SUFFIX : (m[3] as ParsedName['suffix']);
  return { base, kind: m[2] as SegmentFileKind, suffix };
}

// logStartOffset checkpoint: one line "<version> <offset>\n"; anything else reads as absent.
const CHECKPOINT_VERSION = 1;

export function encodeLogStartCheckpoint(offset: number): Buffer {
  return Buffer.from(`${CHECKPOINT_VERSION} ${offset}\n`, 'latin1');
}

export function decodeLogStartCheckpoint(bytes: Buffer): number | null {
  const m = /^(\d+) (\d+)\n$/.exec(bytes.toString('latin1'));
  if (m === null || Number(m[1]) !== CHECKPOINT_VERSION) return null;
  const offset = Number(m[2]);
  return Number.isSafeInteger(offset) ? offset : null;
}

/**
 * The high-water mark of offsets (high-water.ts): one line "<version> <state> <offset>\n".
 * `clean E`: written at a clean close, the log then ended at E (nothing at or above E was ever
 * handed out). `reserved R`: every offset handed out is below R (written ahead of appends).
 * Anything else reads as absent.
 */
export interface HighWaterRecord {
  clean: boolean;
  offset: number;
}

const HIGH_WATER_VERSION = 1;

export function encodeHighWater(h: HighWaterRecord): Buffer {
  return Buffer.from(`${HIGH_WATER_VERSION} ${h.clean ? 'clean' : 'reserved'} ${h.offset}\n`, 'latin1');
}

export function decodeHighWater(bytes: Buffer): HighWaterRecord | null {
  const m = /^(\d+) (clean|reserved) (\d+)\n$/.exec(bytes.toString('latin1'));
  if (m === null || Number(m[1]) !== HIGH_WATER_VERSION) return null;
  const offset = Number(m[3]);
  return Number.isSafeInteger(offset) ? { clean: m[2] === 'clean', offset } : null;
}
