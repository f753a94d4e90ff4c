/**
 * A segment's sparse offset index, in memory as two typed arrays (relative offset, position).
 * Entry (R, P): the batch whose base offset is segmentBase + R starts at byte P. The first batch
 * (R 0, P 0) is implied and never stored. Both columns rise strictly, which is what lets lookup
 * binary-search and what `parse` checks before an index file is trusted.
 */
import { assert } from '../../core/errors.js';
import { OffsetIndexEntry } from './layout.js';

const INITIAL_CAPACITY = 64;

export class OffsetIndex {
  private rel: Uint32Array;
  private pos: Uint32Array;
  count = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.rel = new Uint32Array(capacity);
    this.pos = new Uint32Array(capacity);
  }

  append(relativeOffset: number, position: number): void {
    assert(
      this.count === 0 || (relativeOffset > this.rel[this.count - 1]! && position > this.pos[this.count - 1]!),
      'offset index entries rise strictly',
    );
    if (this.count === this.rel.length) this.grow();
    this.rel[this.count] = relativeOffset;
    this.pos[this.count] = position;
    this.count++;
  }

  /** Position of the last entry with relative offset <= target (0 when none): a batch start at or before the target's batch. */
  lookup(targetRel: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rel[mid]! <= targetRel) {
        found = this.pos[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The entry found by lookup, as [relativeOffset, position]; [0, 0] when none. */
  floor(targetRel: number): [number, number] {
    let lo = 0;
    let hi = this.count - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rel[mid]! <= targetRel) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at < 0 ? [0, 0] : [this.rel[at]!, this.pos[at]!];
  }

  lastRel(): number {
    return this.count === 0 ? 0 : this.rel[this.count - 1]!;
  }

  lastPosition(): number {
    return this.count === 0 ? 0 : this.pos[this.count - 1]!;
  }

  /** Drops entries at or after byte `position` (recovery rescans and re-adds them). */
  truncateFromPosition(position: number): void {
    while (this.count > 0 && this.pos[this.count - 1]! >= position) this.count--;
  }

  toBytes(): Buffer {
    const out = Buffer.allocUnsafe(this.count * OffsetIndexEntry.bytes);
    for (let i = 0; i < this.count; i++) {
      const at = i * OffsetIndexEntry.bytes;
      out.writeUInt32BE(this.rel[i]!, at + OffsetIndexEntry.relativeOffset);
      out.writeUInt32BE(this.pos[i]!, at + OffsetIndexEntry.position);
    }
    return out;
  }

  /** Parses an index file; null if its size or its order is wrong (then it is rebuilt). */
  static parse(bytes: Buffer): OffsetIndex | null {
    if (bytes.length % OffsetIndexEntry.bytes !== 0) return null;
    const n = bytes.length / OffsetIndexEntry.bytes;
    const index = new OffsetIndex(Math.max(n, INITIAL_CAPACITY));
    for (let i = 0; i < n; i++) {
      const at = i * OffsetIndexEntry.bytes;
      const r = bytes.readUInt32BE(at + OffsetIndexEntry.relativeOffset);
      const p = bytes.readUInt32BE(at + OffsetIndexEntry.position);
      if (i > 0 && (r <= index.rel[i - 1]! || p <= index.pos[i - 1]!)) return null;
      if (r === 0 || p === 0) return null; // the first batch is implied, never stored
      index.rel[i] = r;
      index.pos[i] = p;
    }
    index.count = n;
    return index;
  }

  private grow(): void {
    const rel = new Uint32Array(this.rel.length * 2);
    const pos = new Uint32Array(this.pos.length * 2);
    rel.set(this.rel);
    pos.set(this.pos);
    this.rel = rel;
    this.pos = pos;
  }
}
