/**
 * A log's transaction index (LogTransactions): the producers with a transaction open on the
 * log (producer id -> offset of its first batch here) and, per segment, the aborted
 * transactions whose abort marker lies in it (Segment.aborted, persisted as its .txnindex).
 *
 * It is a function of the batches alone, so recovery can always rebuild it from the .log:
 * - a transactional data batch opens its producer's transaction, unless one is open already;
 * - a control batch (commit or abort marker) closes it; an abort is recorded in the segment the
 *   marker lands in, with the last stable offset right after it.
 * append() applies each batch as it assigns its offset, in offset order. That is before the
 * batch is durable, which is safe: readers are served acknowledged bytes only, and a marker is
 * appended only after the coordinator has durably decided the outcome, so nothing a reader
 * learns early is taken back by a crash.
 */
import { type BatchHeader, CONTROL_ABORT, CONTROL_COMMIT, controlTypeOf, isControl, isTransactional } from '../codec/record-batch.js';
import type { AbortedTxn, LogTransactions } from '../types.js';
import { AbortedTxns } from './aborted-txns.js';
import { segmentFor } from './reader.js';
import type { Segment } from './segment.js';

/** Open transactions: producer id -> first offset. */
export type OpenTxns = Map<number, number>;

/** Applies one batch whose base offset is `baseOffset`; `h` is checkBatch's header of bytes[pos..]. */
export function noteTxnBatch(open: OpenTxns, h: BatchHeader, bytes: Buffer, pos: number, baseOffset: number, seg: Segment): void {
  if (h.producerId < 0 || !isTransactional(h.attributes)) return;
  if (!isControl(h.attributes)) {
    if (!open.has(h.producerId)) open.set(h.producerId, baseOffset);
    return;
  }
  const type = controlTypeOf(bytes, pos, h);
  if (type !== CONTROL_ABORT && type !== CONTROL_COMMIT) return;
  const first = open.get(h.producerId);
  // A marker for a producer that wrote nothing here since its last one records nothing.
  if (first === undefined) return;
  open.delete(h.producerId);
  if (type === CONTROL_ABORT) (seg.aborted ??= new AbortedTxns()).push(h.producerId, first, baseOffset, stableBelow(open, baseOffset + 1));
}

function stableBelow(open: OpenTxns, end: number): number {
  let lso = end;
  for (const first of open.values()) if (first < lso) lso = first;
  return lso;
}

/** The open transactions as pairs (producer id, first offset), for a segment's .txnindex. */
export function snapshotOpen(open: OpenTxns): Float64Array {
  const out = new Float64Array(open.size * 2);
  let i = 0;
  for (const [pid, first] of open) {
    out[i++] = pid;
    out[i++] = first;
  }
  return out;
}

export interface TxnHost {
  readonly segments: readonly Segment[];
  readonly nextOffset: number;
  readonly logStartOffset: number;
}

export class TxnTracker implements LogTransactions {
  constructor(
    private readonly host: TxnHost,
    readonly open: OpenTxns,
  ) {}

  lastStableOffset(): number {
    // A transaction that began below logStartOffset (its start deleted) holds the LSO at the
    // log start, as Kafka clamps it.
    return Math.max(stableBelow(this.open, this.host.nextOffset), this.host.logStartOffset);
  }

  openTransactionStart(producerId: number): number {
    return this.open.get(producerId) ?? -1;
  }

  /**
   * Kafka's collectAbortedTxns: entries are in marker order, and an abort with a record at or
   * below `to` ended before any marker whose entry has lastStableOffset > to, so the walk
   * stops at the first such entry (or at the end of the log).
   */
  abortedIn(from: number, to: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    const segs = this.host.segments;
    for (let i = segmentFor(segs, from); i < segs.length; i++) {
      const a = segs[i]!.aborted;
      if (a === null) continue;
      for (let j = 0; j < a.count; j++) {
        if (a.lastOffset(j) < from) continue;
        if (a.firstOffset(j) <= to) out.push(a.entry(j));
        if (a.lastStableOffset(j) > to) return out;
      }
    }
    return out;
  }
}
