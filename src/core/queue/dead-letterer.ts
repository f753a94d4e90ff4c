/**
 * Runs dead letters through the broker's hook, at least once: a message stays unsettled in the
 * source queue (and in its checkpoints, so a restart redoes it) until the hook resolves; a
 * failing hook or read is retried after retryMs. The queue does not route: the hook does.
 *
 * In order and bounded: bodies are loaded one at a time, in the order the messages died, and
 * handed to the hook in that order (so a dead-letter queue receives them in the source queue's
 * order, as in RabbitMQ); loading pauses while the bodies handed over and not yet stored add up
 * to inFlightBytes (one message always goes, whatever its size). Without the bound, a restart
 * that finds a thousand expired 16 MiB messages would read them all into memory at once.
 */
import type { Message } from '../message.js';
import { Deque } from '../../storage/log/deque.js';
import type { Clock } from '../../storage/types.js';
import { annotateDeath } from './dead-letter.js';
import { SettleReason, type SettleReasonCode } from './journal-format.js';
import type { DeadLetterTarget } from './options.js';
import type { Scheduler } from './time.js';
import type { DeadLetterHook, DeadLetterInfo, DeadLetterReason } from './types.js';

/** A message on its way out: everything a snapshot needs to bring it back after a restart. */
export interface DeadLetterJob {
  offset: number;
  size: number;
  expiresAt: number;
  level: number;
  groupId: string | null;
  deliveryCount: number;
  reason: DeadLetterReason;
}

export const DEAD_LETTER_REASON_CODE: Record<DeadLetterReason, SettleReasonCode> = {
  rejected: SettleReason.rejected,
  expired: SettleReason.expired,
  maxlen: SettleReason.maxlen,
  delivery_limit: SettleReason.deliveryLimit,
};

export interface DeadLettererHost {
  readonly name: string;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly retryMs: number;
  /** Bytes of dead letters loaded and handed to the hook but not yet stored. */
  readonly inFlightBytes: number;
  target(): DeadLetterTarget | null;
  load(offset: number): Promise<Message | null>;
  /** Settles the source message; `dead` false when it was missing from the log. */
  finished(job: DeadLetterJob, dead: boolean): void;
  isClosed(): boolean;
}

export function deadLetterInfo(queue: string, t: DeadLetterTarget, reason: DeadLetterReason, count: number): DeadLetterInfo {
  return t.routingKey === null ? { reason, queue, count, exchange: t.exchange } : { reason, queue, count, exchange: t.exchange, routingKey: t.routingKey };
}

export class DeadLetterer {
  /** Every job not finished yet (snapshots keep them unsettled). */
  readonly jobs = new Set<DeadLetterJob>();
  /** Jobs waiting for their body to be loaded, in the order they started. */
  private readonly waiting = new Deque<DeadLetterJob>();
  private loading = false;
  private handedBytes = 0;
  private handed = 0;

  constructor(
    private readonly host: DeadLettererHost,
    private readonly hook: DeadLetterHook | null,
  ) {}

  /** Whether dead letters go anywhere (else they are dropped). */
  enabled(): boolean {
    return this.hook !== null && this.host.target() !== null;
  }

  start(job: DeadLetterJob): void {
    this.jobs.add(job);
    this.waiting.push(job);
    this.pump();
  }

  /** A message rejected at publish (reject-publish-dlx): never stored, so nothing to settle. */
  async rejected(message: Message): Promise<void> {
    const { message: dead, count } = annotateDeath(message, this.host.name, 'maxlen', this.host.clock.now());
    await this.hook!(dead, deadLetterInfo(this.host.name, this.host.target()!, 'maxlen', count));
  }

  /** Loads the next waiting job's body, unless a load runs or the hook holds its budget. */
  private pump(): void {
    const h = this.host;
    if (this.loading || h.isClosed()) return;
    const job = this.waiting.at(0);
    if (job === undefined) return;
    if (this.handed > 0 && this.handedBytes + job.size > h.inFlightBytes) return; // a hand-over's end pumps
    this.waiting.shift();
    this.loading = true;
    h.load(job.offset).then(
      (msg) => {
        this.loading = false;
        this.handOver(job, msg);
        this.pump();
      },
      () => {
        this.loading = false;
        this.retry(job);
        this.pump();
      },
    );
  }

  /** Calls the hook with the loaded body (synchronously, so hand-overs keep the load order). */
  private handOver(job: DeadLetterJob, msg: Message | null): void {
    const h = this.host;
    if (h.isClosed()) return;
    const target = h.target();
    if (msg === null || target === null) {
      this.finish(job, msg !== null);
      return;
    }
    let stored: Promise<void>;
    try {
      const { message, count } = annotateDeath(msg, h.name, job.reason, h.clock.now());
      stored = this.hook!(message, deadLetterInfo(h.name, target, job.reason, count));
    } catch {
      this.retry(job);
      return;
    }
    this.handed++;
    this.handedBytes += job.size;
    const done = (ok: boolean): void => {
      this.handed--;
      this.handedBytes -= job.size;
      if (ok) this.finish(job, true);
      else this.retry(job);
      this.pump();
    };
    stored.then(
      () => done(true),
      () => done(false),
    );
  }

  private finish(job: DeadLetterJob, dead: boolean): void {
    if (this.host.isClosed() || !this.jobs.delete(job)) return;
    this.host.finished(job, dead);
  }

  /** After a failed read or hook: tried again after retryMs (behind the jobs waiting then). */
  private retry(job: DeadLetterJob): void {
    const h = this.host;
    if (h.isClosed()) return;
    h.scheduler.after(h.retryMs, () => {
      if (h.isClosed()) return;
      this.waiting.push(job);
      this.pump();
    });
  }
}
