/**
 * Recovering what a log derives from its batches and keeps per segment in state files (the
 * transaction index, txn-recovery.ts; the producer state, producer-recovery.ts), after
 * recoverLog has settled the segments. One pass over the segments serves every kind, so a
 * batch that several of them must replay (after a crash: the active segment's tail, which
 * recoverLog has just scanned anyway) is read once.
 *
 * For each segment in order, each replayer says from which offset it needs the segment's batches
 * (after loading what its files give it); the segment is read from the lowest of those, each
 * batch goes to the replayers that asked for it, and each is told whether the replay was sound
 * (a damaged batch in a sealed segment stops it: what follows is then not trustworthy enough to
 * write back, and the next open tries again).
 */
import type { BatchHeader } from '../codec/record-batch.js';
import { scanBatches } from './scan.js';
import type { Segment } from './segment.js';

export interface SegmentReplayer {
  /** Segment i is next: the offset from which its batches are to be applied (seg.endOffset or more: none). */
  begin(i: number, seg: Segment, sealed: boolean): Promise<number>;
  /** One batch at or after that offset, in offset order; `h` is the header of bytes[at..]. */
  apply(h: BatchHeader, bytes: Buffer, at: number, seg: Segment): void;
  /** Segment i is done; `sound` is false when a damaged batch stopped its replay. */
  end(i: number, seg: Segment, sealed: boolean, sound: boolean): Promise<void>;
}

export async function replaySegments(segments: readonly Segment[], replayers: readonly SegmentReplayer[]): Promise<void> {
  if (replayers.length === 0) return;
  const from: number[] = replayers.map(() => 0);
  let seg = segments[0]!;
  const visit = (h: BatchHeader, _pos: number, _size: number, bytes: Buffer, at: number): void => {
    const last = h.baseOffset + h.lastOffsetDelta;
    for (let k = 0; k < replayers.length; k++) if (last >= from[k]!) replayers[k]!.apply(h, bytes, at, seg);
  };
  for (let i = 0; i < segments.length; i++) {
    seg = segments[i]!;
    const sealed = i < segments.length - 1;
    let lowest = Infinity;
    for (let k = 0; k < replayers.length; k++) lowest = Math.min(lowest, (from[k] = await replayers[k]!.begin(i, seg, sealed)));
    let sound = true;
    if (lowest < seg.endOffset) {
      const start = lowest <= seg.base ? 0 : seg.index.lookup(lowest - seg.base);
      const end = seg.readable;
      sound = (await scanBatches(seg.file!, start, end, { verify: !seg.isVerified(start, end) }, visit)).error === null;
    }
    for (let k = 0; k < replayers.length; k++) await replayers[k]!.end(i, seg, sealed, from[k]! >= seg.endOffset || sound);
  }
}
