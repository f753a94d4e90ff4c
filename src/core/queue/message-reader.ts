/**
 * Where delivered message bodies come from: the cache of recent publishes (a consumer that
 * keeps up never touches the disk), else a read-ahead chunk of the message log. The queue's
 * indexes know offsets and sizes only; bodies are fetched here when a delivery needs them.
 *
 * One read-ahead at a time for dispatch (`fetch`); dead-lettering loads single messages
 * (`load`). A read result is returned, not only cached: a concurrent read may replace the cache
 * before the caller looks.
 *
 * Memory: the recent cache holds at most cacheBytes (a message larger than that is not kept and
 * is read back from the log when delivered); the read-ahead holds at most its budget, or the
 * one message a delivery waits for when that alone is larger (up to maxMessageBytes).
 */
import { HopperError } from '../errors.js';
import { messageSize, type Message } from '../message.js';
import type { Log } from '../../storage/types.js';
import { decodeMessages } from '../../storage/codec/message-codec.js';
import { MessageCache } from './message-cache.js';
import { takeQueueMeta } from './queue-header.js';
import type { QueueTuning } from './tuning.js';

const LOAD_BYTES = 64 * 1024;
export const NO_RECORD = 'the message log has no record at this offset';

export class MessageReader {
  private readonly recent: MessageCache;
  private readonly readAhead: MessageCache;
  /** A dispatch read-ahead is in flight. */
  fetching = false;
  /** An offset the last read-ahead did not find (lost from the log): settled as missing. */
  missing = -1;
  /**
   * With `gapRanges`, the end of the run of offsets from `missing` on that the read showed to
   * have no record (the log's next record, or its start): all are settled as missing, without a
   * read each. A follower's log has such gaps by design (transaction markers, retention).
   */
  missingEnd = -1;
  /** Where the last read found its first record past the offset asked for (or the log start). */
  private gapEnd = -1;

  constructor(
    private readonly log: Log,
    private readonly tuning: QueueTuning,
    /**
     * The message at offset cannot be read, for good: the log has no record there, or its stored
     * batch fails its check (CORRUPT_MESSAGE). The caller drops it.
     */
    private readonly onLost: (offset: number, why: string) => void,
    private readonly gapRanges = false,
  ) {
    this.recent = new MessageCache(tuning.cacheSlotsLog2, tuning.cacheBytes);
    // Reads return whole batches: room for the chunk plus a publish batch overhanging it.
    this.readAhead = new MessageCache(tuning.cacheSlotsLog2, tuning.readAheadBytes + 2 * tuning.publishBatchBytes);
  }

  cached(offset: number): Message | undefined {
    return this.recent.get(offset) ?? this.readAhead.get(offset);
  }

  published(offset: number, message: Message, size: number): void {
    this.recent.put(offset, message, size);
  }

  /** A settled message will not be needed again (nor its memory, which may be megabytes). */
  forget(offset: number): void {
    this.recent.delete(offset);
    this.readAhead.delete(offset);
  }

  /**
   * Starts a read-ahead at offset (unless one is running). `done(ok)` runs after it: ok false
   * after an I/O error (the caller retries later rather than lose the message). A record that
   * fails its check will never read better: it is reported and treated as missing.
   */
  fetch(offset: number, done: (ok: boolean) => void): void {
    if (this.fetching) return;
    this.fetching = true;
    this.read(offset, this.tuning.readAheadBytes).then(
      (found) => {
        this.fetching = false;
        if (found === null) {
          this.onLost(offset, NO_RECORD);
          this.missing = offset;
          this.missingEnd = this.gapRanges ? Math.max(offset + 1, this.gapEnd) : offset + 1;
        }
        done(true);
      },
      (err: unknown) => {
        this.fetching = false;
        if (!isCorrupt(err)) return done(false);
        this.onLost(offset, err.message);
        this.missing = offset;
        this.missingEnd = offset + 1;
        done(true);
      },
    );
  }

  /** The message at offset from a cache or the log; null if the log does not have it (or it is unreadable). */
  async load(offset: number): Promise<Message | null> {
    const m = this.cached(offset);
    if (m !== undefined) return m;
    let found: Message | null;
    try {
      found = await this.read(offset, LOAD_BYTES);
    } catch (err) {
      if (!isCorrupt(err)) throw err;
      this.onLost(offset, err.message);
      return null;
    }
    if (found === null) this.onLost(offset, NO_RECORD);
    return found;
  }

  /** Whether `offset` is in the run the last read showed to have no record. */
  isMissing(offset: number): boolean {
    return offset >= this.missing && offset < this.missingEnd;
  }

  private async read(offset: number, maxBytes: number): Promise<Message | null> {
    const r = await this.log.read(offset, maxBytes);
    const decoded = decodeMessages(r.bytes, offset);
    this.readAhead.clear();
    const first = decoded[0];
    this.gapEnd = first !== undefined ? first.offset : r.bytes.length === 0 && offset < r.logStartOffset ? r.logStartOffset : offset + 1;
    if (first === undefined || first.offset !== offset) return null;
    // Keep from offset on, as far as the budget goes (the low end is needed first).
    for (const { offset: o, message } of decoded) {
      takeQueueMeta(message);
      if (!this.readAhead.tryPut(o, message, messageSize(message))) break;
    }
    return first.message;
  }
}

function isCorrupt(err: unknown): err is HopperError {
  return err instanceof HopperError && err.code === 'CORRUPT_MESSAGE';
}
