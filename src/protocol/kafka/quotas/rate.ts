/**
 * A rate over sampled windows, measured as Kafka measures quota rates (its Rate over a
 * SampledStat): `samples` windows of `windowMs`, the oldest dropped once no event has touched it
 * for samples × windowMs, and the elapsed time counted as at least samples - 1 full windows,
 * so a burst right after a quiet spell is spread over ten seconds, not over its own millisecond.
 */
interface Sample {
  start: number;
  last: number;
  value: number;
}

export class SampledRate {
  /** One more slot than samples: the window that overlaps the start of the measured span. */
  private readonly slots: Sample[] = [];
  private current = 0;
  /** When the rate was last recorded to (for forgetting idle clients). */
  lastUsedMs: number;

  constructor(private readonly samples: number, private readonly windowMs: number, now: number) {
    this.slots.push({ start: now, last: now, value: 0 });
    this.lastUsedMs = now;
  }

  record(value: number, now: number): void {
    let s = this.slots[this.current]!;
    if (now - s.start >= this.windowMs) {
      this.current = (this.current + 1) % (this.samples + 1);
      s = this.slots[this.current] ??= { start: now, last: now, value: 0 };
      s.start = now;
      s.value = 0;
    }
    s.value += value;
    s.last = now;
    this.lastUsedMs = now;
  }

  /** The span the rate is measured over, in ms (at least samples - 1 windows). */
  windowSizeMs(now: number): number {
    this.purge(now);
    let oldest = Infinity;
    for (const s of this.slots) oldest = Math.min(oldest, s.start);
    let elapsed = now - oldest;
    const full = Math.floor(elapsed / this.windowMs);
    if (full < this.samples - 1) elapsed += (this.samples - 1 - full) * this.windowMs;
    return Math.max(elapsed, 1);
  }

  /** Per second. */
  measure(now: number): number {
    const size = this.windowSizeMs(now);
    let total = 0;
    for (const s of this.slots) total += s.value;
    return (total * 1000) / size;
  }

  private purge(now: number): void {
    const expireMs = this.samples * this.windowMs;
    for (const s of this.slots) {
      if (now - s.last >= expireMs) {
        s.start = now;
        s.last = now;
        s.value = 0;
      }
    }
  }
}
