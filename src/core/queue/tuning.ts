/**
 * Run-time knobs of a queue that are not part of its declared settings (QueueOptions): memory
 * bounds and housekeeping cadence. The broker may set them from its configuration; tests
 * shrink them to exercise the paths they bound.
 */
export interface QueueTuning {
  /** Decoded recent publishes kept for consumers that keep up (bytes of key + value). */
  cacheBytes: number;
  /** log2 of the slots of each message cache (most messages it can hold). */
  cacheSlotsLog2: number;
  /** Bytes read from the message log per read-ahead. */
  readAheadBytes: number;
  /**
   * Largest batch of publishes encoded into one append. Small enough that a consumer reading a
   * backlog from disk does not decode a huge batch for a few messages; group commit still
   * shares each fsync among all appends in flight.
   */
  publishBatchBytes: number;
  /** Checkpoint after this many messages published since the last one (bounds the restart scan). */
  checkpointEveryMessages: number;
  /** Checkpoint after this many journal bytes (bounds the restart replay). */
  checkpointEveryJournalBytes: number;
  /** Checkpoint at least this often when anything changed. */
  checkpointIntervalMs: number;
  /** Most pending pull receives (long polls) per queue. */
  maxWaiters: number;
  /** Most messages one receive may ask for. */
  maxReceive: number;
  /** Lease ids of expired leases remembered for LEASE_EXPIRED answers. */
  expiredLeaseMemory: number;
  /** Wait before retrying a failed dead-letter hook or log read. */
  retryMs: number;
  /**
   * Bytes of dead letters read back from the log and handed on but not yet stored where they
   * go; loading pauses beyond it (one message always goes, whatever its size).
   */
  deadLetterInFlightBytes: number;
}

export const defaultQueueTuning: Readonly<QueueTuning> = Object.freeze({
  cacheBytes: 8 * 1024 * 1024,
  cacheSlotsLog2: 16,
  readAheadBytes: 256 * 1024,
  publishBatchBytes: 256 * 1024,
  checkpointEveryMessages: 100_000,
  checkpointEveryJournalBytes: 8 * 1024 * 1024,
  checkpointIntervalMs: 60_000,
  maxWaiters: 10_000,
  maxReceive: 10_000,
  expiredLeaseMemory: 65_536,
  retryMs: 1_000,
  deadLetterInFlightBytes: 8 * 1024 * 1024,
});
