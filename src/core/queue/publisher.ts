/**
 * The publish path into the message log. Publishes arriving in the same turn are encoded into
 * one RecordBatch and appended with one call, and several appends may be in flight at once so
 * that each fsync of the log (group commit) covers as many publishes as arrived meanwhile.
 *
 * Two moments per batch, each reported to the queue strictly in append order:
 * - accepted: the log has taken the batch and assigned its offsets (Log.accept). The queue
 *   indexes the messages and may deliver them from memory at once.
 * - durable: the append resolved under the log's fsync policy (under `always`, fsynced). Only
 *   now do the publishes resolve (confirms), and only below `durableEnd` may anything durable
 *   (a journal event, a checkpoint) name an offset: a crash may lose an accepted batch, and
 *   recovery would then hand its offsets out again (docs/queues.md, "Delivery before fsync").
 * After an append fails (an I/O error: the log is failed for good), `failure` is set, the
 * durable end stops there, and every publish not yet durable rejects.
 */
import { CRC_CHECKED, type AcceptedAppend, type Log } from '../../storage/types.js';
import { HopperError } from '../errors.js';
import type { Message } from '../message.js';
import type { MessageInfo } from './message-info.js';

export interface PendingPublish {
  /** As published (cached and delivered). */
  readonly message: Message;
  /** As stored (with the queue-meta header when needed). */
  readonly stored: Message;
  readonly info: MessageInfo;
  readonly enqueuedAt: number;
  readonly resolve: (offset: number) => void;
  readonly reject: (e: unknown) => void;
  /** Told once the message is in the queue (accepted) or refused; see Queue.publish. */
  readonly visible: (() => void) | null;
}

export interface PublishHost {
  /** A batch was accepted at base..base + batch.length - 1: index it. */
  accepted(batch: readonly PendingPublish[], base: number): void;
  /** A batch is durable: `durableEnd` has moved past it. */
  durable(batch: readonly PendingPublish[], base: number): void;
  /** A batch the log accepted will never be durable (the log failed); `failure` is set. */
  failed(batch: readonly PendingPublish[], base: number, e: unknown): void;
}

interface DurableWaiter {
  end: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Record overhead estimate per message when sizing batches (headers, varints). */
const RECORD_OVERHEAD_BYTES = 64;

export class PublishPipeline {
  private batch: PendingPublish[] = [];
  private batchBytes = 0;
  private scheduled = false;
  private tail: Promise<void> = Promise.resolve();
  /** Accepted batches whose `accepted` report is still to be made (see notify). */
  private readonly toNotify: { batch: PendingPublish[]; base: number }[] = [];
  private notifyScheduled = false;
  private waiters: DurableWaiter[] = [];
  /** Publishes accepted by publish() and not yet by the log (for max-length checks). */
  pending = 0;
  pendingBytes = 0;
  /** Offsets below are durable (their appends resolved): the only ones state may name. */
  durableEnd: number;
  /** The first failed append's error: nothing accepted from durableEnd on will be durable. */
  failure: unknown = null;

  constructor(
    private readonly log: Log,
    private readonly encode: (messages: readonly Message[]) => Buffer,
    private readonly maxBatchBytes: number,
    private readonly host: PublishHost,
  ) {
    this.durableEnd = log.nextOffset;
  }

  add(p: PendingPublish): void {
    const bytes = p.info.size + RECORD_OVERHEAD_BYTES;
    // A full batch goes now; its report waits for a microtask (add may run inside a delivery).
    if (this.batch.length > 0 && this.batchBytes + bytes > this.maxBatchBytes) this.flush(false);
    this.batch.push(p);
    this.batchBytes += bytes;
    this.pending++;
    this.pendingBytes += p.info.size;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush(true);
      });
    }
  }

  /** Appends the open batch; with `report`, reports what is accepted before returning. */
  private flush(report: boolean): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    this.batchBytes = 0;
    let a: AcceptedAppend;
    try {
      a = this.log.accept(this.encode(batch.map((p) => p.stored)), CRC_CHECKED);
    } catch (e) {
      this.dropPending(batch);
      // One bad message must not fail its batch-mates: retry them one per batch.
      if (batch.length > 1 && this.log.failure === null && !isClosed(e)) {
        for (const p of batch) {
          this.add(p);
          this.flush(report);
        }
        return;
      }
      // Refused before it had offsets: nothing was indexed, nothing to wait for.
      for (const p of batch) {
        p.visible?.();
        p.reject(e);
      }
      return;
    }
    this.dropPending(batch);
    const base = a.baseOffset;
    this.toNotify.push({ batch, base });
    if (report) this.notify();
    else if (!this.notifyScheduled) {
      this.notifyScheduled = true;
      queueMicrotask(this.notifyNow);
    }
    // Outcomes in append order, whatever order the promises settle in; `outcome` never rejects
    // (subscribed now, so a failure is never an unhandled rejection while earlier ones wait).
    const outcome = a.done.then(
      () => null,
      (e: unknown) => e ?? new HopperError('STORAGE_FAILED', 'append failed'),
    );
    this.tail = this.tail.then(() => outcome).then((e) => this.settled(batch, base, e));
  }

  private readonly notifyNow = (): void => this.notify();

  /** Reports accepted batches, in order. */
  private notify(): void {
    this.notifyScheduled = false;
    while (this.toNotify.length > 0) {
      const n = this.toNotify.shift()!;
      this.host.accepted(n.batch, n.base);
    }
  }

  private dropPending(batch: readonly PendingPublish[]): void {
    this.pending -= batch.length;
    for (const p of batch) this.pendingBytes -= p.info.size;
  }

  private settled(batch: PendingPublish[], base: number, e: unknown): void {
    this.notify(); // a batch is accepted before it is durable, for the host too
    if (e === null && this.failure === null) {
      this.durableEnd = base + batch.length;
      this.host.durable(batch, base);
    } else {
      this.failure ??= e;
      this.host.failed(batch, base, this.failure);
    }
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const keep: DurableWaiter[] = [];
    for (const w of this.waiters) {
      if (w.end <= this.durableEnd) w.resolve();
      else if (this.failure !== null) w.reject(this.failure);
      else keep.push(w);
    }
    this.waiters = keep;
  }

  /**
   * Resolves once offsets below `end` are durable; rejects with the failure if the log failed
   * before they were.
   */
  whenDurable(end: number): Promise<void> {
    if (end <= this.durableEnd) return Promise.resolve();
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ end, resolve, reject }));
  }

  /**
   * Offsets below `end` were appended, durably, by the log's owner (a follower queue's log, see
   * Queue.follow): state may name them from now on.
   */
  adopt(end: number): void {
    if (end <= this.durableEnd) return;
    this.durableEnd = end;
    this.wakeWaiters();
  }

  /** Resolves when every publish accepted so far is durable (or failed). */
  async drain(): Promise<void> {
    this.flush(true);
    await this.tail;
  }
}

function isClosed(e: unknown): boolean {
  return e instanceof HopperError && e.code === 'CLOSED';
}
