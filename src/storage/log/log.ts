/**
 * SegmentLog: the Log of src/storage/types.ts over a folder of segments (layout.ts) and a
 * StorageFs. This file holds the state and the rules that tie the pieces together:
 *
 * - append validates the batch (checkBatch: magic, length, CRC; one whole batch; offsets
 *   deltas 0..n-1), assigns offsets by rewriting baseOffset, reserves its bytes in the active
 *   segment (rolling first when size or age say so) and hands it to the Committer (group
 *   commit, fsync policy, failure). Offsets and positions are assigned synchronously, in call
 *   order, so concurrent appends get distinct contiguous offsets without a lock.
 * - reads see only acknowledged bytes (reader.ts).
 * - retention, DeleteRecords and compaction run one at a time under the maintenance lock and
 *   touch sealed segments only.
 * - logs opened with `transactions` (topic partitions) keep a transaction index
 *   (txn-tracker.ts): append applies each batch to it, a roll notes the transactions open at the
 *   sealed segment's end, and its .txnindex is written with the other index files (at seal and,
 *   for the active segment, at close); recovery in txn-recovery.ts.
 * - logs opened with `producers` (topic partitions) keep the idempotent producers' state
 *   (producer-state.ts): append applies each batch to it, a roll snapshots it into the new
 *   segment's .snapshot (as of its base), close into the active segment's (as of the log end);
 *   recovery in producer-recovery.ts, run with the transaction index's in one pass over the
 *   segments (segment-replay.ts). Retention expires producers that have long been silent.
 * - offsets are never handed out twice, even after records were lost: an append is acknowledged
 *   only once the high-water mark (high-water.ts) covers its offsets, and recovery continues
 *   above the mark when it cannot show that nothing was lost (recovery.ts, rule 5).
 */
import { HopperError } from '../../core/errors.js';
import { type BatchHeader, checkBatch, checkBatchStructure, LOG_OVERHEAD, setBaseOffset } from '../codec/record-batch.js';
import type { StorageFs } from '../fs/types.js';
import { type AcceptedAppend, type AppendOptions, type AppendResult, type Clock, defaultLogConfig, formatFsyncPolicy, type Log, type LogConfig, type LogDamage, type LogProducers, type LogTransactions, type ReadResult, systemClock } from '../types.js';
import { writeLogStartCheckpoint } from './checkpoint.js';
import { Committer, type CommitterHost } from './committer.js';
import { type CompactionResult, compactLog } from './compaction.js';
import { compacts, deletes, validateConfig } from './config.js';
import { HighWaterMark } from './high-water.js';
import { writeIndexFiles } from './index-files.js';
import type { MaintainedLog } from './maintained.js';
import { findOffsetForTimestamp, readAt, type ReadableLog } from './reader.js';
import { ProducerRecovery } from './producer-recovery.js';
import { encodeProducerSnapshot, writeProducerSnapshot } from './producer-snapshot-file.js';
import type { ProducerStates } from './producer-state.js';
import { deleteSegmentFiles, recoverLog, type RecoveredLog } from './recovery.js';
import { applyRetention } from './retention.js';
import { replaySegments, type SegmentReplayer } from './segment-replay.js';
import { Segment } from './segment.js';
import { writeTxnIndex } from './txn-index-file.js';
import { TxnRecovery } from './txn-recovery.js';
import { noteTxnBatch, type OpenTxns, snapshotOpen, TxnTracker } from './txn-tracker.js';

export interface OpenLogOptions {
  fs: StorageFs;
  dir: string;
  /** Settings; anything missing comes from defaultLogConfig. */
  config?: Partial<LogConfig>;
  clock?: Clock;
  /** Keep a transaction index (Kafka's read_committed needs it): topic partitions only. */
  transactions?: boolean;
  /** Keep idempotent producer state (Kafka's producer ids and sequences): topic partitions only. */
  producers?: boolean;
  /**
   * Keep the high-water mark of offsets (high-water.ts), so offsets are never handed out twice
   * after records are lost. Default true; logs whose offsets nothing outside refers to (a
   * queue's state journal, internal stores keyed by record key) turn it off and save a write.
   */
  highWater?: boolean;
}

/** What recovery found at open, for the startup log line. */
export interface RecoveryReport {
  segments: number;
  truncatedBytes: number;
  /** Offsets skipped because records handed out before may be missing (Log.lost). */
  lost: { from: number; to: number } | null;
  rebuiltIndexes: number;
  /** Segments whose .txnindex had to be replayed from the .log. */
  rebuiltTxnIndexes: number;
  /** Segments whose .snapshot was missing or unsound and was written back from a replay. */
  rebuiltSnapshots: number;
  fsync: string;
}

/** What the state replayers recovered, for the log's constructor. */
export interface RecoveredState {
  txns: { open: OpenTxns; rebuilt: number } | null;
  producers: { states: ProducerStates; rebuilt: number } | null;
  /** Keep the high-water mark (OpenLogOptions.highWater). */
  highWater?: boolean;
}

export async function openLog(opts: OpenLogOptions): Promise<SegmentLog> {
  const config = validateConfig({ ...defaultLogConfig, ...opts.config });
  const clock = opts.clock ?? systemClock;
  const recovered = await recoverLog(opts.fs, opts.dir, config, clock);
  const txns = opts.transactions ? new TxnRecovery(opts.fs) : null;
  const producers = opts.producers ? new ProducerRecovery(opts.fs, recovered.segments) : null;
  const replayers: SegmentReplayer[] = [];
  if (txns !== null) replayers.push(txns);
  if (producers !== null) replayers.push(producers);
  await replaySegments(recovered.segments, replayers);
  return new SegmentLog(opts.fs, opts.dir, config, clock, recovered, {
    txns: txns && { open: txns.open, rebuilt: txns.rebuilt },
    producers: producers && { states: producers.producers, rebuilt: producers.rebuilt },
    highWater: opts.highWater ?? true,
  });
}

const UNREADABLE = 'reads fail their check';

function firstOf<T>(pair: [T, unknown]): T {
  return pair[0];
}

function closedError(dir: string): HopperError {
  return new HopperError('CLOSED', `log ${dir} is closed`);
}

export class SegmentLog implements Log, MaintainedLog, ReadableLog, CommitterHost {
  readonly recovery: RecoveryReport;
  private readonly txns: TxnTracker | null;
  private readonly producerStates: ProducerStates | null;
  private cfg: LogConfig;
  private readonly segs: Segment[];
  private readonly committer: Committer;
  private next: number;
  private start: number;
  private bytes: number;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<void> | null = null;
  private maintenance: Promise<unknown> = Promise.resolve();
  /** Compaction is skipped while nothing was appended and no tombstone waits for its horizon. */
  private compactedAt = -1;
  private tombstonesKept = 0;
  private readonly highWater: HighWaterMark | null;
  private readonly cleanAt: number;
  private readonly found: LogDamage[];

  constructor(
    readonly fs: StorageFs,
    readonly dir: string,
    config: LogConfig,
    readonly clock: Clock,
    recovered: RecoveredLog,
    state: RecoveredState = { txns: null, producers: null },
  ) {
    this.cfg = config;
    this.segs = recovered.segments;
    this.start = recovered.logStartOffset;
    const active = this.active;
    this.next = active.endOffset;
    this.bytes = this.segs.reduce((n, s) => n + s.size, 0);
    this.committer = new Committer(this, active, config.fsync, this.next);
    const hw = recovered.highWater;
    // What the file covers: a reservation or clean end above the data still holds; without a
    // file nothing is covered yet, so the first append writes one.
    this.highWater = state.highWater === false ? null : new HighWaterMark(fs, dir, Math.max(this.next, hw?.offset ?? 0), (err) => {
      this.committer.fail(err, 'high-water mark write');
      return this.committer.failure!;
    });
    this.cleanAt = hw !== null && hw.clean && hw.offset === this.next ? this.next : -1;
    this.found = recovered.damage;
    this.txns = state.txns === null ? null : new TxnTracker(this, state.txns.open);
    this.producerStates = state.producers?.states ?? null;
    this.recovery = {
      segments: this.segs.length,
      truncatedBytes: recovered.truncatedBytes,
      lost: recovered.lost,
      rebuiltIndexes: recovered.rebuiltIndexes,
      rebuiltTxnIndexes: state.txns?.rebuilt ?? 0,
      rebuiltSnapshots: state.producers?.rebuilt ?? 0,
      fsync: formatFsyncPolicy(config.fsync),
    };
  }

  get nextOffset(): number {
    return this.next;
  }
  get logStartOffset(): number {
    return this.start;
  }
  get sizeBytes(): number {
    return this.bytes;
  }
  get failure(): Error | null {
    return this.committer.failure;
  }
  get config(): LogConfig {
    return this.cfg;
  }
  get transactions(): LogTransactions | null {
    return this.txns;
  }
  get producers(): LogProducers | null {
    return this.producerStates;
  }
  get lost(): { from: number; to: number } | null {
    return this.recovery.lost;
  }
  get damage(): readonly LogDamage[] {
    return this.found;
  }
  get segments(): readonly Segment[] {
    return this.segs;
  }
  get ackedOffset(): number {
    return this.committer.ackedOffset;
  }
  /** Write/fsync counters (group commit shows as appends >> syncs). */
  get ioStats(): Readonly<{ writes: number; syncs: number; appends: number }> {
    return this.committer.stats;
  }
  private get active(): Segment {
    return this.segs[this.segs.length - 1]!;
  }

  append(batch: Buffer, options?: AppendOptions): Promise<AppendResult> {
    try {
      return this.reserve(batch, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  accept(batch: Buffer, options?: AppendOptions): AcceptedAppend {
    const base = this.next;
    const done = this.reserve(batch, options);
    return { baseOffset: base, lastOffset: this.next - 1, done };
  }

  /** append's work: checks the batch (throwing), assigns its offsets and queues its write. */
  private reserve(batch: Buffer, options: AppendOptions | undefined): Promise<AppendResult> {
    if (this.state !== 'open') throw closedError(this.dir);
    if (this.committer.failure !== null) throw this.committer.failure;
    const cfg = this.cfg;
    if (batch.length > cfg.maxBatchBytes) {
      throw new HopperError('MESSAGE_TOO_LARGE', `record batch of ${batch.length} bytes is over the limit of ${cfg.maxBatchBytes}`);
    }
    const h: BatchHeader = options?.crcChecked ? checkBatchStructure(batch, 0, cfg.maxBatchBytes) : checkBatch(batch, 0, cfg.maxBatchBytes);
    if (LOG_OVERHEAD + h.batchLength !== batch.length) {
      throw new HopperError('CORRUPT_MESSAGE', `append takes one whole batch: batch of ${LOG_OVERHEAD + h.batchLength} bytes in a buffer of ${batch.length}`);
    }
    if (h.recordCount < 1 || h.lastOffsetDelta !== h.recordCount - 1) {
      throw new HopperError('CORRUPT_MESSAGE', `batch of ${h.recordCount} records claims lastOffsetDelta ${h.lastOffsetDelta}`);
    }
    const base = this.next;
    const last = base + h.lastOffsetDelta;
    const len = batch.length;
    let seg = this.active;
    if (seg.size > 0 && this.shouldRoll(seg, len, last)) {
      if (this.txns !== null) seg.openAtEnd = snapshotOpen(this.txns.open);
      seg = new Segment(this.dir, base); // its file is created by the write loop (switchSegment)
      if (this.producerStates !== null) seg.snapshotAtStart = this.producerSnapshot(base);
      this.segs.push(seg);
    }
    setBaseOffset(batch, 0, base);
    if (this.txns !== null) noteTxnBatch(this.txns.open, h, batch, 0, base, seg);
    if (this.producerStates !== null) this.producerStates.note(h, base);
    const pos = seg.size;
    seg.noteBatch(pos, len, base, last, h.maxTimestamp, cfg.indexIntervalBytes);
    if (seg.firstBatchAtMs < 0) seg.firstBatchAtMs = this.clock.now();
    seg.markVerified(pos, pos + len);
    this.next = last + 1;
    this.bytes += len;
    const needsSync = this.committer.needsSyncOnAppend;
    const stored = new Promise<AppendResult>((resolve, reject) =>
      this.committer.enqueue({ buf: batch, seg, pos, baseOffset: base, lastOffset: last, needsSync, resolve, reject }),
    );
    const covered = this.highWater === null ? null : this.highWater.cover(this.next);
    return covered === null ? stored : Promise.all([stored, covered]).then(firstOf);
  }

  private shouldRoll(seg: Segment, len: number, lastOffset: number): boolean {
    const cfg = this.cfg;
    if (seg.size + len > cfg.segmentMaxBytes) return true;
    if (!seg.fitsOffset(lastOffset)) return true;
    return cfg.segmentMaxAgeMs >= 0 && this.clock.now() - seg.firstBatchAtMs >= cfg.segmentMaxAgeMs;
  }

  /** CommitterHost: `from` is fully written and fsynced; seal it and create `to` durably. */
  async switchSegment(from: Segment, to: Segment): Promise<void> {
    from.finishTimeIndex();
    await writeIndexFiles(this.fs, from);
    if (from.openAtEnd !== null) {
      await writeTxnIndex(this.fs, from, from.endOffset, from.openAtEnd);
      from.openAtEnd = null;
    }
    from.readable = from.size;
    from.sealed = true;
    to.file = await this.fs.open(to.path('log'), 'create');
    await this.fs.syncDir(this.dir);
    if (to.snapshotAtStart !== null) {
      // Everything below to.base is durable now, so the snapshot never covers a lost batch.
      await writeProducerSnapshot(this.fs, to, to.snapshotAtStart);
      to.snapshotAtStart = null;
    }
  }

  /**
   * The producer state as of `offset` (every batch below it applied), expired producers left
   * out: O(producers), once per roll and at close. Written even when empty: a segment without
   * one would send recovery back to an earlier snapshot, and a longer replay.
   */
  private producerSnapshot(offset: number): Buffer {
    this.expireProducers();
    return encodeProducerSnapshot(offset, this.producerStates!);
  }

  private expireProducers(): void {
    const open = this.txns?.open;
    this.producerStates?.expire(this.clock.now(), (pid) => open?.has(pid) === true);
  }

  async read(offset: number, maxBytes: number, minOneBatch = true): Promise<ReadResult> {
    if (this.state === 'closed') throw closedError(this.dir);
    if (!Number.isSafeInteger(offset) || offset < this.start || offset > this.next) {
      throw new HopperError('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside [${this.start}, ${this.next}] of log ${this.dir}`);
    }
    try {
      return await readAt(this, offset, Math.max(0, maxBytes), minOneBatch);
    } catch (err) {
      if (err instanceof HopperError && err.code === 'CORRUPT_MESSAGE') this.noteCorrupt(offset, err);
      throw err;
    }
  }

  /** Records a damaged batch met by a read, once per offset range reported. */
  private noteCorrupt(offset: number, err: HopperError): void {
    for (const d of this.found) if (offset >= d.fromOffset && offset < d.toOffset) return;
    // The extent of the damage is not known from here: report the offsets asked for, reads of
    // consecutive offsets (the records of one damaged batch) as one range.
    const last = this.found[this.found.length - 1];
    if (last !== undefined && last.toOffset === offset && last.reason.startsWith(UNREADABLE)) {
      last.toOffset = offset + 1;
      return;
    }
    this.found.push({ atMs: this.clock.now(), droppedBytes: 0, fromOffset: offset, toOffset: offset + 1, reason: `${UNREADABLE} from offset ${offset}: ${err.message}` });
  }

  async offsetForTimestamp(timestampMs: number): Promise<number | null> {
    if (this.state === 'closed') throw closedError(this.dir);
    return findOffsetForTimestamp(this, timestampMs);
  }

  deleteRecordsBefore(offset: number): Promise<void> {
    return this.exclusive(async () => {
      if (!Number.isSafeInteger(offset) || offset > this.next || offset < 0) {
        throw new HopperError('OFFSET_OUT_OF_RANGE', `cannot delete records before ${offset}: log ${this.dir} ends at ${this.next}`);
      }
      if (offset <= this.start) return;
      // Durable first: once it returns, a restart must not bring the records back.
      await writeLogStartCheckpoint(this.fs, this.dir, offset);
      this.start = offset;
      await applyRetention(this, this.bytes);
    });
  }

  enforceRetention(): Promise<void> {
    return this.exclusive(async () => {
      this.expireProducers();
      if (this.activeExpired()) await this.rollActive();
      await applyRetention(this, this.bytes);
      if (compacts(this.cfg)) await this.compactIfDirty();
    });
  }

  /**
   * Time retention reaches the active segment too, as in Kafka: when its newest record is past
   * retentionMs (and every append to it is acknowledged), it is sealed so that it can go, and
   * the log goes on in an empty segment at the same end offset.
   */
  private activeExpired(): boolean {
    const cfg = this.cfg;
    const seg = this.active;
    return deletes(cfg) && cfg.retentionMs >= 0 && seg.size > 0 && this.ackedOffset === this.next && this.clock.now() - seg.maxTimestamp > cfg.retentionMs;
  }

  /** Rolls to a new segment now, through the write loop like an append's roll; resolves once it is done. */
  private rollActive(): Promise<void> {
    const seg = this.active;
    if (this.txns !== null) seg.openAtEnd = snapshotOpen(this.txns.open);
    const next = new Segment(this.dir, this.next);
    if (this.producerStates !== null) next.snapshotAtStart = this.producerSnapshot(this.next);
    this.segs.push(next);
    return new Promise<void>((resolve, reject) =>
      this.committer.enqueue({ buf: null, seg: next, pos: 0, baseOffset: -1, lastOffset: -1, needsSync: true, resolve: () => resolve(), reject }),
    );
  }

  /** Runs compaction now (enforceRetention calls it when there is new data); for tools and tests. */
  compact(): Promise<CompactionResult> {
    return this.exclusive(() => this.compactNow());
  }

  private async compactIfDirty(): Promise<void> {
    if (this.compactedAt === this.next && this.tombstonesKept === 0) return;
    await this.compactNow();
  }

  private async compactNow(): Promise<CompactionResult> {
    const upTo = this.next;
    const r = await compactLog(this);
    this.compactedAt = upTo;
    this.tombstonesKept = r.tombstonesKept;
    return r;
  }

  reconfigure(config: Partial<LogConfig>): void {
    const next = validateConfig({ ...this.cfg, ...config });
    const policyChanged = formatFsyncPolicy(next.fsync) !== formatFsyncPolicy(this.cfg.fsync);
    this.cfg = next;
    if (policyChanged && this.committer.failure === null) this.committer.setPolicy(next.fsync);
  }

  flush(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(closedError(this.dir));
    return this.committer.flush();
  }

  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.state = 'closing';
    this.closing = this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.maintenance.catch(() => undefined);
    let error: unknown = null;
    if (this.committer.failure === null) {
      try {
        await this.committer.flush();
        const active = this.active;
        if (active.file !== null) {
          // Saves the next open a rebuild: the index covers everything, the data is fsynced.
          active.finishTimeIndex();
          await writeIndexFiles(this.fs, active);
          if (this.txns !== null) await writeTxnIndex(this.fs, active, this.next, snapshotOpen(this.txns.open));
          if (this.producerStates !== null) await writeProducerSnapshot(this.fs, active, this.producerSnapshot(this.next));
        }
        // The exact end: a clean restart continues here without skipping offsets.
        if (this.highWater !== null && this.cleanAt !== this.next) await this.highWater.close(this.next);
      } catch (err) {
        error = err;
      }
    }
    this.committer.stop();
    for (const s of this.segs) await s.retire();
    this.state = 'closed';
    if (error !== null) throw error;
  }

  // ---- MaintainedLog ----------------------------------------------------------------------

  async dropOldestSegments(count: number): Promise<void> {
    const dropped = this.segs.splice(0, count);
    for (const s of dropped) this.bytes -= s.size;
    if (this.segs[0]!.base > this.start) this.start = this.segs[0]!.base;
    for (const s of dropped) {
      await s.retire();
      await deleteSegmentFiles(this.fs, this.dir, s.base);
    }
  }

  replaceSegment(old: Segment, cleaned: Segment): void {
    const i = this.segs.indexOf(old);
    if (i < 0) return;
    this.segs[i] = cleaned;
    // Compaction keeps every offset and every control batch, so the aborts stay as they were.
    cleaned.aborted = old.aborted;
    this.bytes += cleaned.size - old.size;
    void old.retire();
  }

  /**
   * Runs maintenance one task at a time. An I/O error in it fails the whole log like a write
   * error does: the folder may be half-way through a delete or a swap, and only recovery (a
   * reopen) may decide what it holds.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.state !== 'open') return Promise.reject(closedError(this.dir));
    if (this.committer.failure !== null) return Promise.reject(this.committer.failure);
    const task = async (): Promise<T> => {
      if (this.committer.failure !== null) throw this.committer.failure;
      try {
        return await fn();
      } catch (err) {
        if (err instanceof HopperError) throw err;
        this.committer.fail(err, 'maintenance (retention, compaction or DeleteRecords)');
        throw this.committer.failure!;
      }
    };
    const run = this.maintenance.then(task, task);
    this.maintenance = run.catch(() => undefined);
    return run;
  }
}
