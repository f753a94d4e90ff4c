/**
 * Receipt handles: opaque to clients, new on every receive (the core's lease id is), and naming
 * the queue incarnation and message they belong to, so that a handle of another queue, of a
 * deleted and re-created queue, or of no queue at all is told from one that is merely stale.
 *
 *   base64url("1|" queue id "|" offset "|" lease id)
 */
export interface Receipt {
  queueId: string;
  offset: number;
  leaseId: string;
}

const RE = /^1\|([0-9A-Za-z_-]{1,64})\|(\d{1,16})\|([0-9A-Za-z_.-]{1,64})$/;

export function encodeReceipt(queueId: string, offset: number, leaseId: string): string {
  return Buffer.from(`1|${queueId}|${offset}|${leaseId}`, 'utf8').toString('base64url');
}

/** null: not a receipt handle this endpoint issued (ReceiptHandleIsInvalid). */
export function decodeReceipt(handle: string): Receipt | null {
  if (typeof handle !== 'string' || handle.length === 0 || handle.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(handle)) return null;
  const m = RE.exec(Buffer.from(handle, 'base64url').toString('utf8'));
  if (m === null) return null;
  return { queueId: m[1]!, offset: Number(m[2]), leaseId: m[3]! };
}
