/** What the crash test's parent and child agree on: the log settings and each key's value. */
import type { LogConfig } from '../../../src/storage/types.js';

/** Small segments, so kills also land around rolls. */
export const CRASH_LOG_CONFIG: Partial<LogConfig> = {
  fsync: { kind: 'always' },
  segmentMaxBytes: 256 * 1024,
  indexIntervalBytes: 4096,
};

/** The value for a key: 40 to 640 bytes derived from it, so content checks are exact. */
export function valueFor(key: string): Buffer {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  const len = 40 + (h % 600);
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) out[i] = key.charCodeAt(i % key.length) ^ (h >>> (i % 24)) & 0xff;
  return out;
}
