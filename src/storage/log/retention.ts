/**
 * Deleting whole segments from the front of the log: below logStartOffset (DeleteRecords), by
 * time and by size. Only sealed segments go, never the active one, and only a prefix, so
 * logStartOffset only moves forward and offsets stay contiguous from it.
 *
 * - below logStartOffset: a segment whose every offset is < logStartOffset (the next segment's
 *   base is <= it). Applies under every cleanup policy.
 * - time (policy delete): its newest timestamp (maxTimestamp) is more than retentionMs old.
 * - size (policy delete): while the log minus this segment is still >= retentionBytes
 *   (Kafka's rule, so the log never drops below the limit by more than a segment).
 */
import { deletes } from './config.js';
import { type MaintainedLog, sealedCount } from './maintained.js';

/** How many leading segments the rules above delete now. */
export function segmentsToDelete(log: MaintainedLog, nowMs: number, totalBytes: number): number {
  const { config, segments } = log;
  const byPolicy = deletes(config);
  const sealed = sealedCount(segments);
  let remaining = totalBytes;
  let n = 0;
  for (; n < sealed; n++) {
    const seg = segments[n]!;
    const next = segments[n + 1]!; // exists: the active segment follows every sealed one
    const belowStart = next.base <= log.logStartOffset;
    const expired = byPolicy && config.retentionMs >= 0 && nowMs - seg.maxTimestamp > config.retentionMs;
    const oversize = byPolicy && config.retentionBytes >= 0 && remaining - seg.size >= config.retentionBytes;
    if (!belowStart && !expired && !oversize) break;
    remaining -= seg.size;
  }
  return n;
}

export async function applyRetention(log: MaintainedLog, totalBytes: number): Promise<number> {
  const n = segmentsToDelete(log, log.clock.now(), totalBytes);
  if (n > 0) await log.dropOldestSegments(n);
  return n;
}
