/**
 * Reusable memory for request frames that arrive in several socket chunks (every large
 * Produce request does). Without it each such frame is a fresh allocation of its full size:
 * malloc and free of a GB per GB produced, and external-memory pressure that makes V8 run
 * full collections (67 per GB produced without the pool, 51 with it; bench/RESULTS.md).
 *
 * Buffers come in power-of-two capacities from minBufferBytes up; a frame gets a view of the
 * first `size` bytes of one. `release` takes a frame back once nothing refers to its bytes any
 * more: only the caller can know that (the connection does it for APIs whose handlers promise
 * to keep no reference, see HandlerEntry.releasesRequest). A frame never released is simply
 * garbage collected. At most maxPooledBytes are kept idle; frames above maxBufferBytes are
 * allocated and dropped as before.
 */
export interface FramePoolOptions {
  /** Idle bytes kept for reuse, across all connections. */
  maxPooledBytes: number;
  /** Smallest buffer handed out (smaller frames round up to it). */
  minBufferBytes: number;
  /** Frames larger than this are not pooled. */
  maxBufferBytes: number;
}

export const defaultFramePoolOptions: FramePoolOptions = {
  maxPooledBytes: 64 * 1024 * 1024,
  minBufferBytes: 64 * 1024,
  maxBufferBytes: 16 * 1024 * 1024,
};

export class FramePool {
  /** free[k]: idle buffers of capacity minBufferBytes << k. */
  private readonly free: ArrayBuffer[][] = [];
  private idleBytes = 0;
  /** Counters for tests and benchmarks. */
  readonly stats = { taken: 0, reused: 0, released: 0 };

  constructor(private readonly opts: FramePoolOptions = defaultFramePoolOptions) {}

  /** Whether a frame of `size` bytes comes from this pool (small ones are cheap to allocate). */
  pools(size: number): boolean {
    return size >= this.opts.minBufferBytes && size <= this.opts.maxBufferBytes;
  }

  /** A buffer of exactly `size` bytes (uninitialised), pooled when pools(size). */
  take(size: number): Buffer {
    if (!this.pools(size)) return Buffer.allocUnsafe(size);
    this.stats.taken++;
    const k = this.classOf(size);
    const idle = this.free[k]?.pop();
    if (idle !== undefined) {
      this.idleBytes -= idle.byteLength;
      this.stats.reused++;
      return Buffer.from(idle, 0, size);
    }
    // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared 8 KiB pool.
    return Buffer.allocUnsafeSlow(this.opts.minBufferBytes * 2 ** k).subarray(0, size);
  }

  /** Gives back a frame from take() (or a view of one) whose bytes nobody refers to any more. */
  release(frame: Uint8Array): void {
    const ab = frame.buffer;
    const cap = ab.byteLength;
    if (!(ab instanceof ArrayBuffer) || cap < this.opts.minBufferBytes || cap > this.opts.maxBufferBytes || this.idleBytes + cap > this.opts.maxPooledBytes) return;
    const k = this.classOf(cap);
    if (this.opts.minBufferBytes * 2 ** k !== cap) return; // not a capacity take() allocates
    this.stats.released++;
    this.idleBytes += cap;
    (this.free[k] ??= []).push(ab);
  }

  private classOf(size: number): number {
    return Math.max(0, Math.ceil(Math.log2(size / this.opts.minBufferBytes)));
  }
}
