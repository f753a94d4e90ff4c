/**
 * Reading and writing a segment's .txnindex (layout: TxnIndexHeader in layout.ts, in the
 * envelope of state-file.ts). Only a hint: a file that is missing, fails its CRC or does not fit
 * its segment is rebuilt from the .log (txn-recovery.ts).
 */
import { readInt64, writeInt64 } from '../codec/batch-layout.js';
import type { StorageFs } from '../fs/types.js';
import { AbortedTxns } from './aborted-txns.js';
import { TXN_INDEX_VERSION, TxnAbortedEntry, TxnIndexHeader, TxnOpenEntry } from './layout.js';
import type { Segment } from './segment.js';
import { newStateFile, offsetLike, openStateFile, readSegmentFile, sealStateFile, writeSegmentFile } from './state-file.js';
import type { OpenTxns } from './txn-tracker.js';

export interface TxnIndexContents {
  endOffset: number;
  open: OpenTxns;
  aborted: AbortedTxns | null;
}

/** `open` holds pairs (producer id, first offset), as snapshotOpen returns them. */
export function encodeTxnIndex(endOffset: number, open: Float64Array, aborted: AbortedTxns | null): Buffer {
  const openCount = open.length / 2;
  const abortedCount = aborted?.count ?? 0;
  const out = newStateFile(TXN_INDEX_VERSION, endOffset, TxnIndexHeader.bytes + openCount * TxnOpenEntry.bytes + abortedCount * TxnAbortedEntry.bytes);
  out.writeUInt32BE(openCount, TxnIndexHeader.openCount);
  out.writeUInt32BE(abortedCount, TxnIndexHeader.abortedCount);
  let at = TxnIndexHeader.bytes;
  for (let i = 0; i < openCount; i++, at += TxnOpenEntry.bytes) {
    writeInt64(out, at + TxnOpenEntry.producerId, open[2 * i]!);
    writeInt64(out, at + TxnOpenEntry.firstOffset, open[2 * i + 1]!);
  }
  for (let i = 0; i < abortedCount; i++, at += TxnAbortedEntry.bytes) {
    writeInt64(out, at + TxnAbortedEntry.producerId, aborted!.producerId(i));
    writeInt64(out, at + TxnAbortedEntry.firstOffset, aborted!.firstOffset(i));
    writeInt64(out, at + TxnAbortedEntry.lastOffset, aborted!.lastOffset(i));
    writeInt64(out, at + TxnAbortedEntry.lastStableOffset, aborted!.lastStableOffset(i));
  }
  return sealStateFile(out);
}

/**
 * Parses a .txnindex of the segment at `base`; null unless the CRC, the sizes and every
 * entry's order and range are right (the caller then checks endOffset against the segment).
 */
export function parseTxnIndex(bytes: Buffer, base: number): TxnIndexContents | null {
  const file = openStateFile(bytes, TXN_INDEX_VERSION, TxnIndexHeader.bytes);
  if (file === null) return null;
  const endOffset = file.offset;
  const openCount = bytes.readUInt32BE(TxnIndexHeader.openCount);
  const abortedCount = bytes.readUInt32BE(TxnIndexHeader.abortedCount);
  if (file.bodyEnd !== TxnIndexHeader.bytes + openCount * TxnOpenEntry.bytes + abortedCount * TxnAbortedEntry.bytes) return null;
  if (endOffset < base) return null;
  const open: OpenTxns = new Map();
  let at = TxnIndexHeader.bytes;
  for (let i = 0; i < openCount; i++, at += TxnOpenEntry.bytes) {
    const pid = readInt64(bytes, at + TxnOpenEntry.producerId);
    const first = readInt64(bytes, at + TxnOpenEntry.firstOffset);
    if (!offsetLike(pid) || !offsetLike(first) || first >= endOffset || open.has(pid)) return null;
    open.set(pid, first);
  }
  const aborted = abortedCount > 0 ? new AbortedTxns() : null;
  let prevLast = -1;
  for (let i = 0; i < abortedCount; i++, at += TxnAbortedEntry.bytes) {
    const pid = readInt64(bytes, at + TxnAbortedEntry.producerId);
    const first = readInt64(bytes, at + TxnAbortedEntry.firstOffset);
    const last = readInt64(bytes, at + TxnAbortedEntry.lastOffset);
    const lso = readInt64(bytes, at + TxnAbortedEntry.lastStableOffset);
    if (!offsetLike(pid) || !offsetLike(first) || !offsetLike(last) || !offsetLike(lso)) return null;
    if (first > last || last < base || last >= endOffset || last <= prevLast || lso > last + 1) return null;
    aborted!.push(pid, first, last, lso);
    prevLast = last;
  }
  return { endOffset, open, aborted };
}

/** The segment's .txnindex parsed, or null when it is missing or malformed. */
export async function readTxnIndex(fs: StorageFs, seg: Segment): Promise<TxnIndexContents | null> {
  const bytes = await readSegmentFile(fs, seg, 'txnindex');
  return bytes === null ? null : parseTxnIndex(bytes, seg.base);
}

export function writeTxnIndex(fs: StorageFs, seg: Segment, endOffset: number, open: Float64Array): Promise<void> {
  return writeSegmentFile(fs, seg, 'txnindex', encodeTxnIndex(endOffset, open, seg.aborted));
}
