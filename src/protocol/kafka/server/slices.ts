/**
 * Handlers that work through a client-sized array (up to DecodeLimits.maxElements entries, many
 * of which need no I/O: unknown topics, latest offsets, invalid partitions) let other
 * connections in between slices of it, so that one request cannot hold the event loop for the
 * whole of it. Per element, `if (slices.due()) await slices.turn()` costs a counter; every
 * CHECK_EVERY elements it reads the clock, and once SLICE_MS have passed since the last turn the
 * handler waits one turn of the event loop.
 *
 * Only where the connection's later requests may run in between without harm: reads, and
 * handlers that already wait for I/O between elements (creating or deleting topics). A pipelined
 * request starts while an earlier one waits, so Produce and OffsetCommit, whose effects must
 * follow request order, are not sliced.
 */
export const SLICE_MS = 10;
const CHECK_EVERY = 64;

export class Slices {
  private n = 0;
  private since = performance.now();

  /** True when the caller should await turn() before its next element. */
  due(): boolean {
    if (++this.n % CHECK_EVERY !== 0) return false;
    return performance.now() - this.since >= SLICE_MS;
  }

  /** Waits until the I/O and timers pending now have had their turn. */
  async turn(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.since = performance.now();
  }
}
