/**
 * Dead-lettering, as an operator sees it: one log line per queue per interval with how many
 * messages it dead-lettered and why, instead of a line per message (a queue can dead-letter
 * thousands a second). Nothing is logged, and no timer runs, while nothing is dead-lettered.
 */
import type { Logger } from '../../server/logger.js';
import type { DeadLetterReason } from '../queue/types.js';

/** One line per queue per this interval at most. */
export const DEAD_LETTER_LOG_INTERVAL_MS = 10_000;

interface Counts {
  total: number;
  rejected: number;
  expired: number;
  maxlen: number;
  delivery_limit: number;
  exchange: string;
}

export class DeadLetterLog {
  private readonly counts = new Map<string, Counts>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly vhost: string,
    private readonly logger: Logger,
    private readonly intervalMs = DEAD_LETTER_LOG_INTERVAL_MS,
  ) {}

  /** A message of `queue` was dead-lettered to `exchange`. */
  count(queue: string, reason: DeadLetterReason, exchange: string): void {
    let c = this.counts.get(queue);
    if (c === undefined) this.counts.set(queue, (c = { total: 0, rejected: 0, expired: 0, maxlen: 0, delivery_limit: 0, exchange }));
    c.total++;
    c[reason]++;
    c.exchange = exchange;
    if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Logs what was counted and starts counting afresh. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const [queue, c] of this.counts) {
      this.logger.info(`queue '${queue}' dead-lettered ${c.total} message(s) to exchange '${c.exchange}'`, {
        event: 'queue.dead_lettered',
        vhost: this.vhost,
        queue,
        count: c.total,
        rejected: c.rejected || undefined,
        expired: c.expired || undefined,
        maxlen: c.maxlen || undefined,
        deliveryLimit: c.delivery_limit || undefined,
        exchange: c.exchange,
        intervalMs: this.intervalMs,
      });
    }
    this.counts.clear();
  }
}
