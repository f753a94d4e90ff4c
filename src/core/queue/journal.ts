/**
 * Writes the queue's state log (format in journal-format.ts). Events are packed into one
 * growing buffer with no per-event allocation; one append carries everything buffered since the
 * previous append started, so many acks share one write and one fsync (group commit, never an
 * fsync per ack). Checkpoints are written between event appends, at a moment when no event is
 * buffered, so every event numbered <= the checkpoint's seq is already in the log before it.
 *
 * After an append fails the journal is failed: every later wait rejects with STORAGE_FAILED.
 */
import { HopperError } from '../errors.js';
import { CRC_CHECKED, type Log } from '../../storage/types.js';
import {
  CHECKPOINT_HEADER_BYTES,
  EVENT_BYTES,
  EVENTS_HEADER_BYTES,
  EventType,
  RecordKind,
  type SettleReasonCode,
} from './journal-format.js';

/** Turns a record value into one RecordBatch (the message codec, injected to keep this small). */
export type EncodeRecord = (value: Buffer) => Buffer;

/** Snapshot bytes plus the event seq they cover, taken synchronously. */
export interface CheckpointSnapshot {
  bytes: Buffer;
  seq: number;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

interface CheckpointJob {
  take: () => CheckpointSnapshot;
  resolve: (firstOffset: number) => void;
  reject: (e: Error) => void;
}

const INITIAL_BUFFER_BYTES = 64 * 1024;
const CHECKPOINT_PART_BYTES = 1024 * 1024;

export class Journal {
  private buf = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
  private pos = EVENTS_HEADER_BYTES;
  private count = 0;
  /** Last assigned event number. */
  seq: number;
  /**
   * Every event numbered <= durableSeq is in the log: written, and fsynced where the state log's
   * policy says so or someone waited for it (whenDurable).
   */
  durableSeq: number;
  private waiters: Waiter[] = [];
  private jobs: CheckpointJob[] = [];
  private running = false;
  failure: Error | null = null;
  /** Bytes appended since the last checkpoint (a checkpoint trigger). */
  bytesSinceCheckpoint = 0;

  constructor(
    readonly log: Log,
    lastSeq: number,
    private readonly encode: EncodeRecord,
  ) {
    this.seq = lastSeq;
    this.durableSeq = lastSeq;
  }

  /** The state log does not fsync each append (a queue's, under fsync=always: docs/queues.md). */
  private get lazy(): boolean {
    return this.log.config.fsync.kind !== 'always';
  }

  private reserve(n: number): number {
    if (this.pos + n > this.buf.length) {
      const b = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(b, 0, 0, this.pos);
      this.buf = b;
    }
    const p = this.pos;
    this.pos += n;
    this.count++;
    this.seq++;
    this.schedule();
    return p;
  }

  settle(offset: number, reason: SettleReasonCode): void {
    const p = this.reserve(EVENT_BYTES[EventType.settle]);
    this.buf[p] = EventType.settle;
    this.buf[p + 1] = reason;
    this.buf.writeDoubleBE(offset, p + 2);
  }

  settleRange(start: number, count: number, reason: SettleReasonCode): void {
    const p = this.reserve(EVENT_BYTES[EventType.settleRange]);
    this.buf[p] = EventType.settleRange;
    this.buf[p + 1] = reason;
    this.buf.writeDoubleBE(start, p + 2);
    this.buf.writeUInt32BE(count, p + 10);
  }

  delivered(offset: number): void {
    const p = this.reserve(EVENT_BYTES[EventType.delivered]);
    this.buf[p] = EventType.delivered;
    this.buf.writeDoubleBE(offset, p + 1);
  }

  undelivered(offset: number): void {
    const p = this.reserve(EVENT_BYTES[EventType.undelivered]);
    this.buf[p] = EventType.undelivered;
    this.buf.writeDoubleBE(offset, p + 1);
  }

  opened(): void {
    const p = this.reserve(EVENT_BYTES[EventType.opened]);
    this.buf[p] = EventType.opened;
  }

  /** Resolves once every event numbered <= seq (default: all so far) is durable: fsynced. */
  whenDurable(seq = this.seq): Promise<void> {
    if (this.failure) return Promise.reject(this.failed());
    if (seq <= this.durableSeq) return this.synced();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /**
   * Writes a checkpoint once the events buffered now are appended; `take` runs synchronously at
   * that point. Resolves with the log offset of its first part (older records are then deleted).
   */
  checkpoint(take: () => CheckpointSnapshot): Promise<number> {
    if (this.failure) return Promise.reject(this.failed());
    return new Promise((resolve, reject) => {
      this.jobs.push({ take, resolve, reject });
      this.schedule();
    });
  }

  /** True while appends are pending or running. */
  get busy(): boolean {
    return this.running || this.count > 0 || this.jobs.length > 0;
  }

  private scheduled = false;
  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // setImmediate: events produced in the same turn (a burst of acks) share one append.
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        if (this.failure) throw this.failure;
        if (this.count > 0) {
          await this.appendEvents();
          continue;
        }
        const job = this.jobs.shift();
        if (job === undefined) break;
        try {
          job.resolve(await this.appendCheckpoint(job.take()));
        } catch (e) {
          job.reject(e as Error);
          throw e;
        }
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.running = false;
    }
    if (!this.failure && (this.count > 0 || this.jobs.length > 0)) this.schedule();
  }

  private async appendEvents(): Promise<void> {
    const value = Buffer.from(this.buf.subarray(0, this.pos));
    const count = this.count;
    const lastSeq = this.seq;
    value[0] = RecordKind.events;
    value.writeDoubleBE(lastSeq - count + 1, 1);
    value.writeUInt32BE(count, 9);
    this.pos = EVENTS_HEADER_BYTES;
    this.count = 0;
    if (this.buf.length > 16 * INITIAL_BUFFER_BYTES) this.buf = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
    await this.log.append(this.encode(value), CRC_CHECKED);
    this.bytesSinceCheckpoint += value.length;
    // Under a state log that does not fsync each append, a caller that waits for durability
    // (ackDurable, purge, a trim of the message log) gets an fsync now rather than at the timer.
    if (this.waiters.length > 0 && this.waiters[0]!.seq <= lastSeq) await this.synced();
    this.durableSeq = lastSeq;
    while (this.waiters.length > 0 && this.waiters[0]!.seq <= lastSeq) this.waiters.shift()!.resolve();
  }

  private async appendCheckpoint(snap: CheckpointSnapshot): Promise<number> {
    const parts = Math.max(1, Math.ceil(snap.bytes.length / CHECKPOINT_PART_BYTES));
    let first = -1;
    for (let i = 0; i < parts; i++) {
      const chunk = snap.bytes.subarray(i * CHECKPOINT_PART_BYTES, (i + 1) * CHECKPOINT_PART_BYTES);
      const value = Buffer.allocUnsafe(CHECKPOINT_HEADER_BYTES + chunk.length);
      value[0] = RecordKind.checkpoint;
      value.writeDoubleBE(snap.seq, 1);
      value.writeUInt32BE(i, 9);
      value.writeUInt32BE(parts, 13);
      chunk.copy(value, CHECKPOINT_HEADER_BYTES);
      const r = await this.log.append(this.encode(value), CRC_CHECKED);
      if (i === 0) first = r.baseOffset;
    }
    this.bytesSinceCheckpoint = 0;
    // The records before the checkpoint go only once it is on disk.
    await this.synced();
    await this.log.deleteRecordsBefore(first);
    return first;
  }

  /** Resolves once what was appended is fsynced: at once where every append already is. */
  private synced(): Promise<void> {
    return this.lazy ? this.log.flush() : Promise.resolve();
  }

  private failed(): HopperError {
    return new HopperError('STORAGE_FAILED', `queue state log failed: ${this.failure?.message}`, { cause: this.failure });
  }

  private fail(e: unknown): void {
    this.failure = e instanceof Error ? e : new Error(String(e));
    const err = this.failed();
    for (const w of this.waiters.splice(0)) w.reject(err);
    for (const j of this.jobs.splice(0)) j.reject(err);
  }

  /** Waits until nothing is pending (close). */
  async drain(): Promise<void> {
    // Yield a macrotask each time round: the pump itself runs from setImmediate.
    while (this.busy && !this.failure) await new Promise<void>((r) => setImmediate(r));
    if (this.failure) throw this.failed();
  }
}
