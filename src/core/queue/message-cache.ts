/**
 * Decoded messages for a contiguous window of offsets [lo, hi), in a ring indexed by offset, so
 * a lookup or insert allocates nothing. Two are used: one holds recent publishes (a consumer
 * that keeps up never reads the disk), one holds the last read-ahead chunk from the log.
 *
 * Bounded by slots and bytes: inserting past either evicts from the low end. Entries can also
 * be dropped early (settled messages) so the heap holds little when consumers keep up.
 */
import type { Message } from '../message.js';

export class MessageCache {
  private readonly mask: number;
  private readonly msgs: (Message | undefined)[];
  private readonly offs: Float64Array;
  private readonly sizes: Float64Array;
  /** The window: offsets in [lo, hi) may be present. */
  private lo = 0;
  private hi = 0;
  bytes = 0;

  constructor(
    slotsLog2: number,
    readonly maxBytes: number,
  ) {
    const n = 1 << slotsLog2;
    this.mask = n - 1;
    this.msgs = new Array<Message | undefined>(n);
    this.offs = new Float64Array(n).fill(-1);
    this.sizes = new Float64Array(n);
  }

  get(offset: number): Message | undefined {
    const i = offset & this.mask;
    return this.offs[i] === offset ? this.msgs[i] : undefined;
  }

  /**
   * Adds a message. Offsets must come in increasing order within a window; one that does not
   * continue the window (or jumps back) starts a new window.
   */
  put(offset: number, message: Message, size: number): void {
    if (size > this.maxBytes) {
      // Larger than the whole cache: keeping it would evict everything else, then itself.
      this.delete(offset);
      return;
    }
    this.insert(offset, message, size);
    while (this.bytes > this.maxBytes && this.lo < this.hi) this.evictLow();
  }

  /**
   * Adds a message at the high end without evicting (read-ahead keeps what is needed first);
   * false once the cache is full. An empty cache always takes one, even one larger than
   * maxBytes: the read-ahead's first message is the one a delivery waits for, and a cache that
   * dropped it at once would send the queue back to the log for it forever. So the bound is
   * maxBytes or one message, whichever is larger.
   */
  tryPut(offset: number, message: Message, size: number): boolean {
    if (this.lo !== this.hi && (this.bytes + size > this.maxBytes || offset - this.lo > this.mask || offset < this.hi)) return false;
    if (this.lo === this.hi) this.insert(offset, message, size);
    else this.put(offset, message, size);
    return true;
  }

  private insert(offset: number, message: Message, size: number): void {
    if (offset < this.hi - 1 || offset > this.hi + this.mask) this.clear();
    if (this.lo === this.hi) this.lo = this.hi = offset;
    // Keep within the ring: offset must not overwrite a live slot of the window.
    while (offset - this.lo > this.mask) this.evictLow();
    const i = offset & this.mask;
    if (this.offs[i] === offset) this.bytes -= this.sizes[i]!;
    this.offs[i] = offset;
    this.msgs[i] = message;
    this.sizes[i] = size;
    this.bytes += size;
    if (offset >= this.hi) this.hi = offset + 1;
  }

  delete(offset: number): void {
    const i = offset & this.mask;
    if (this.offs[i] !== offset) return;
    this.offs[i] = -1;
    this.msgs[i] = undefined;
    this.bytes -= this.sizes[i]!;
    while (this.lo < this.hi && this.offs[this.lo & this.mask] !== this.lo) this.lo++;
  }

  private evictLow(): void {
    const i = this.lo & this.mask;
    if (this.offs[i] === this.lo) {
      this.offs[i] = -1;
      this.msgs[i] = undefined;
      this.bytes -= this.sizes[i]!;
    }
    this.lo++;
  }

  clear(): void {
    for (let o = this.lo; o < this.hi && o - this.lo <= this.mask; o++) {
      const i = o & this.mask;
      this.offs[i] = -1;
      this.msgs[i] = undefined;
    }
    this.lo = this.hi = 0;
    this.bytes = 0;
  }
}
