/**
 * The logStartOffset checkpoint. DeleteRecords moves logStartOffset into the middle of a
 * segment, which file names cannot express, so it is written (atomically) to a small file.
 * Retention only deletes whole segments, so the first segment's base covers that case.
 */
import { join } from 'node:path';
import type { StorageFs } from '../fs/types.js';
import { decodeLogStartCheckpoint, encodeLogStartCheckpoint, LOG_START_CHECKPOINT_FILE } from './layout.js';
import { readIfPresent } from './state-file.js';

/** The checkpointed offset, or null when there is none (or it is unreadable: then the segments decide). */
export async function readLogStartCheckpoint(fs: StorageFs, dir: string): Promise<number | null> {
  const bytes = await readIfPresent(fs, join(dir, LOG_START_CHECKPOINT_FILE));
  return bytes === null ? null : decodeLogStartCheckpoint(bytes);
}

export function writeLogStartCheckpoint(fs: StorageFs, dir: string, offset: number): Promise<void> {
  return fs.writeFileAtomic(join(dir, LOG_START_CHECKPOINT_FILE), encodeLogStartCheckpoint(offset));
}
