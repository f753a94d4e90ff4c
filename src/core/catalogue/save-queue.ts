/**
 * Group commit for a whole-file save. `request()` asks for a save covering every change made
 * so far and resolves when one is durable: requests that arrive while a save runs share the
 * next one, so N concurrent requests cost at most two writes.
 *
 * `write` must capture what it saves synchronously, before its first await: that is what
 * makes "a change made before request() is in the save request() waits for" true.
 *
 * After a failed write the queue stops: that request and every later one reject with the same
 * error (the caller decides what a failure means; the catalogue turns read-only).
 */

interface Waiters {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: Error) => void;
}

function waiters(): Waiters {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The failure is also kept in `failure`; a caller that drops the promise must not crash
  // the process with an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export class SaveQueue {
  /** Waiters for changes not yet in any save: they go into the next one. */
  private pending: Waiters | null = null;
  /** Waiters for the save being written now. */
  private inFlight: Waiters | null = null;
  private failed: Error | null = null;

  constructor(
    private readonly write: () => Promise<void>,
    private readonly wrapError: (e: unknown) => Error = (e) => e as Error,
  ) {}

  get failure(): Error | null {
    return this.failed;
  }

  request(): Promise<void> {
    if (this.failed !== null) return Promise.reject(this.failed);
    this.pending ??= waiters();
    const p = this.pending.promise;
    if (this.inFlight === null) void this.run();
    return p;
  }

  /** Resolves when every request made so far has settled successfully. */
  settled(): Promise<void> {
    if (this.failed !== null) return Promise.reject(this.failed);
    return (this.pending ?? this.inFlight)?.promise ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    while (this.pending !== null) {
      const batch = (this.inFlight = this.pending);
      this.pending = null;
      try {
        await this.write();
      } catch (e) {
        this.failed = this.wrapError(e);
        this.inFlight = null;
        batch.reject(this.failed);
        // Requests made during the failed write were never saved either.
        (this.pending as Waiters | null)?.reject(this.failed);
        this.pending = null;
        return;
      }
      this.inFlight = null;
      batch.resolve();
    }
  }
}
