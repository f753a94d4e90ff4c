/**
 * Which records of a topic reach the queues bound to amq.kafka.<topic>: what a read_committed
 * Kafka consumer would see. Control batches never; records of aborted or still-open
 * transactions never; records of committed transactions once the commit is decided.
 *
 * - Batches that are not transactional are forwarded as soon as they are durable
 *   (Topic.appendBatch). A transaction open on the partition does not hold them back: a queue
 *   keeps no partition order, and holding them up to a transaction timeout would stall it.
 * - Transactional batches are not forwarded when appended. When the coordinator appends a
 *   commit marker, the producer's batches in that transaction are read back from the log and
 *   forwarded first, then the marker is appended. An abort marker forwards nothing.
 *
 * Why before the marker: the coordinator durably records PrepareCommit before it writes any
 * marker, so the commit is already decided. Forwarding after the marker would lose the records
 * to a crash in between: recovery rewrites the marker, but the transaction is closed in the log
 * by then and its records are no longer looked for. Before it, a crash leaves the transaction
 * open in the log; recovery completes the commit and forwards again (at least once, like a
 * retried produce). Nothing is held in memory: the records are read back in chunks.
 */
import { BatchField, checkBatchStructure, CONTROL_COMMIT, controlTypeOf, forEachBatch, isControl, isTransactional, LOG_OVERHEAD, readInt64 } from '../../storage/codec/record-batch.js';
import type { Log } from '../../storage/types.js';
import type { TopicForwarder } from './topic.js';

/** Bytes read back per step when forwarding a committed transaction. */
export const COMMITTED_READ_BYTES = 1024 * 1024;

/** Whether the batch is a transactional control batch that commits. */
export function isCommitMarker(batch: Buffer): boolean {
  try {
    const h = checkBatchStructure(batch, 0, batch.length);
    return isControl(h.attributes) && isTransactional(h.attributes) && controlTypeOf(batch, 0, h) === CONTROL_COMMIT;
  } catch {
    return false; // log.append refuses it
  }
}

export function producerIdOf(batch: Buffer): number {
  return readInt64(batch, BatchField.producerId);
}

/** Forwards the batches of the producer's open transaction on `log` (called before its commit marker). */
export async function forwardCommitted(log: Log, producerId: number, forward: TopicForwarder): Promise<void> {
  const first = log.transactions?.openTransactionStart(producerId) ?? -1;
  if (first < 0) return;
  // The producer's batches all precede its EndTxn, so they are below the end now.
  const end = log.nextOffset;
  let offset = Math.max(first, log.logStartOffset);
  let flushed = false;
  while (offset < end) {
    const { bytes } = await log.read(offset, COMMITTED_READ_BYTES);
    if (bytes.length === 0) {
      // Appended but not yet acknowledged (reads serve acknowledged bytes only): wait once.
      if (flushed) break;
      await log.flush();
      flushed = true;
      continue;
    }
    const sends: Promise<void>[] = [];
    let next = offset;
    forEachBatch(bytes, (h, pos) => {
      if (h.baseOffset >= end) return false;
      next = h.baseOffset + h.lastOffsetDelta + 1;
      if (h.producerId === producerId && isTransactional(h.attributes) && !isControl(h.attributes) && h.baseOffset >= first) {
        sends.push(forward(bytes.subarray(pos, pos + LOG_OVERHEAD + h.batchLength)));
      }
      return undefined;
    }, { verifyCrc: false });
    await Promise.all(sends);
    if (next <= offset) break;
    offset = next;
  }
}
