/**
 * The contract between the storage engine and everything above it (queues, topics, journals).
 * A Log stores Kafka RecordBatch v2 bytes; its implementation lives in src/storage/log/.
 */

export type FsyncPolicy =
  | { kind: 'always' } // an append resolves only after its bytes are fsynced (group commit)
  | { kind: 'interval'; intervalMs: number } // fsync every intervalMs; appends resolve after the write
  | { kind: 'never' }; // the OS decides; for tests and throwaway data

export function parseFsyncPolicy(text: string): FsyncPolicy {
  if (text === 'always' || text === 'never') return { kind: text };
  const m = /^interval:(\d+)$/.exec(text);
  if (m) return { kind: 'interval', intervalMs: Number(m[1]) };
  throw new Error(`fsync policy must be always, never or interval:<ms>, not ${JSON.stringify(text)}`);
}

export function formatFsyncPolicy(p: FsyncPolicy): string {
  return p.kind === 'interval' ? `interval:${p.intervalMs}` : p.kind;
}

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

export interface LogConfig {
  /** Roll to a new segment when the active one would pass this size. */
  segmentMaxBytes: number;
  /** Roll to a new segment when the active one's first record is older than this (-1: never). */
  segmentMaxAgeMs: number;
  /** Delete whole segments whose newest record is older than this (-1: keep forever). */
  retentionMs: number;
  /** Delete the oldest whole segments while the log is larger than this (-1: no limit). */
  retentionBytes: number;
  cleanupPolicy: CleanupPolicy;
  /**
   * Compacted logs: how long a tombstone (null value) stays after its record timestamp, so
   * consumers that read from the start still see the delete (Kafka's delete.retention.ms).
   * Optional; 24 h when absent.
   */
  deleteRetentionMs?: number;
  /** Add a sparse offset/time index entry after at least this many bytes of batches. */
  indexIntervalBytes: number;
  /** Largest batch accepted by append. */
  maxBatchBytes: number;
  fsync: FsyncPolicy;
}

export const defaultLogConfig: LogConfig = {
  segmentMaxBytes: 128 * 1024 * 1024,
  segmentMaxAgeMs: 7 * 24 * 3600 * 1000,
  retentionMs: -1,
  retentionBytes: -1,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 24 * 3600 * 1000,
  indexIntervalBytes: 4096,
  maxBatchBytes: 16 * 1024 * 1024 + 4096,
  fsync: { kind: 'always' },
};

export interface AppendOptions {
  /**
   * The caller has just verified the batch's CRC (checkBatch) or computed it (encodeBatch), so
   * the log skips a second pass over every byte: CRC-32C is the largest CPU cost of an append.
   */
  readonly crcChecked: boolean;
}

/** Shared so an append allocates no options object. */
export const CRC_CHECKED: AppendOptions = Object.freeze({ crcChecked: true });

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
}

/**
 * An append the log has taken: its offsets, known at once, and its outcome per the fsync policy.
 * Returned by Log.accept.
 */
export interface AcceptedAppend {
  readonly baseOffset: number;
  readonly lastOffset: number;
  /** Resolves as append's promise would (under `always`, once fsynced); rejects STORAGE_FAILED. */
  readonly done: Promise<AppendResult>;
}

export interface ReadResult {
  /** Whole batches, concatenated, starting with the batch that contains the requested offset. */
  bytes: Buffer;
  /** The log's end offset (next offset to be assigned) at the time of the read. */
  nextOffset: number;
  logStartOffset: number;
}

/** An aborted transaction on one log (Kafka's aborted-transaction index entry). */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** The offset of its abort marker. */
  lastOffset: number;
  /** The last stable offset once it ended. */
  lastStableOffset: number;
}

/**
 * What read_committed readers need of a log that holds Kafka transactional batches: kept by the
 * log from the batches themselves as they are appended (transactional data batches open a
 * producer's transaction, control batches end it), persisted per segment and recovered on open,
 * so it is a function of the log's contents whatever its length. src/storage/log/txn-tracker.ts.
 */
export interface LogTransactions {
  /**
   * Kafka's last stable offset: the first offset of the earliest transaction still open (not
   * below logStartOffset), else nextOffset.
   */
  lastStableOffset(): number;
  /** The first offset of the producer's open transaction on this log, or -1 when it has none. */
  openTransactionStart(producerId: number): number;
  /** Aborted transactions with a record in [from, to] (inclusive), in the order they ended. */
  abortedIn(from: number, to: number): AbortedTxn[];
}

/**
 * LogProducers.check's answers other than a duplicate's offset (which is >= 0). Numbers, not
 * objects, so checking a batch allocates nothing.
 */
export const ProducerCheck = {
  /** Append it: it continues the producer's sequence (or starts one). */
  OK: -1,
  /** An older epoch than the log has seen from this producer (Kafka INVALID_PRODUCER_EPOCH). */
  FENCED: -2,
  /** A gap, or a new epoch not starting at 0 (Kafka OUT_OF_ORDER_SEQUENCE_NUMBER). */
  OUT_OF_ORDER: -3,
} as const;

/**
 * What idempotent producers need of a log (Kafka's producer state): kept by the log from the
 * producer fields of the batches it stores, snapshotted per segment and recovered on open, so a
 * retry is recognised however much was appended since. src/storage/log/producer-state.ts.
 */
export interface LogProducers {
  /**
   * Judges a batch of an idempotent producer before it is appended: a ProducerCheck, or, when it
   * repeats one of the producer's last five batches, that batch's base offset (>= 0). A pure
   * query: append() takes the batch in as it assigns its offset, so check and append must run
   * in one synchronous step for pipelined batches to be judged in order.
   */
  check(producerId: number, epoch: number, baseSequence: number, recordCount: number): number;
}

/**
 * Damage a log found in itself: at recovery (a torn or damaged tail cut off, records missing
 * below the end recorded at the last clean stop, a damaged sealed segment) or when a read met a
 * batch that fails its check. Kept for the life of the process, for the error log, /health
 * (degraded) and the operator API.
 */
export interface LogDamage {
  /** When it was found (the log's clock, ms). */
  atMs: number;
  /** Bytes of stored batches cut off or found unreadable. */
  droppedBytes: number;
  /** Records in [fromOffset, toOffset) are lost or unreadable (toOffset may be an upper bound). */
  fromOffset: number;
  toOffset: number;
  /** What was found and done, in words. */
  reason: string;
}

/** Clock seam so tests can drive time. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/**
 * An append-only, segmented log of RecordBatch v2 batches. Offsets are JS numbers (safe to 2^53).
 * Implemented by src/storage/log/log.ts over a StorageFs (disk or simulated).
 */
export interface Log {
  /** The offset the next appended record gets (Kafka's log end offset). */
  readonly nextOffset: number;
  /**
   * The end of what reads return: records below it are acknowledged (per the fsync policy);
   * those from it up to nextOffset are appended but not yet acknowledged, and invisible.
   */
  readonly ackedOffset: number;
  /** The earliest offset still readable. */
  readonly logStartOffset: number;
  /** Total bytes of all segments. */
  readonly sizeBytes: number;
  /** Set once a write or fsync failed; every later append rejects with STORAGE_FAILED. */
  readonly failure: Error | null;
  readonly config: LogConfig;
  /** The transaction index; null for logs opened without it (everything but topic partitions). */
  readonly transactions: LogTransactions | null;
  /** Idempotent producer state; null for logs opened without it (everything but topic partitions). */
  readonly producers: LogProducers | null;
  /**
   * Offsets [from, to) that recovery skipped because records handed out before may be missing
   * (a cut or lost tail, or a crash under a fsync policy other than always): nothing is stored
   * there, and the log went on at `to` rather than hand those offsets out again. Null when none.
   */
  readonly lost: { readonly from: number; readonly to: number } | null;
  /** Damage found so far (empty when none). */
  readonly damage: readonly LogDamage[];

  /**
   * Appends one RecordBatch v2 (as received from a Kafka producer, or encoded by the codec).
   * The log assigns offsets by rewriting the batch's baseOffset field (outside the CRC), so the
   * caller's buffer is modified. Resolves per the fsync policy: under `always` only once the
   * bytes are fsynced (appends that arrive during an fsync share the next one).
   * Rejects with HopperError CORRUPT_MESSAGE for a malformed batch, MESSAGE_TOO_LARGE over
   * maxBatchBytes, STORAGE_FAILED after an I/O error. The batch's structure is always checked;
   * its CRC too unless `options` is CRC_CHECKED. The log refers to `batch` only until the
   * promise settles (never while a write of it may still be reading it), so the caller may then
   * reuse its memory.
   */
  append(batch: Buffer, options?: AppendOptions): Promise<AppendResult>;

  /**
   * append, with the offsets it assigned returned at once: for a caller that acts on its records
   * before they are acknowledged (a queue delivers a message while its append is being fsynced,
   * docs/queues.md). Such a caller must not let anything durable refer to these offsets before
   * `done` resolves: until then a crash may lose the records, and recovery may hand the offsets
   * out again (docs/storage.md, "Offsets are never reused"). Throws, synchronously, what append
   * would reject with at once (CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, CLOSED, STORAGE_FAILED once
   * the log has failed): an append that returns has its offsets, and only an I/O failure can
   * reject its `done`. Reads do not return the records before `done` resolves.
   */
  accept(batch: Buffer, options?: AppendOptions): AcceptedAppend;

  /**
   * Reads whole batches starting with the one containing `offset`, up to maxBytes, and at least
   * one whole batch if any exists at or after offset unless minOneBatch is false (then nothing
   * when that batch is larger than maxBytes: Kafka's Fetch lets only its first partition with
   * data exceed the limits). Never returns a batch whose CRC fails. Rejects with
   * OFFSET_OUT_OF_RANGE if offset < logStartOffset or > nextOffset.
   */
  read(offset: number, maxBytes: number, minOneBatch?: boolean): Promise<ReadResult>;

  /** The first offset whose record timestamp is >= timestampMs, or null if none. */
  offsetForTimestamp(timestampMs: number): Promise<number | null>;

  /** Advances logStartOffset to `offset` (Kafka DeleteRecords); deletes whole segments below it. */
  deleteRecordsBefore(offset: number): Promise<void>;

  /** Applies time and size retention, and compaction for compact logs. */
  enforceRetention(): Promise<void>;

  /** Changes retention/segment/fsync settings at run time. */
  reconfigure(config: Partial<LogConfig>): void;

  /** Resolves when everything appended so far is fsynced. */
  flush(): Promise<void>;
  /** Flushes and closes the files; the log is unusable afterwards. */
  close(): Promise<void>;
}
