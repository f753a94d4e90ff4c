/**
 * The deduplication window (SQS FIFO): a publish whose dedupe id was accepted within the last
 * windowMs is accepted again but not enqueued, and answers with the original's offset. Entries
 * expire in insertion order (the window is the same for all), so the Map's own order is the
 * expiry queue and a sweep looks only at its front.
 *
 * A publish still being appended is in `pending`; a duplicate of it waits for its outcome.
 */
export interface DedupEntry {
  offset: number;
  expiresAt: number;
}

export class DedupWindow {
  private readonly entries = new Map<string, DedupEntry>();
  private readonly pending = new Map<string, Promise<number>>();

  get size(): number {
    return this.entries.size;
  }

  /** The original's offset (or its pending append), or undefined if id is not in the window. */
  lookup(id: string, now: number): number | Promise<number> | undefined {
    const p = this.pending.get(id);
    if (p !== undefined) return p;
    const e = this.entries.get(id);
    if (e === undefined) return undefined;
    if (e.expiresAt <= now) {
      this.entries.delete(id);
      return undefined;
    }
    return e.offset;
  }

  /** Registers a publish in progress; call settle() or abandon() when it is done. */
  begin(id: string, outcome: Promise<number>): void {
    this.pending.set(id, outcome);
  }

  commit(id: string, offset: number, expiresAt: number): void {
    this.pending.delete(id);
    this.entries.delete(id); // re-insert at the back to keep expiry order
    this.entries.set(id, { offset, expiresAt });
  }

  abandon(id: string): void {
    this.pending.delete(id);
  }

  /** Forgets expired entries (from the front). */
  sweep(now: number): void {
    for (const [id, e] of this.entries) {
      if (e.expiresAt > now) break;
      this.entries.delete(id);
    }
  }

  forEach(fn: (id: string, e: DedupEntry) => void): void {
    for (const [id, e] of this.entries) fn(id, e);
  }
}
