/**
 * The queue's one timer: armed for the earliest thing due (a visibility deadline, a delay, a
 * TTL at a lane head, a long-poll deadline, idle expiry, a checkpoint). Re-arming for a later
 * time than the armed one is a no-op: the early wake-up finds nothing due and re-arms.
 */
import type { Clock } from '../../storage/types.js';
import type { Scheduler, TimerHandle } from './time.js';

export class WakeTimer {
  private handle: TimerHandle | null = null;
  /** When the armed timer fires (Infinity: not armed). */
  at = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly fire: () => void,
  ) {}

  /** Makes sure the timer fires no later than `at` (Infinity: nothing due, disarm). */
  arm(at: number): void {
    if (at === Infinity) return this.cancel();
    if (this.handle !== null && this.at <= at) return;
    this.handle?.cancel();
    this.at = at;
    this.handle = this.scheduler.after(at - this.clock.now(), () => {
      this.handle = null;
      this.at = Infinity;
      this.fire();
    });
  }

  cancel(): void {
    this.handle?.cancel();
    this.handle = null;
    this.at = Infinity;
  }
}
