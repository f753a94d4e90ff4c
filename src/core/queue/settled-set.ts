/**
 * Which offsets are settled (acked, dead-lettered, dropped, expired, purged): everything below
 * `floor`, plus disjoint sorted intervals [start, end) above it. Settles arrive mostly in order,
 * so the intervals stay few and extend at the ends; a lone long-held lease costs one interval.
 *
 * Must hold: intervals are sorted, disjoint, non-adjacent, and all start above floor.
 */
import { assert } from '../errors.js';

export class SettledSet {
  floor: number;
  private starts = new Float64Array(16);
  private ends = new Float64Array(16);
  private n = 0;

  constructor(floor = 0) {
    this.floor = floor;
  }

  get intervalCount(): number {
    return this.n;
  }

  has(offset: number): boolean {
    if (offset < this.floor) return true;
    const i = this.indexAfter(offset) - 1;
    return i >= 0 && offset < this.ends[i]!;
  }

  /** Index of the first interval whose start is > offset. */
  private indexAfter(offset: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(offset: number): void {
    // Fast path: acks in delivery order settle the floor itself.
    if (offset === this.floor) {
      this.floor++;
      if (this.n > 0 && this.starts[0] === this.floor) {
        this.floor = this.ends[0]!;
        this.removeAt(0, 1);
      }
      return;
    }
    this.addRange(offset, offset + 1);
  }

  /** Marks [start, end) settled. Already-settled parts are fine. */
  addRange(start: number, end: number): void {
    if (end <= this.floor) return;
    start = Math.max(start, this.floor);
    // First interval that could touch [start, end): the one before start (adjacent allowed).
    let i = this.indexAfter(start) - 1;
    if (i < 0 || this.ends[i]! < start) i++;
    let j = i;
    let s = start;
    let e = end;
    while (j < this.n && this.starts[j]! <= e) {
      s = Math.min(s, this.starts[j]!);
      e = Math.max(e, this.ends[j]!);
      j++;
    }
    // Replace intervals [i, j) by [s, e).
    const removed = j - i;
    if (removed === 0) this.insertAt(i, s, e);
    else {
      this.starts[i] = s;
      this.ends[i] = e;
      if (removed > 1) this.removeAt(i + 1, removed - 1);
    }
    this.absorbFloor();
  }

  private insertAt(i: number, s: number, e: number): void {
    if (this.n === this.starts.length) {
      const ns = new Float64Array(this.n * 2);
      const ne = new Float64Array(this.n * 2);
      ns.set(this.starts);
      ne.set(this.ends);
      this.starts = ns;
      this.ends = ne;
    }
    this.starts.copyWithin(i + 1, i, this.n);
    this.ends.copyWithin(i + 1, i, this.n);
    this.starts[i] = s;
    this.ends[i] = e;
    this.n++;
  }

  private removeAt(i: number, k: number): void {
    this.starts.copyWithin(i, i + k, this.n);
    this.ends.copyWithin(i, i + k, this.n);
    this.n -= k;
  }

  private absorbFloor(): void {
    if (this.n > 0 && this.starts[0]! <= this.floor) {
      this.floor = Math.max(this.floor, this.ends[0]!);
      this.removeAt(0, 1);
    }
    assert(this.n === 0 || this.starts[0]! > this.floor, 'settled intervals start above the floor');
  }

  /** Moves the floor up to at least `offset` (offsets below it become settled). */
  raiseFloor(offset: number): void {
    if (offset <= this.floor) return;
    this.floor = offset;
    let k = 0;
    while (k < this.n && this.ends[k]! <= offset) k++;
    if (k > 0) this.removeAt(0, k);
    if (this.n > 0 && this.starts[0]! <= this.floor) {
      this.floor = this.ends[0]!;
      this.removeAt(0, 1);
    }
  }

  forEachInterval(fn: (start: number, end: number) => void): void {
    for (let i = 0; i < this.n; i++) fn(this.starts[i]!, this.ends[i]!);
  }
}
