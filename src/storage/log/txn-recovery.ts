/**
 * Recovering a log's transaction index on open (logs opened with `transactions`), after
 * recoverLog has settled the segments. Each segment's .txnindex holds the aborts whose marker
 * it contains and the transactions open at its endOffset, so the state at any segment's end
 * never depends on earlier files:
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
import type { StorageFs } from '../fs/types.js';
import { scanBatches } from './scan.js';
import type { Segment } from './segment.js';
import { readTxnIndex, writeTxnIndex } from './txn-index-file.js';
import { noteTxnBatch, type OpenTxns, snapshotOpen } from './txn-tracker.js';

export interface RecoveredTxns {
  open: OpenTxns;
  /** Segments whose .txnindex was missing or unsound and had to be replayed. */
  rebuilt: number;
}

export async function recoverTxns(fs: StorageFs, segments: readonly Segment[]): Promise<RecoveredTxns> {
  let open: OpenTxns = new Map();
  let rebuilt = 0;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const sealed = i < segments.length - 1;
    const file = await readTxnIndex(fs, seg);
    const fits = file !== null && (sealed ? file.endOffset === seg.endOffset : file.endOffset <= seg.endOffset);
    if (fits) {
      seg.aborted = file.aborted;
      open = file.open;
      if (!sealed && file.endOffset < seg.endOffset) await replay(seg, file.endOffset, open);
      continue;
    }
    seg.aborted = null;
    const sound = await replay(seg, seg.base, open);
    if (!sealed) continue; // written at the next roll or close
    rebuilt++;
    // A damaged batch stopped the replay: write nothing, so the next open tries again.
    if (sound) await writeTxnIndex(fs, seg, seg.endOffset, snapshotOpen(open));
  }
  return { open, rebuilt };
}

/** Applies the segment's batches from offset `from` on; false when a damaged batch stopped it. */
async function replay(seg: Segment, from: number, open: OpenTxns): Promise<boolean> {
  const start = from <= seg.base ? 0 : seg.index.lookup(from - seg.base);
  const end = seg.readable;
  const r = await scanBatches(seg.file!, start, end, { verify: !seg.isVerified(start, end) }, (h, _pos, _size, bytes, at) => {
    if (h.baseOffset + h.lastOffsetDelta >= from) noteTxnBatch(open, h, bytes, at, h.baseOffset, seg);
  });
  return r.error === null;
}
