/**
 * A segment's sparse time index in memory (timestamps as float64, exact to 2^53 ms). See
 * TimeIndexEntry in layout.ts for what an entry promises; `parse` checks the order that promise
 * needs (timestamps rise strictly, relative offsets never fall) before a file is trusted.
 */
import { assert } from '../../core/errors.js';
import { TimeIndexEntry } from './layout.js';

const INITIAL_CAPACITY = 16;
const TWO_POW_32 = 2 ** 32;

export class TimeIndex {
  private ts: Float64Array;
  private rel: Uint32Array;
  count = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.ts = new Float64Array(capacity);
    this.rel = new Uint32Array(capacity);
  }

  append(timestamp: number, relativeOffset: number): void {
    assert(
      this.count === 0 || (timestamp > this.ts[this.count - 1]! && relativeOffset >= this.rel[this.count - 1]!),
      'time index timestamps rise strictly and offsets never fall',
    );
    if (this.count === this.ts.length) this.grow();
    this.ts[this.count] = timestamp;
    this.rel[this.count] = relativeOffset;
    this.count++;
  }

  /** Largest timestamp recorded, or -1 (Kafka's NO_TIMESTAMP) when empty. */
  lastTimestamp(): number {
    return this.count === 0 ? -1 : this.ts[this.count - 1]!;
  }

  lastRel(): number {
    return this.count === 0 ? 0 : this.rel[this.count - 1]!;
  }

  /** Relative offset of the last entry with timestamp < target (0 when none): where a search for `target` may start. */
  startFor(target: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < target) {
        found = this.rel[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Drops entries whose relative offset is >= rel. */
  truncateFromRel(rel: number): void {
    while (this.count > 0 && this.rel[this.count - 1]! >= rel) this.count--;
  }

  toBytes(): Buffer {
    const out = Buffer.allocUnsafe(this.count * TimeIndexEntry.bytes);
    for (let i = 0; i < this.count; i++) {
      const at = i * TimeIndexEntry.bytes;
      const t = this.ts[i]!;
      const hi = Math.floor(t / TWO_POW_32);
      out.writeInt32BE(hi, at + TimeIndexEntry.timestamp);
      out.writeUInt32BE(t - hi * TWO_POW_32, at + TimeIndexEntry.timestamp + 4);
      out.writeUInt32BE(this.rel[i]!, at + TimeIndexEntry.relativeOffset);
    }
    return out;
  }

  static parse(bytes: Buffer): TimeIndex | null {
    if (bytes.length % TimeIndexEntry.bytes !== 0) return null;
    const n = bytes.length / TimeIndexEntry.bytes;
    const index = new TimeIndex(Math.max(n, INITIAL_CAPACITY));
    for (let i = 0; i < n; i++) {
      const at = i * TimeIndexEntry.bytes;
      const t =
        bytes.readInt32BE(at + TimeIndexEntry.timestamp) * TWO_POW_32 + bytes.readUInt32BE(at + TimeIndexEntry.timestamp + 4);
      const r = bytes.readUInt32BE(at + TimeIndexEntry.relativeOffset);
      if (!Number.isSafeInteger(t)) return null;
      if (i > 0 && (t <= index.ts[i - 1]! || r < index.rel[i - 1]!)) return null;
      index.ts[i] = t;
      index.rel[i] = r;
    }
    index.count = n;
    return index;
  }

  private grow(): void {
    const ts = new Float64Array(this.ts.length * 2);
    const rel = new Uint32Array(this.rel.length * 2);
    ts.set(this.ts);
    rel.set(this.rel);
    this.ts = ts;
    this.rel = rel;
  }
}
