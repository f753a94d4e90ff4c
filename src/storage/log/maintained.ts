/**
 * What retention and compaction may see and do to a log. They run one at a time (the log's
 * maintenance lock) and only ever touch sealed segments, which appends no longer write to.
 */
import type { StorageFs } from '../fs/types.js';
import type { Clock, LogConfig } from '../types.js';
import type { Segment } from './segment.js';

export interface MaintainedLog {
  readonly fs: StorageFs;
  readonly dir: string;
  readonly config: LogConfig;
  readonly clock: Clock;
  readonly segments: readonly Segment[];
  readonly logStartOffset: number;
  readonly nextOffset: number;
  /** Removes the first `count` segments (all sealed) from the log, then deletes their files. */
  dropOldestSegments(count: number): Promise<void>;
  /** Puts `cleaned` (same base, already durable under the live name) in place of `old`. */
  replaceSegment(old: Segment, cleaned: Segment): void;
}

/** The sealed prefix of the segment list (the active segment is never sealed). */
export function sealedCount(segments: readonly Segment[]): number {
  let n = 0;
  while (n < segments.length && segments[n]!.sealed) n++;
  return n;
}
