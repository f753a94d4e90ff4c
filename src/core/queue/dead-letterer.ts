/**
 * Runs dead letters through the broker's hook, at least once: a message stays unsettled in the
 * source queue (and in its checkpoints, so a restart redoes it) until the hook resolves; a
 * failing hook or read is retried after retryMs. The queue does not route: the hook does.
 */
import type { Message } from '../message.js';
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
  readonly jobs = new Set<DeadLetterJob>();

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
    void this.run(job);
  }

  /** A message rejected at publish (reject-publish-dlx): never stored, so nothing to settle. */
  async rejected(message: Message): Promise<void> {
    const { message: dead, count } = annotateDeath(message, this.host.name, 'maxlen', this.host.clock.now());
    await this.hook!(dead, deadLetterInfo(this.host.name, this.host.target()!, 'maxlen', count));
  }

  private async run(job: DeadLetterJob): Promise<void> {
    const h = this.host;
    let msg: Message | null;
    try {
      msg = await h.load(job.offset);
      if (h.isClosed()) return;
      const target = h.target();
      if (msg !== null && target !== null) {
        const { message, count } = annotateDeath(msg, h.name, job.reason, h.clock.now());
        await this.hook!(message, deadLetterInfo(h.name, target, job.reason, count));
      }
    } catch {
      if (!h.isClosed()) h.scheduler.after(h.retryMs, () => void this.run(job));
      return;
    }
    if (h.isClosed() || !this.jobs.delete(job)) return;
    h.finished(job, msg !== null);
  }
}
