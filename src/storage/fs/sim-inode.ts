/**
 * One simulated file's bytes, in two views: what a reader sees now (`data`) and what would
 * survive a crash (`durable`, updated only by sync). Writes record the lowest offset changed
 * since the last sync (`dirtyFrom`), so a sync copies only what changed and a long run of
 * small synced appends stays linear, not quadratic.
 *
 * Invariant: data[0, dirtyFrom) equals durable[0, dirtyFrom) wherever both exist.
 */
import type { SeededRandom } from './sim-faults.js';

const CLEAN = Number.POSITIVE_INFINITY;

export class SimInode {
  private data: Buffer = Buffer.alloc(0);
  private durable: Buffer = Buffer.alloc(0);
  len = 0;
  durableLen = 0;
  private dirtyFrom = CLEAN;

  constructor(readonly id: number) {}

  write(src: Uint8Array, pos: number): void {
    const end = pos + src.length;
    this.ensure(end);
    if (pos > this.len) this.data.fill(0, this.len, pos); // a hole reads as zeros
    this.data.set(src, pos);
    this.markDirty(Math.min(pos, this.len));
    if (end > this.len) this.len = end;
  }

  read(dst: Uint8Array, offset: number, length: number, pos: number): number {
    if (pos >= this.len) return 0;
    const n = Math.min(length, this.len - pos);
    dst.set(this.data.subarray(pos, pos + n), offset);
    return n;
  }

  truncate(size: number): void {
    if (size > this.len) {
      this.ensure(size);
      this.data.fill(0, this.len, size);
      this.markDirty(this.len);
    } else {
      this.markDirty(size);
    }
    this.len = size;
  }

  sync(): void {
    if (this.dirtyFrom === CLEAN && this.durableLen === this.len) return;
    if (this.durable.length < this.len) {
      const grown = Buffer.alloc(Math.max(this.len, this.durable.length * 2));
      this.durable.copy(grown, 0, 0, Math.min(this.durableLen, this.len));
      this.durable = grown;
    }
    const from = Math.min(this.dirtyFrom, this.len);
    this.data.copy(this.durable, from, from, this.len);
    this.durableLen = this.len;
    this.dirtyFrom = CLEAN;
  }

  /**
   * The process died: only the durable view survives. With `torn`, a file that was only
   * appended to since its last sync keeps a random part of the unsynced tail as well, as a
   * disk that persisted some of the pages does.
   */
  crash(torn: SeededRandom | null): void {
    let keep = this.durableLen;
    if (torn !== null && this.dirtyFrom >= this.durableLen && this.len > this.durableLen) {
      keep = this.durableLen + torn.int(this.len - this.durableLen + 1);
      this.sync(); // copy the current bytes into the durable view, then cut both
    }
    this.data = Buffer.from(this.durable.subarray(0, keep));
    this.durable = Buffer.from(this.data);
    this.len = keep;
    this.durableLen = keep;
    this.dirtyFrom = CLEAN;
  }

  /** Test edits between runs: applied to both views at once, as if made on disk. */
  replaceDurably(bytes: Uint8Array): void {
    this.data = Buffer.from(bytes);
    this.durable = Buffer.from(bytes);
    this.len = bytes.length;
    this.durableLen = bytes.length;
    this.dirtyFrom = CLEAN;
  }

  snapshot(): Buffer {
    return Buffer.from(this.data.subarray(0, this.len));
  }

  durableSnapshot(): Buffer {
    return Buffer.from(this.durable.subarray(0, this.durableLen));
  }

  private ensure(size: number): void {
    if (this.data.length >= size) return;
    const grown = Buffer.alloc(Math.max(size, this.data.length * 2, 4096));
    this.data.copy(grown, 0, 0, this.len);
    this.data = grown;
  }

  private markDirty(from: number): void {
    if (from < this.dirtyFrom) this.dirtyFrom = from;
  }
}
