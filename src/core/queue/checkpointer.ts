/**
 * When to checkpoint and what to free afterwards. A checkpoint bounds what a restart must redo
 * (the journal replayed after it, the message-log tail scanned after its logEnd), so it is
 * written after checkpointEveryMessages publishes, checkpointEveryJournalBytes of events, or
 * checkpointIntervalMs when anything changed. After one, whole message-log segments below the
 * settled floor are deleted (with dedupe, not past the checkpoint's logEnd: recovery rebuilds
 * the dedupe window from the records after it).
 *
 * Both stay below the message log's durable end: a checkpoint describes only messages whose
 * appends are durable (the rest are found again by recovery's scan of the log tail, if they
 * survived), and the log start never moves past them (docs/queues.md, "Delivery before fsync").
 */
import type { Clock, Log } from '../../storage/types.js';
import type { Journal, CheckpointSnapshot } from './journal.js';
import type { QueueTuning } from './tuning.js';

export interface CheckpointerHost {
  readonly journal: Journal;
  readonly messages: Log;
  readonly clock: Clock;
  readonly tuning: QueueTuning;
  /** Offsets below are known to the queue and durable in the message log. */
  durableEnd(): number;
  settledFloor(): number;
  deduplicate(): boolean;
  /** The snapshot as of now, of messages below durableEnd() (called synchronously between journal appends). */
  snapshot(clean: boolean): CheckpointSnapshot & { logEnd: number };
  /** After a checkpoint finished (its timer may need re-arming). */
  afterCheckpoint(): void;
  /** False for a follower queue: the message log is its owner's to trim. */
  readonly trims: boolean;
}

export class Checkpointer {
  private logEnd: number;
  private seq: number;
  private lastAt: number;
  private trimmedTo: number;
  running = false;

  constructor(
    private readonly host: CheckpointerHost,
    recovered: { logEnd: number; seq: number },
  ) {
    this.logEnd = recovered.logEnd;
    this.seq = recovered.seq;
    this.lastAt = host.clock.now();
    this.trimmedTo = host.messages.logStartOffset;
  }

  /** Something changed since the last checkpoint. */
  dirty(): boolean {
    return this.host.journal.seq > this.seq || this.host.durableEnd() > this.logEnd;
  }

  /** When the interval checkpoint is due (Infinity: nothing to do). */
  nextDueAt(): number {
    return !this.running && this.dirty() ? this.lastAt + this.host.tuning.checkpointIntervalMs : Infinity;
  }

  /** Starts a checkpoint or a trim if one is due. Cheap enough to call after every batch. */
  maybe(): void {
    if (this.running) return;
    const h = this.host;
    const t = h.tuning;
    if (
      h.journal.bytesSinceCheckpoint >= t.checkpointEveryJournalBytes ||
      h.durableEnd() - this.logEnd >= t.checkpointEveryMessages ||
      (this.dirty() && h.clock.now() - this.lastAt >= t.checkpointIntervalMs)
    ) {
      void this.run(false).catch(() => undefined);
    } else if (h.settledFloor() - this.trimmedTo >= t.checkpointEveryMessages && !h.deduplicate()) {
      void this.trim().catch(() => undefined);
    }
  }

  /** Writes a checkpoint through the journal, then frees log segments below the settled floor. */
  async run(clean: boolean): Promise<void> {
    this.running = true;
    try {
      let logEnd = 0;
      let seq = 0;
      await this.host.journal.checkpoint(() => {
        const snap = this.host.snapshot(clean);
        logEnd = snap.logEnd;
        seq = snap.seq;
        return snap;
      });
      this.logEnd = logEnd;
      this.seq = seq;
      await this.trim();
    } finally {
      // Also after a failure: the next attempt waits a full interval (no hot retry loop).
      this.lastAt = this.host.clock.now();
      this.running = false;
      this.host.afterCheckpoint();
    }
  }

  private async trim(): Promise<void> {
    if (!this.host.trims) return;
    // Never past the log's durable end: settled offsets the log does not have (lost records, or
    // records still being fsynced) free nothing, and the log start must not pass a record a
    // crash could still take back.
    let upTo = Math.min(this.host.settledFloor(), this.host.durableEnd(), this.host.messages.nextOffset);
    if (this.host.deduplicate()) upTo = Math.min(upTo, this.logEnd);
    if (upTo <= this.trimmedTo) return;
    this.trimmedTo = upTo;
    if (upTo <= this.host.messages.logStartOffset) return;
    // The settles that free these records must be on disk first: else a crash could leave
    // unsettled messages whose records are gone (reported as lost).
    await this.host.journal.whenDurable();
    await this.host.messages.deleteRecordsBefore(upTo);
  }
}
