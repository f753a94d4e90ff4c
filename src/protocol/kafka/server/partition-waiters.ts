/**
 * Wakes long-polling Fetch requests when a partition they read gets appends. A waiter registers
 * for a set of partitions and is removed (from all of them) when it fires or is cancelled, so
 * the map holds only live waits.
 */
export class PartitionWaiters {
  private readonly byKey = new Map<string, Set<() => void>>();
  private closed = false;

  static key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  /** Calls wake once, at the first notify of any of the keys; returns a cancel function. */
  wait(keys: readonly string[], wake: () => void): () => void {
    if (this.closed) {
      queueMicrotask(wake);
      return () => undefined;
    }
    let done = false;
    const fire = (): void => {
      if (done) return;
      cancel();
      wake();
    };
    const cancel = (): void => {
      done = true;
      for (const k of keys) {
        const set = this.byKey.get(k);
        if (!set) continue;
        set.delete(fire);
        if (set.size === 0) this.byKey.delete(k);
      }
    };
    for (const k of keys) {
      let set = this.byKey.get(k);
      if (!set) this.byKey.set(k, (set = new Set()));
      set.add(fire);
    }
    return cancel;
  }

  /** Wakes every waiter now and every later one at once (the endpoint is closing). */
  close(): void {
    this.closed = true;
    for (const set of [...this.byKey.values()]) for (const fire of [...set]) fire();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  notify(topic: string, partition: number): void {
    const set = this.byKey.get(PartitionWaiters.key(topic, partition));
    if (!set) return;
    for (const fire of [...set]) fire();
  }
}
