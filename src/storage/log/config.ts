/**
 * Checks a LogConfig before the log uses it: every limit is an integer in a range the on-disk
 * layout can represent. Bad settings are the caller's INVALID_ARGUMENT, at open or reconfigure.
 */
import { HopperError } from '../../core/errors.js';
import { BATCH_HEADER_BYTES } from '../codec/record-batch.js';
import type { CleanupPolicy, LogConfig } from '../types.js';
import { MAX_SEGMENT_BYTES } from './layout.js';

export const DEFAULT_DELETE_RETENTION_MS = 24 * 3600 * 1000;
/** Batches must fit an int32 batchLength, and positions a u32 (layout.ts). */
const MAX_BATCH_BYTES = 0x7fff_ffff;
const POLICIES: readonly CleanupPolicy[] = ['delete', 'compact', 'compact,delete'];

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new HopperError('INVALID_ARGUMENT', `log setting ${name} must be an integer in [${min}, ${max}], not ${v}`);
  }
}

export function validateConfig(c: LogConfig): LogConfig {
  checkInt('segmentMaxBytes', c.segmentMaxBytes, 1, MAX_SEGMENT_BYTES);
  checkInt('segmentMaxAgeMs', c.segmentMaxAgeMs, -1, Number.MAX_SAFE_INTEGER);
  checkInt('retentionMs', c.retentionMs, -1, Number.MAX_SAFE_INTEGER);
  checkInt('retentionBytes', c.retentionBytes, -1, Number.MAX_SAFE_INTEGER);
  checkInt('indexIntervalBytes', c.indexIntervalBytes, 0, MAX_SEGMENT_BYTES);
  checkInt('maxBatchBytes', c.maxBatchBytes, BATCH_HEADER_BYTES, MAX_BATCH_BYTES);
  checkInt('deleteRetentionMs', c.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS, 0, Number.MAX_SAFE_INTEGER);
  if (!POLICIES.includes(c.cleanupPolicy)) {
    throw new HopperError('INVALID_ARGUMENT', `log setting cleanupPolicy must be one of ${POLICIES.join(', ')}, not ${String(c.cleanupPolicy)}`);
  }
  const f = c.fsync;
  if (f.kind === 'interval') checkInt('fsync interval', f.intervalMs, 1, 24 * 3600 * 1000);
  else if (f.kind !== 'always' && f.kind !== 'never') throw new HopperError('INVALID_ARGUMENT', `unknown fsync policy ${JSON.stringify(f)}`);
  return { ...c, fsync: { ...f } };
}

export const compacts = (c: LogConfig): boolean => c.cleanupPolicy !== 'delete';
export const deletes = (c: LogConfig): boolean => c.cleanupPolicy !== 'compact';
