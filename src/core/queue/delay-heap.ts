/**
 * Messages published with a delay, ordered by due time: a binary min-heap over one interleaved
 * Float64Array (dueAt, offset, size, expiresAt, level), 40 bytes per delayed message, plus a
 * group id per entry on fifo queues. It holds no message bodies: a due message moves to its
 * ready lane and is read from the log like any other. Rebuilt on recovery from the stored
 * due times (the queue header of each delayed message, see queue-header.ts).
 *
 * Must hold: heap order on dueAt, ties broken by offset (so equal due times keep publish order).
 */

const DUE = 0;
const OFFSET = 1;
const SIZE = 2;
const EXPIRES = 3;
const LEVEL = 4;
const W = 5;

export interface DelayedEntry {
  dueAt: number;
  offset: number;
  size: number;
  expiresAt: number;
  level: number;
  groupId: string | null;
}

export class DelayHeap {
  private a = new Float64Array(16 * W);
  private groups: (string | null)[] = [];
  length = 0;
  bytes = 0;
  /** Scratch record filled by pop(). */
  readonly top: DelayedEntry = { dueAt: 0, offset: 0, size: 0, expiresAt: Infinity, level: 0, groupId: null };

  /** Due time of the earliest entry; Infinity when empty. */
  nextDueAt(): number {
    return this.length === 0 ? Infinity : this.a[DUE]!;
  }

  push(dueAt: number, offset: number, size: number, expiresAt: number, level: number, groupId: string | null): void {
    if ((this.length + 1) * W > this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    let i = this.length++;
    this.bytes += size;
    this.write(i, dueAt, offset, size, expiresAt, level, groupId);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Removes the earliest entry into `top`; false when empty. */
  pop(): boolean {
    if (this.length === 0) return false;
    const t = this.top;
    const a = this.a;
    t.dueAt = a[DUE]!;
    t.offset = a[OFFSET]!;
    t.size = a[SIZE]!;
    t.expiresAt = a[EXPIRES]!;
    t.level = a[LEVEL]!;
    t.groupId = this.groups[0] ?? null;
    this.bytes -= t.size;
    const last = --this.length;
    if (last > 0) {
      this.swap(0, last);
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        const c = r < last && this.less(r, l) ? r : l;
        if (!this.less(c, i)) break;
        this.swap(i, c);
        i = c;
      }
    }
    if (this.groups.length > 0) this.groups.length = this.length;
    return true;
  }

  /** Visits every entry (any order). */
  forEach(fn: (e: DelayedEntry) => void): void {
    const e: DelayedEntry = { dueAt: 0, offset: 0, size: 0, expiresAt: 0, level: 0, groupId: null };
    for (let i = 0; i < this.length; i++) {
      const k = i * W;
      e.dueAt = this.a[k + DUE]!;
      e.offset = this.a[k + OFFSET]!;
      e.size = this.a[k + SIZE]!;
      e.expiresAt = this.a[k + EXPIRES]!;
      e.level = this.a[k + LEVEL]!;
      e.groupId = this.groups[i] ?? null;
      fn(e);
    }
  }

  clear(): void {
    this.length = 0;
    this.bytes = 0;
    this.groups = [];
    if (this.a.length > 4096 * W) this.a = new Float64Array(16 * W);
  }

  private write(i: number, dueAt: number, offset: number, size: number, expiresAt: number, level: number, groupId: string | null): void {
    const k = i * W;
    const a = this.a;
    a[k + DUE] = dueAt;
    a[k + OFFSET] = offset;
    a[k + SIZE] = size;
    a[k + EXPIRES] = expiresAt;
    a[k + LEVEL] = level;
    if (groupId !== null || this.groups.length > 0) {
      while (this.groups.length <= i) this.groups.push(null);
      this.groups[i] = groupId;
    }
  }

  private less(i: number, j: number): boolean {
    const a = this.a;
    const di = a[i * W + DUE]!;
    const dj = a[j * W + DUE]!;
    return di < dj || (di === dj && a[i * W + OFFSET]! < a[j * W + OFFSET]!);
  }

  private swap(i: number, j: number): void {
    const a = this.a;
    const ki = i * W;
    const kj = j * W;
    for (let f = 0; f < W; f++) {
      const t = a[ki + f]!;
      a[ki + f] = a[kj + f]!;
      a[kj + f] = t;
    }
    if (this.groups.length > 0) {
      while (this.groups.length <= Math.max(i, j)) this.groups.push(null);
      const g = this.groups[i]!;
      this.groups[i] = this.groups[j]!;
      this.groups[j] = g;
    }
  }
}
