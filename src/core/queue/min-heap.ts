/**
 * A binary min-heap of values by numeric key, for timers the queue tracks itself (visibility
 * deadlines, long-poll timeouts). Entries are never updated in place: a caller that changes a
 * deadline pushes a new entry and skips stale ones when they surface (lazy deletion), which keeps
 * push and pop O(log n) with no index bookkeeping.
 */
export class MinHeap<T> {
  private keys: number[] = [];
  private values: T[] = [];

  get length(): number {
    return this.keys.length;
  }

  peekKey(): number {
    return this.keys.length === 0 ? Infinity : this.keys[0]!;
  }

  peekValue(): T | undefined {
    return this.values[0];
  }

  push(key: number, value: T): void {
    const k = this.keys;
    const v = this.values;
    let i = k.length;
    k.push(key);
    v.push(value);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p]! <= key) break;
      k[i] = k[p]!;
      v[i] = v[p]!;
      i = p;
    }
    k[i] = key;
    v[i] = value;
  }

  pop(): T | undefined {
    const k = this.keys;
    const v = this.values;
    if (k.length === 0) return undefined;
    const top = v[0];
    const lastKey = k.pop()!;
    const lastVal = v.pop()!;
    const n = k.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && k[r]! < k[l]! ? r : l;
        if (k[c]! >= lastKey) break;
        k[i] = k[c]!;
        v[i] = v[c]!;
        i = c;
      }
      k[i] = lastKey;
      v[i] = lastVal;
    }
    return top;
  }

  clear(): void {
    this.keys = [];
    this.values = [];
  }
}
