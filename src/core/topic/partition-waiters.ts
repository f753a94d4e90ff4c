/**
 * Wake-ups on topic appends: a reader that has caught up with a partition's end (a Kafka Fetch
 * long-poll, an AMQP stream consumer) registers here and is woken when an append to one of its
 * partitions becomes readable. Each vhost has one; Topic.appendBatch, the only way records reach
 * a topic, notifies it, so appends from every protocol wake every reader.
 *
 * A waiter registers for a set of partitions and is removed (from all of them) when it fires or
 * is cancelled, so the map holds only live waits and an idle reader costs no timer.
 */
export class PartitionWaiters {
  private readonly byKey = new Map<string, Set<() => void>>();

  static key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  /** Calls wake once, at the first notify of any of the keys; returns a cancel function. */
  wait(keys: readonly string[], wake: () => void): () => void {
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

  /**
   * Wakes every waiter of the key (from `key()`; appenders keep theirs, so an append allocates
   * nothing here). The set is detached first: a woken reader that waits again at once joins a
   * fresh set and is not woken twice by this call.
   */
  notify(key: string): void {
    const set = this.byKey.get(key);
    if (!set) return;
    this.byKey.delete(key);
    for (const fire of set) fire();
  }

  /** How many readers wait on the key now (for tests and stats). */
  waiting(key: string): number {
    return this.byKey.get(key)?.size ?? 0;
  }
}
