/**
 * The high-water mark of offsets: a durable bound on every offset the log has ever handed out,
 * kept apart from the segments so that it survives what happens to them. When recovery finds
 * fewer records than were handed out (a torn or damaged tail, a lost file, acknowledged appends
 * lost to a crash under fsync interval/never), the log continues above the mark instead of
 * handing the lost offsets out again: offsets never go backwards, so a consumer's committed
 * offset or a queue's settled offsets never point at a different record than they did.
 *
 * The bound is reserved ahead: before an append whose offsets reach the reserved bound is
 * acknowledged, a new bound `reserveOffsets` further on is written (high-water.checkpoint,
 * atomically). Writing starts when the log is within half a reservation of the bound, so an
 * append rarely waits for it: about one small atomic write per reservation. A clean close
 * records the exact end, so a clean restart continues with no gap; after an unclean stop the
 * log may skip up to one reservation of offsets when it cannot prove that nothing was lost.
 */
import { join } from 'node:path';
import type { StorageFs } from '../fs/types.js';
import { decodeHighWater, encodeHighWater, HIGH_WATER_FILE, type HighWaterRecord } from './layout.js';
import { readIfPresent } from './state-file.js';

/** Offsets reserved per high-water write. */
export const RESERVE_OFFSETS = 1 << 20;

export async function readHighWater(fs: StorageFs, dir: string): Promise<HighWaterRecord | null> {
  const bytes = await readIfPresent(fs, join(dir, HIGH_WATER_FILE));
  return bytes === null ? null : decodeHighWater(bytes);
}

export function writeHighWater(fs: StorageFs, dir: string, h: HighWaterRecord): Promise<void> {
  return fs.writeFileAtomic(join(dir, HIGH_WATER_FILE), encodeHighWater(h));
}

/** The running log's reservation. */
export class HighWaterMark {
  /** Every offset below it is covered by what high-water.checkpoint says. */
  private durable: number;
  /** The bound the latest write started will record. */
  private target: number;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly fs: StorageFs,
    private readonly dir: string,
    /** What the file covers now (the recovered record's offset, or the log end if it has none). */
    covered: number,
    /** Called when a write fails: the log fails as after a data write error; returns the error appends get. */
    private readonly onFailure: (err: unknown) => Error,
  ) {
    this.durable = covered;
    this.target = covered;
  }

  /**
   * Offsets below `end` are about to be handed out: null when the file already covers them
   * (the hot path, no allocation), else a promise that resolves once it does. Starts writing a
   * further bound ahead of need.
   */
  cover(end: number): Promise<void> | null {
    if (end + RESERVE_OFFSETS / 2 > this.target) this.extend(end + RESERVE_OFFSETS);
    return end <= this.durable ? null : this.chain;
  }

  private extend(to: number): void {
    this.target = to;
    this.chain = this.chain.then(async () => {
      try {
        await writeHighWater(this.fs, this.dir, { clean: false, offset: to });
      } catch (err) {
        throw this.onFailure(err);
      }
      if (to > this.durable) this.durable = to;
    });
    // Every waiter gets the rejection through its own `cover` promise; the chain goes on.
    this.chain.catch(() => undefined);
  }

  /** At a clean close, after everything is flushed: records the exact end. */
  async close(end: number): Promise<void> {
    await this.chain.catch(() => undefined);
    await writeHighWater(this.fs, this.dir, { clean: true, offset: end });
  }
}
