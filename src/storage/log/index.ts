/** The segmented log: openLog over a StorageFs (disk or simulated). */
export { openLog, type OpenLogOptions, type RecoveryReport, SegmentLog } from './log.js';
export type { CompactionResult } from './compaction.js';
