/**
 * Runs slow password hashes (scrypt) a few at a time. node:crypto's scrypt runs on libuv's
 * thread pool (4 threads by default), the same pool that serves every file read, write and
 * fsync; without a bound, a burst of logins would fill the pool and stall the storage behind
 * the hashes (publisher confirms wait on fsyncs). Hashes wait in arrival order; since
 * LoginThrottle lets each client address have at most one login in progress, the queue holds
 * at most one hash per address, so one address cannot push everyone else back.
 */
export class HashSlots {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  /** Hashes run so far (diagnostics; tests use it to see which logins took the slow path). */
  completed = 0;

  constructor(readonly concurrencyMax: number) {
    if (!Number.isInteger(concurrencyMax) || concurrencyMax < 1) throw new RangeError('concurrencyMax must be an integer >= 1');
  }

  /** Hashes waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(hash: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrencyMax) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running++;
    try {
      return await hash();
    } finally {
      this.completed++;
      const next = this.queue.shift();
      // The slot passes straight to the next hash; `running` counts it already.
      if (next !== undefined) next();
      else this.running--;
    }
  }
}
