/**
 * Acknowledgement batches of ShareFetch and ShareAcknowledge, checked and applied to a share
 * partition. A batch names [firstOffset, lastOffset] and either one type for all of it or one
 * type per offset (Kafka's rule); anything else is INVALID_REQUEST for that partition.
 */
import { AckType, type SharePartition } from '../../../../core/share/share-partition.js';
import { KafkaError } from '../../codec/error-codes.js';

export interface AcknowledgementBatch {
  firstOffset: bigint | number;
  lastOffset: bigint | number;
  acknowledgeTypes: number[];
}

/** Most acknowledgement batches one partition may carry in one request. */
export const MAX_ACK_BATCHES_PER_PARTITION = 10_000;

export function checkBatches(batches: readonly AcknowledgementBatch[], renewAllowed: boolean): string | null {
  if (batches.length > MAX_ACK_BATCHES_PER_PARTITION) return `More than ${MAX_ACK_BATCHES_PER_PARTITION} acknowledgement batches.`;
  let prevLast = -1;
  for (const b of batches) {
    const first = Number(b.firstOffset);
    const last = Number(b.lastOffset);
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || first < 0 || last < first) return `Invalid acknowledgement batch [${first}, ${last}].`;
    if (first <= prevLast) return 'Acknowledgement batches overlap or are out of order.';
    prevLast = last;
    const n = b.acknowledgeTypes.length;
    if (n !== 1 && n !== last - first + 1) return 'The number of acknowledge types must be 1 or the number of offsets in the batch.';
    for (const t of b.acknowledgeTypes) {
      if (t < AckType.gap || t > (renewAllowed ? AckType.renew : AckType.reject)) return `Invalid acknowledge type ${t}.`;
    }
  }
  return null;
}

/** Applies checked batches for the member; the partition's acknowledge error code. */
export function applyBatches(sp: SharePartition, memberId: string, batches: readonly AcknowledgementBatch[], lockMs: number): number {
  let ok = true;
  for (const b of batches) {
    const first = Number(b.firstOffset);
    const last = Number(b.lastOffset);
    const types = b.acknowledgeTypes;
    if (types.length === 1) ok = sp.acknowledge(memberId, first, last, types[0]!, lockMs) && ok;
    else for (let i = 0; i < types.length; i++) ok = sp.acknowledge(memberId, first + i, first + i, types[i]!, lockMs) && ok;
  }
  return ok ? KafkaError.NONE : KafkaError.INVALID_RECORD_STATE;
}
