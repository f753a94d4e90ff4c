/** The Storage seam: the interface, the real disk, and the crash-simulating store for tests. */
export { ATOMIC_TMP_SUFFIX, type OpenMode, readFully, type StorageFile, type StorageFs } from './types.js';
export { DiskFs, diskFs } from './disk.js';
export { type FaultMatch, type SimErrorCode, SimFs, type SimFsOptions, type SimOp, type SimStats } from './sim.js';
