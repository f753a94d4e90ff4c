/**
 * The queue's time seam. Everything time-based (visibility deadlines, delays, TTL sweeps, long
 * poll timeouts, idle expiry, checkpoints) reads `clock.now()` and waits through a Scheduler,
 * so tests drive time with a ManualTime instead of sleeping.
 */
import type { Clock } from '../../storage/types.js';

export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  /** Runs fn once after about delayMs (clamped to >= 0). Timers never keep the process alive. */
  after(delayMs: number, fn: () => void): TimerHandle;
}

/** Node timers, unref'd so an idle queue does not hold the process open. */
export const systemScheduler: Scheduler = {
  after(delayMs, fn) {
    // Node caps timeouts at 2^31-1 ms; a longer wait simply wakes early and re-arms.
    const t = setTimeout(fn, Math.min(Math.max(0, delayMs), 0x7fff_ffff));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock and scheduler that only move when told to: `advance(ms)` runs the timers that fall
 * due, in time order, each with the clock set to its due time.
 */
export class ManualTime implements Clock, Scheduler {
  private t: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  after(delayMs: number, fn: () => void): TimerHandle {
    const timer: ManualTimer = { at: this.t + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Pending (not cancelled) timers, for tests that check nothing is left armed. */
  get pending(): number {
    return this.timers.filter((x) => !x.cancelled).length;
  }

  /** Moves time forward by ms, firing due timers (including ones they arm) in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers = this.timers.filter((x) => !x.cancelled);
      let next: ManualTimer | undefined;
      for (const x of this.timers) if (x.at <= end && (!next || x.at < next.at || (x.at === next.at && x.seq < next.seq))) next = x;
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }
}
