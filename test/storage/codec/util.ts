import { isHopperError } from '../../../src/core/errors.js';
import { crc32c } from '../../../src/storage/codec/crc32c.js';
import { BatchField, LOG_OVERHEAD } from '../../../src/storage/codec/record-batch.js';

export const isCorrupt = (e: unknown): boolean => isHopperError(e, 'CORRUPT_MESSAGE');

/** Recomputes the CRC of the batch at pos after a test edited fields it covers. */
export function fixCrc(buf: Buffer, pos = 0): Buffer {
  const end = pos + LOG_OVERHEAD + buf.readInt32BE(pos + BatchField.batchLength);
  if (end > buf.length || end < pos + BatchField.attributes) return buf; // length mangled: nothing to fix
  buf.writeUInt32BE(crc32c(buf, pos + BatchField.attributes, end), pos + BatchField.crc);
  return buf;
}

/** Runs f; passes if it returns or throws CORRUPT_MESSAGE, rethrows anything else. */
export function returnsOrCorrupt(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!isCorrupt(e)) throw e;
  }
}
