/**
 * A topic partition's log as a share partition's queue sees it (its "messages" log): read-only,
 * ending where the share group may read (the acknowledged end, or the last stable offset under
 * read_committed), starting at the share partition's first offset when it is created, and with
 * the records of aborted transactions left out under read_committed, so that the queue skips
 * them as it skips transaction markers (as gaps). The topic owns the log: appends, trims and
 * close are not the view's to make.
 */
import { forEachBatch, LOG_OVERHEAD } from '../../storage/codec/record-batch.js';
import { HopperError } from '../errors.js';
import { committedEnd, isAbortedBatch } from '../topic/committed-read.js';
import type { AcceptedAppend, AppendResult, Log, LogConfig, LogDamage, LogProducers, LogTransactions, ReadResult } from '../../storage/types.js';

export class FollowedLog implements Log {
  constructor(
    private readonly log: Log,
    /** Offsets below are not the share partition's (share.auto.offset.reset at creation, or an alter). */
    private readonly floor: number,
    /** share.isolation.level is read_committed. */
    public readCommitted: boolean,
  ) {}

  get nextOffset(): number {
    return this.readCommitted ? committedEnd(this.log) : this.log.ackedOffset;
  }
  get ackedOffset(): number {
    return this.nextOffset;
  }
  get logStartOffset(): number {
    return Math.max(this.log.logStartOffset, Math.min(this.floor, this.nextOffset));
  }
  get sizeBytes(): number {
    return this.log.sizeBytes;
  }
  get failure(): Error | null {
    return this.log.failure;
  }
  get config(): LogConfig {
    return this.log.config;
  }
  get transactions(): LogTransactions | null {
    return null;
  }
  get producers(): LogProducers | null {
    return null;
  }
  get lost(): { readonly from: number; readonly to: number } | null {
    return this.log.lost;
  }
  get damage(): readonly LogDamage[] {
    return this.log.damage;
  }

  append(): Promise<AppendResult> {
    return Promise.reject(readOnly());
  }
  accept(): AcceptedAppend {
    throw readOnly();
  }

  /**
   * Records the topic's retention deleted read as nothing (the queue then skips their offsets,
   * as Kafka moves a share partition's start past them), not as an error to retry forever.
   */
  async read(offset: number, maxBytes: number, minOneBatch?: boolean): Promise<ReadResult> {
    const end = this.nextOffset;
    if (offset < this.log.logStartOffset || offset >= end) return { bytes: Buffer.alloc(0), nextOffset: end, logStartOffset: this.log.logStartOffset };
    const r = await this.log.read(offset, maxBytes, minOneBatch);
    if (!this.readCommitted) return r;
    return { ...r, bytes: this.withoutAborted(r.bytes, offset) };
  }

  /** The batches of `bytes` below the stable end that are not records of an aborted transaction. */
  private withoutAborted(bytes: Buffer, from: number): Buffer {
    const txns = this.log.transactions;
    const end = this.nextOffset;
    const keep: Buffer[] = [];
    let last = from;
    forEachBatch(bytes, (h) => {
      last = Math.max(last, h.baseOffset + h.lastOffsetDelta);
    }, { verifyCrc: false });
    const aborted = txns === null ? [] : txns.abortedIn(from, last);
    forEachBatch(bytes, (h, pos) => {
      if (h.baseOffset + h.lastOffsetDelta >= end) return false;
      if (!isAbortedBatch(h, aborted)) keep.push(bytes.subarray(pos, pos + h.batchLength + LOG_OVERHEAD));
      return undefined;
    }, { verifyCrc: false });
    return keep.length === 1 ? keep[0]! : Buffer.concat(keep);
  }

  offsetForTimestamp(timestampMs: number): Promise<number | null> {
    return this.log.offsetForTimestamp(timestampMs);
  }
  async deleteRecordsBefore(): Promise<void> {
    // The topic's retention and DeleteRecords trim the log, never a reader of it.
  }
  async enforceRetention(): Promise<void> {}
  reconfigure(): void {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

function readOnly(): HopperError {
  return new HopperError('INVALID_ARGUMENT', 'a share partition reads its topic partition: it never appends to it');
}
