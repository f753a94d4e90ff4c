/**
 * A log's idempotent producers (LogProducers, Kafka's ProducerStateManager): per producer id,
 * its epoch, the time of its latest batch and its last PRODUCER_BATCHES_KEPT batches' sequence
 * ranges with their offsets, so a retried batch is recognised and a gap refused.
 *
 * Why the storage log keeps it and not the Kafka endpoint: like the transaction index
 * (txn-tracker.ts) it is a function of the batches alone (producer id, epoch and sequence are
 * fields of the stored RecordBatch header), so only the log can keep it exact: append applies
 * each batch as it assigns its offset, a roll snapshots it into the new segment's .snapshot,
 * recovery replays from the latest snapshot (producer-recovery.ts), and retention deletes a
 * snapshot with its segment. The endpoint only turns check()'s answer into an error code.
 *
 * Rules, as Kafka's (ProducerAppendInfo):
 * - an older epoch is fenced; a newer one must start at sequence 0, except for a producer the
 *   log does not know (never seen, expired or forgotten), whose first batch is taken as it comes;
 * - within an epoch a batch must continue the last one (sequences wrap at 2^31), unless it is
 *   one of the kept batches again: then it is a duplicate, answered with that batch's offset;
 * - a transaction marker carries the producer's epoch but no sequence: a newer epoch (the
 *   coordinator fencing or timing out a transaction) forgets the batches, so the producer
 *   starts again at 0.
 * Producers whose latest batch is older than PRODUCER_EXPIRATION_MS, with no transaction open,
 * are forgotten at retention time and not written into snapshots.
 */
import { type BatchHeader, isControl } from '../codec/record-batch.js';
import { type LogProducers, ProducerCheck } from '../types.js';
import { PRODUCER_BATCHES_KEPT } from './layout.js';

/**
 * How long a producer's state outlives its latest batch: Kafka's transactional.id.expiration.ms,
 * which bounded producer state until 3.4 (producer.id.expiration.ms, 1 day, since).
 */
export const PRODUCER_EXPIRATION_MS = 7 * 24 * 3600 * 1000;
/** Producers remembered per log before the least recently appending one is forgotten. */
export const PRODUCERS_PER_LOG_MAX = 10_000;
/** Sequence numbers are int32 and wrap to 0 after 2^31 - 1. */
export const SEQUENCE_MOD = 2 ** 31;

const FIELDS = 3; // firstSeq, lastSeq, lastOffset

/** One producer: its batches in a fixed ring, oldest first, so appending allocates nothing. */
export class ProducerEntry {
  count = 0;
  private head = 0;
  private readonly ring = new Float64Array(PRODUCER_BATCHES_KEPT * FIELDS);

  constructor(
    public epoch: number,
    public lastTimestamp: number,
  ) {}

  push(firstSeq: number, lastSeq: number, lastOffset: number): void {
    let slot: number;
    if (this.count < PRODUCER_BATCHES_KEPT) slot = (this.head + this.count++) % PRODUCER_BATCHES_KEPT;
    else {
      slot = this.head;
      this.head = (this.head + 1) % PRODUCER_BATCHES_KEPT;
    }
    const at = slot * FIELDS;
    this.ring[at] = firstSeq;
    this.ring[at + 1] = lastSeq;
    this.ring[at + 2] = lastOffset;
  }

  clear(): void {
    this.count = 0;
    this.head = 0;
  }

  /** Field f of batch i (0 the oldest). */
  private field(i: number, f: number): number {
    return this.ring[((this.head + i) % PRODUCER_BATCHES_KEPT) * FIELDS + f]!;
  }
  firstSeq(i: number): number {
    return this.field(i, 0);
  }
  lastSeq(i: number): number {
    return this.field(i, 1);
  }
  lastOffset(i: number): number {
    return this.field(i, 2);
  }
}

export class ProducerStates implements LogProducers {
  /** In order of their latest batch, least recent first (the eviction order). */
  readonly entries = new Map<number, ProducerEntry>();
  /** The producer moved to the end of `entries` last: a run of its batches reorders nothing. */
  private newest = -1;

  check(producerId: number, epoch: number, baseSequence: number, recordCount: number): number {
    const e = this.entries.get(producerId);
    if (e === undefined) return ProducerCheck.OK;
    if (epoch < e.epoch) return ProducerCheck.FENCED;
    if (epoch > e.epoch) return baseSequence === 0 ? ProducerCheck.OK : ProducerCheck.OUT_OF_ORDER;
    const lastSeq = (baseSequence + recordCount - 1) % SEQUENCE_MOD;
    for (let i = e.count - 1; i >= 0; i--) {
      if (e.firstSeq(i) === baseSequence && e.lastSeq(i) === lastSeq) return e.lastOffset(i) - (recordCount - 1);
    }
    const expected = e.count === 0 ? 0 : (e.lastSeq(e.count - 1) + 1) % SEQUENCE_MOD;
    return baseSequence === expected ? ProducerCheck.OK : ProducerCheck.OUT_OF_ORDER;
  }

  /**
   * Applies one stored batch whose base offset is `baseOffset` (append, recovery replay). Never
   * refuses: the produce path has checked it, and a batch already in the log is a fact.
   */
  note(h: BatchHeader, baseOffset: number): void {
    const pid = h.producerId;
    if (pid < 0) return;
    let e = this.entries.get(pid);
    const control = isControl(h.attributes);
    if (!control && h.baseSequence < 0) return;
    if (e === undefined) {
      e = new ProducerEntry(h.producerEpoch, h.maxTimestamp);
      this.entries.set(pid, e);
      this.newest = pid;
      if (this.entries.size > PRODUCERS_PER_LOG_MAX) this.forget(this.entries.keys().next().value!);
    } else {
      if (h.producerEpoch < e.epoch) return;
      if (h.producerEpoch > e.epoch) {
        e.epoch = h.producerEpoch;
        e.clear();
      }
      e.lastTimestamp = h.maxTimestamp;
      if (this.newest !== pid) {
        this.entries.delete(pid);
        this.entries.set(pid, e);
        this.newest = pid;
      }
    }
    if (!control) e.push(h.baseSequence, (h.baseSequence + h.lastOffsetDelta) % SEQUENCE_MOD, baseOffset + h.lastOffsetDelta);
  }

  /** Restores a producer from a snapshot (in the file's order, so the eviction order too). */
  restore(producerId: number, e: ProducerEntry): void {
    this.entries.delete(producerId);
    this.entries.set(producerId, e);
    this.newest = producerId;
  }

  /** Forgets producers whose latest batch is older than PRODUCER_EXPIRATION_MS, unless `inTransaction`. */
  expire(nowMs: number, inTransaction: (producerId: number) => boolean): void {
    for (const [pid, e] of this.entries) {
      if (nowMs - e.lastTimestamp >= PRODUCER_EXPIRATION_MS && !inTransaction(pid)) this.forget(pid);
    }
  }

  private forget(pid: number): void {
    this.entries.delete(pid);
    if (this.newest === pid) this.newest = -1;
  }
}
