/**
 * Recovering a log's transaction index on open (logs opened with `transactions`), as a replayer
 * of segment-replay.ts. Each segment's .txnindex holds the aborts whose marker it contains and
 * the transactions open at its endOffset, so the state at any segment's end never depends on
 * earlier files:
 *
 * - a sealed segment with a sound file costs one small read;
 * - a sealed segment without one (lost, damaged, or written by a Hopper that had no
 *   transaction index) is replayed from the state at the end of the segment before it, and its
 *   file is written back; after an upgrade that is one full pass, once;
 * - the active segment's file, from the last clean close or roll, is taken as it is and only
 *   the batches after its endOffset are replayed: none after a clean stop, after a crash the
 *   ones appended since (which recoverLog has just scanned for the offset index anyway).
 *
 * So an open costs a small read per segment plus what a crash left unindexed, never a scan of
 * the whole log, and the result is exact for a log of any length: unlike a scan of the last N
 * records, no aborted transaction is ever forgotten. One case stays approximate: when the first
 * remaining segment has no sound file and retention deleted the segments before it, a
 * transaction opened in those deleted segments and still open is not known.
 */
import type { BatchHeader } from '../codec/record-batch.js';
import type { StorageFs } from '../fs/types.js';
import type { SegmentReplayer } from './segment-replay.js';
import type { Segment } from './segment.js';
import { readTxnIndex, writeTxnIndex } from './txn-index-file.js';
import { noteTxnBatch, type OpenTxns, snapshotOpen } from './txn-tracker.js';

export class TxnRecovery implements SegmentReplayer {
  open: OpenTxns = new Map();
  /** Segments whose .txnindex was missing or unsound and had to be replayed. */
  rebuilt = 0;
  /** The segment being replayed from its base, its file to be written back. */
  private rebuilding = false;

  constructor(private readonly fs: StorageFs) {}

  async begin(_i: number, seg: Segment, sealed: boolean): Promise<number> {
    const file = await readTxnIndex(this.fs, seg);
    const fits = file !== null && (sealed ? file.endOffset === seg.endOffset : file.endOffset <= seg.endOffset);
    this.rebuilding = !fits;
    if (!fits) {
      seg.aborted = null;
      return seg.base;
    }
    seg.aborted = file.aborted;
    this.open = file.open;
    return file.endOffset;
  }

  apply(h: BatchHeader, bytes: Buffer, at: number, seg: Segment): void {
    noteTxnBatch(this.open, h, bytes, at, h.baseOffset, seg);
  }

  async end(_i: number, seg: Segment, sealed: boolean, sound: boolean): Promise<void> {
    // The active segment's file is written at the next roll or close.
    if (!this.rebuilding || !sealed) return;
    this.rebuilt++;
    // A damaged batch stopped the replay: write nothing, so the next open tries again.
    if (sound) await writeTxnIndex(this.fs, seg, seg.endOffset, snapshotOpen(this.open));
  }
}
