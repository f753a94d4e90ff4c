/**
 * A FIFO of ready messages, stored as runs: consecutive offsets with the same size and expiry
 * collapse into one run (start, count, size, expiresAt). A backlog of plain, same-sized
 * messages is a handful of runs whatever its length, so a queue holds its backlog on disk, not
 * in the heap. Worst case (every message different) is 32 bytes per message. The runs live in
 * one interleaved Float64Array ring, so an idle lane (one per FIFO group) costs one small buffer.
 *
 * Must hold: `length` is the sum of run counts, `bytes` the sum of count * size; a lane never
 * holds an offset twice (the caller moves each message between exactly one structure).
 */

const START = 0;
const COUNT = 1;
const SIZE = 2;
const EXPIRES = 3;
const W = 4; // doubles per run

export class Lane {
  private ring: Float64Array;
  /** Ring of runs: index (in runs) of the head run and number of runs. */
  private head = 0;
  private runs = 0;
  /** Messages in the lane. */
  length = 0;
  /** Sum of message sizes. */
  bytes = 0;

  constructor(initialRuns = 4) {
    this.ring = new Float64Array(initialRuns * W);
  }

  get runCount(): number {
    return this.runs;
  }

  private get cap(): number {
    return this.ring.length / W;
  }

  /** Array index of run k (0 = head). */
  private at(k: number): number {
    return ((this.head + k) % this.cap) * W;
  }

  private grow(): void {
    const cap = this.cap;
    const next = new Float64Array(cap * 2 * W);
    for (let k = 0; k < this.runs; k++) next.set(this.ring.subarray(this.at(k), this.at(k) + W), k * W);
    this.ring = next;
    this.head = 0;
  }

  pushBack(offset: number, size: number, expiresAt: number): void {
    this.length++;
    this.bytes += size;
    const r = this.ring;
    if (this.runs > 0) {
      const t = this.at(this.runs - 1);
      if (r[t + START]! + r[t + COUNT]! === offset && r[t + SIZE] === size && r[t + EXPIRES] === expiresAt) {
        r[t + COUNT]!++;
        return;
      }
    }
    if (this.runs === this.cap) this.grow();
    this.set(this.at(this.runs), offset, size, expiresAt);
    this.runs++;
  }

  /** Appends count consecutive offsets from start, all alike (recovery). */
  pushBackRun(start: number, count: number, size: number, expiresAt: number): void {
    if (count <= 0) return;
    this.pushBack(start, size, expiresAt);
    if (count === 1) return;
    const t = this.at(this.runs - 1);
    this.ring[t + COUNT]! += count - 1;
    this.length += count - 1;
    this.bytes += (count - 1) * size;
  }

  pushFront(offset: number, size: number, expiresAt: number): void {
    this.length++;
    this.bytes += size;
    const r = this.ring;
    if (this.runs > 0) {
      const h = this.head * W;
      if (r[h + START] === offset + 1 && r[h + SIZE] === size && r[h + EXPIRES] === expiresAt) {
        r[h + START] = offset;
        r[h + COUNT]!++;
        return;
      }
    }
    if (this.runs === this.cap) this.grow();
    this.head = (this.head - 1 + this.cap) % this.cap;
    this.set(this.head * W, offset, size, expiresAt);
    this.runs++;
  }

  private set(i: number, start: number, size: number, expiresAt: number): void {
    const r = this.ring;
    r[i + START] = start;
    r[i + COUNT] = 1;
    r[i + SIZE] = size;
    r[i + EXPIRES] = expiresAt;
  }

  /** Offset of the first message; -1 when empty. */
  headOffset(): number {
    return this.runs === 0 ? -1 : this.ring[this.head * W + START]!;
  }
  headSize(): number {
    return this.runs === 0 ? 0 : this.ring[this.head * W + SIZE]!;
  }
  headExpiresAt(): number {
    return this.runs === 0 ? Infinity : this.ring[this.head * W + EXPIRES]!;
  }

  /** Removes the first message (the caller read it with head*()). */
  shift(): void {
    if (this.runs === 0) return;
    const h = this.head * W;
    const r = this.ring;
    this.length--;
    this.bytes -= r[h + SIZE]!;
    if (r[h + COUNT] === 1) {
      this.head = (this.head + 1) % this.cap;
      this.runs--;
    } else {
      r[h + START]!++;
      r[h + COUNT]!--;
    }
  }

  /** Visits runs front to back. */
  forEachRun(fn: (start: number, count: number, size: number, expiresAt: number) => void): void {
    const r = this.ring;
    for (let k = 0; k < this.runs; k++) {
      const i = this.at(k);
      fn(r[i + START]!, r[i + COUNT]!, r[i + SIZE]!, r[i + EXPIRES]!);
    }
  }

  clear(): void {
    this.head = 0;
    this.runs = 0;
    this.length = 0;
    this.bytes = 0;
    if (this.ring.length > 1024 * W) this.ring = new Float64Array(4 * W);
  }
}
