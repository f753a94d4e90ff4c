/**
 * Deleting and changing the visibility of a received message by its receipt handle, shared by
 * the single and batch actions. As AWS: a handle this endpoint never issued (or of another
 * queue) is ReceiptHandleIsInvalid; a stale one (the message was received again, or its
 * visibility expired) deletes nothing and succeeds on a standard queue, and is
 * ReceiptHandleIsInvalid on a FIFO queue; ChangeMessageVisibility of a message not in flight
 * is MessageNotInflight.
 */
import type { QueueEntry } from '../../../core/broker/vhost.js';
import { isHopperError } from '../../../core/errors.js';
import { SqsError } from '../errors.js';
import type { SqsEndpoint } from '../endpoint.js';
import { decodeReceipt, type Receipt } from '../receipt.js';

export const VISIBILITY_MAX_SEC = 43_200;

function receipt(entry: QueueEntry, handle: string): Receipt {
  const r = decodeReceipt(handle);
  if (r === null || r.queueId !== entry.id) throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
  return r;
}

function stale(e: unknown): boolean {
  return isHopperError(e, 'UNKNOWN_DELIVERY') || isHopperError(e, 'LEASE_EXPIRED');
}

export async function deleteByHandle(endpoint: SqsEndpoint, entry: QueueEntry, handle: string): Promise<void> {
  const r = receipt(entry, handle);
  try {
    await entry.queue.ackDurable(r.leaseId);
    endpoint.forgetReceive(entry.id, r.offset);
  } catch (e) {
    if (!stale(e)) throw e;
    if (entry.queue.options.fifo) throw new SqsError('ReceiptHandleIsInvalid', 'The receipt handle has expired.');
  }
}

export function changeVisibilityByHandle(entry: QueueEntry, handle: string, seconds: number): void {
  const r = receipt(entry, handle);
  try {
    entry.queue.changeVisibility(r.leaseId, seconds * 1000);
  } catch (e) {
    if (stale(e)) throw new SqsError('MessageNotInflight', `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`);
    throw e;
  }
}
