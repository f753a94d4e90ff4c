/**
 * Recovering a log's producer state on open (logs opened with `producers`), as a replayer of
 * segment-replay.ts, the way Kafka loads its producer snapshots: the latest sound .snapshot
 * that fits its segment is loaded, and only the batches after its offset are replayed.
 *
 * - after a clean stop: the active segment's snapshot from the close is as of the log end, so
 *   nothing is replayed;
 * - after a crash: the active segment's snapshot (from its roll, or a clean close since) is
 *   loaded and the batches appended since are replayed (recoverLog has just read them anyway);
 * - a snapshot that is missing, damaged or past its segment's end (data it covered was lost) is
 *   passed over for the one before; every segment replayed from its base gets its snapshot
 *   written back, as its roll would have, so the next open is cheap again; with no snapshot at
 *   all (a new log, or one written by a Hopper without them) the state starts empty at the first
 *   segment: for an old log that is one full pass, once.
 *
 * So an open reads one file, or a few after damage, plus what a crash left, whatever the log's
 * length. A snapshot carries the producers of every earlier segment, so it stays exact after
 * retention deleted them. Approximate only when no remaining segment has a sound snapshot and
 * retention deleted earlier ones (producers seen only there are unknown, and so accepted as
 * new), or when compaction removed a producer's batches from a segment that must be replayed.
 */
import type { BatchHeader } from '../codec/record-batch.js';
import type { StorageFs } from '../fs/types.js';
import { encodeProducerSnapshot, readProducerSnapshot, writeProducerSnapshot } from './producer-snapshot-file.js';
import { ProducerStates } from './producer-state.js';
import type { SegmentReplayer } from './segment-replay.js';
import type { Segment } from './segment.js';

export class ProducerRecovery implements SegmentReplayer {
  producers = new ProducerStates();
  /** Segments whose .snapshot was missing or unsound and was written back. */
  rebuilt = 0;
  /** The segment whose snapshot was loaded (-1: none) and the offset it is as of. */
  private loadedAt = -1;
  private loadedOffset = 0;
  /** A damaged batch stopped a replay: later state is not written back. */
  private damaged = false;

  constructor(
    private readonly fs: StorageFs,
    private readonly segments: readonly Segment[],
  ) {}

  async begin(i: number, seg: Segment): Promise<number> {
    if (i === 0) await this.loadLatest();
    if (i < this.loadedAt) return Infinity;
    if (i === this.loadedAt) return this.loadedOffset;
    // Without any snapshot the state starts empty at the first segment, file or not.
    if (i > 0 && !this.damaged) {
      await writeProducerSnapshot(this.fs, seg, encodeProducerSnapshot(seg.base, this.producers));
      this.rebuilt++;
    }
    return seg.base;
  }

  apply(h: BatchHeader, _bytes: Buffer, _at: number): void {
    this.producers.note(h, h.baseOffset);
  }

  async end(_i: number, _seg: Segment, _sealed: boolean, sound: boolean): Promise<void> {
    if (!sound) this.damaged = true;
  }

  private async loadLatest(): Promise<void> {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i]!;
      const snap = await readProducerSnapshot(this.fs, seg);
      if (snap === null || snap.offset > seg.endOffset) continue;
      this.producers = snap.producers;
      this.loadedAt = i;
      this.loadedOffset = snap.offset;
      return;
    }
  }
}
