/**
 * The publish path into the message log. Publishes arriving in the same turn are encoded into
 * one RecordBatch and appended with one call, and several appends may be in flight at once so
 * that each fsync of the log (group commit) covers as many publishes as arrived meanwhile.
 * Results are handed to the queue strictly in append order, so offsets become known in order
 * and `knownEnd` only grows: the queue never delivers a message before its append is durable.
 */
import { CRC_CHECKED, type Log } from '../../storage/types.js';
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
}

/** Record overhead estimate per message when sizing batches (headers, varints). */
const RECORD_OVERHEAD_BYTES = 64;

export class PublishPipeline {
  private batch: PendingPublish[] = [];
  private batchBytes = 0;
  private scheduled = false;
  private tail: Promise<void> = Promise.resolve();
  /** Publishes accepted and not yet handed to the queue (for max-length checks). */
  pending = 0;
  pendingBytes = 0;

  constructor(
    private readonly log: Log,
    private readonly encode: (messages: readonly Message[]) => Buffer,
    private readonly maxBatchBytes: number,
    /** Called in append order with each batch and its base offset. */
    private readonly onAppended: (batch: PendingPublish[], baseOffset: number) => void,
  ) {}

  add(p: PendingPublish): void {
    const bytes = p.info.size + RECORD_OVERHEAD_BYTES;
    if (this.batch.length > 0 && this.batchBytes + bytes > this.maxBatchBytes) this.flush();
    this.batch.push(p);
    this.batchBytes += bytes;
    this.pending++;
    this.pendingBytes += p.info.size;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    this.batchBytes = 0;
    let appended: Promise<number>;
    try {
      appended = this.log.append(this.encode(batch.map((p) => p.stored)), CRC_CHECKED).then((r) => r.baseOffset);
    } catch (e) {
      // One bad message must not fail its batch-mates: retry them one per batch.
      if (batch.length > 1) {
        this.pending -= batch.length;
        this.pendingBytes -= batch.reduce((n, p) => n + p.info.size, 0);
        for (const p of batch) {
          this.add(p);
          this.flush();
        }
        return;
      }
      appended = Promise.reject(e);
    }
    this.tail = this.tail.then(
      () => appended.then(
        (base) => this.done(batch, () => this.onAppended(batch, base)),
        (e) => this.done(batch, () => batch.forEach((p) => p.reject(e))),
      ),
    );
  }

  private done(batch: PendingPublish[], fn: () => void): void {
    this.pending -= batch.length;
    for (const p of batch) this.pendingBytes -= p.info.size;
    fn();
  }

  /** Resolves when every publish accepted so far has been handed over (or failed). */
  async drain(): Promise<void> {
    this.flush();
    await this.tail;
  }
}
