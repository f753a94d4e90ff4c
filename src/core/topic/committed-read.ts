/**
 * What a read_committed reader of a topic partition may see, for every protocol that reads one
 * (Kafka Fetch, AMQP stream consumers): records up to the last stable offset (the first offset of
 * the earliest transaction still open), minus the records of aborted transactions, and never a
 * control batch. The partition log's transaction index (Log.transactions) has the facts; a Kafka
 * client drops the aborted records itself from the list Fetch sends, other readers use
 * isAbortedBatch.
 */
import { type BatchHeader, forEachBatch, isControl, isTransactional, LOG_OVERHEAD } from '../../storage/codec/record-batch.js';
import type { AbortedTxn, Log } from '../../storage/types.js';

/** Where read_committed reads of the log end now: the acknowledged end, or the last stable offset if lower. */
export function committedEnd(log: Log): number {
  const txns = log.transactions;
  return txns === null ? log.ackedOffset : Math.min(log.ackedOffset, txns.lastStableOffset());
}

/**
 * The whole batches of `bytes` (a log read) that end before `end`, and the last offset in them
 * (-1 when none). The last stable offset is always a batch's first offset, so no batch straddles it.
 */
export function batchesBefore(bytes: Buffer, end: number): { bytes: Buffer; lastOffset: number } {
  let cut = 0;
  let lastOffset = -1;
  forEachBatch(bytes, (h, pos) => {
    const last = h.baseOffset + h.lastOffsetDelta;
    if (last >= end) return false;
    cut = pos + h.batchLength + LOG_OVERHEAD;
    lastOffset = last;
    return undefined;
  }, { verifyCrc: false });
  return { bytes: bytes.subarray(0, cut), lastOffset };
}

/**
 * Whether the batch holds records of one of the aborted transactions (as Log.transactions.abortedIn
 * lists them): a transactional data batch of its producer between its first offset and its abort
 * marker. A producer has one transaction open at a time, so that range holds no other of its.
 */
export function isAbortedBatch(h: BatchHeader, aborted: readonly AbortedTxn[]): boolean {
  if (h.producerId < 0 || !isTransactional(h.attributes) || isControl(h.attributes)) return false;
  for (let i = 0; i < aborted.length; i++) {
    const a = aborted[i]!;
    if (a.producerId === h.producerId && h.baseOffset >= a.firstOffset && h.baseOffset < a.lastOffset) return true;
  }
  return false;
}
