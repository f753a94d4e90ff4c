/**
 * Control records (Kafka's transaction markers). A control batch holds one record whose key is
 * version int16 (0) | type int16 (0 abort, 1 commit) and whose value, for those two types, is
 * version int16 (0) | coordinator epoch int32. The storage layer reads the type to keep the
 * transaction index (../log/txn-tracker.ts); the Kafka coordinator writes the markers.
 */
import type { BatchHeader } from './batch-layout.js';
import { decodeBatchRecords } from './record-decode.js';

export const CONTROL_ABORT = 0;
export const CONTROL_COMMIT = 1;
const CONTROL_KEY_BYTES = 4;

export function controlKey(commit: boolean): Buffer {
  const b = Buffer.alloc(CONTROL_KEY_BYTES);
  b.writeInt16BE(0, 0);
  b.writeInt16BE(commit ? CONTROL_COMMIT : CONTROL_ABORT, 2);
  return b;
}

export function controlValue(coordinatorEpoch: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeInt16BE(0, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

/**
 * The type of the control batch at pos (CONTROL_ABORT, CONTROL_COMMIT, or another type Kafka
 * may define), or -1 when its record cannot be read. `h` must come from checkBatch or
 * checkBatchStructure of this batch. Decodes one record: control batches are rare.
 */
export function controlTypeOf(bytes: Buffer, pos: number, h: BatchHeader): number {
  try {
    const key = decodeBatchRecords(bytes, pos, h)[0]?.key;
    return key && key.length >= CONTROL_KEY_BYTES ? key.readInt16BE(2) : -1;
  } catch {
    return -1;
  }
}
