/**
 * Per partition, what read_committed needs: the ongoing transactions (producer id → first
 * offset), from which the last stable offset (LSO) follows, and the aborted transactions
 * (producer id, first offset, offset of the abort marker) that Fetch lists so consumers drop
 * their records.
 *
 * Held in memory. The first time a partition is asked about after the broker starts, its state
 * is rebuilt by scanning the tail of its log for transactional and control batches: at most the
 * last REBUILD_TAIL_RECORDS records and REBUILD_MAX_BYTES bytes. Limitation: a transaction whose
 * first batch lies before that window is not known as ongoing (the LSO may pass it), and an
 * abort whose records lie before it is not listed (read_committed consumers reading that old
 * range would see aborted records). Kafka keeps this index on disk (.txnindex); Hopper bounds
 * the scan instead.
 */
import { forEachBatch, isControl, isTransactional } from '../../../storage/codec/record-batch.js';
import { decodeRecords } from '../../../storage/codec/record-batch.js';
import type { Log } from '../../../storage/types.js';

export const REBUILD_TAIL_RECORDS = 100_000;
export const REBUILD_MAX_BYTES = 32 * 1024 * 1024;
/** Aborted transactions remembered per partition (oldest forgotten first). */
export const ABORTED_KEPT = 10_000;

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** The offset of the abort marker. */
  lastOffset: number;
}

/** Control record key: version int16 (0), type int16 (0 abort, 1 commit). */
export function controlKey(commit: boolean): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt16BE(0, 0);
  b.writeInt16BE(commit ? 1 : 0, 2);
  return b;
}

/** Control record value (end transaction marker): version int16 (0), coordinator epoch int32. */
export function controlValue(coordinatorEpoch: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeInt16BE(0, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

export class PartitionTxnState {
  /** producer id → first offset of its ongoing transaction (a lower bound until the append resolves). */
  readonly ongoing = new Map<number, number>();
  readonly aborted: AbortedTxn[] = [];

  /** The last stable offset given the high watermark. */
  lso(highWatermark: number): number {
    let lso = highWatermark;
    for (const first of this.ongoing.values()) if (first < lso) lso = first;
    return lso;
  }

  /** Aborted transactions overlapping [from, to] (inclusive), in first-offset order. */
  abortedIn(from: number, to: number): AbortedTxn[] {
    return this.aborted.filter((a) => a.lastOffset >= from && a.firstOffset <= to);
  }

  begin(producerId: number, firstOffset: number): void {
    const cur = this.ongoing.get(producerId);
    if (cur === undefined || firstOffset < cur) this.ongoing.set(producerId, firstOffset);
  }

  /** The marker at markerOffset ends the producer's transaction. */
  end(producerId: number, commit: boolean, markerOffset: number): void {
    const first = this.ongoing.get(producerId);
    this.ongoing.delete(producerId);
    if (!commit && first !== undefined) {
      this.aborted.push({ producerId, firstOffset: first, lastOffset: markerOffset });
      this.aborted.sort((a, b) => a.firstOffset - b.firstOffset);
      if (this.aborted.length > ABORTED_KEPT) this.aborted.shift();
    }
  }
}

/**
 * The states of every partition of one endpoint. Each state belongs to the Log it was built
 * from: a topic deleted and created again (through any protocol) has new logs, so its
 * partitions start over with a fresh rebuild.
 */
export class PartitionTxnIndex {
  private readonly states = new Map<string, { log: Log; state: PartitionTxnState }>();
  private readonly loading = new Map<string, { log: Log; promise: Promise<PartitionTxnState> }>();

  private static key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  /** The partition's state, rebuilt from its log tail the first time. */
  get(topic: string, partition: number, log: Log): PartitionTxnState | Promise<PartitionTxnState> {
    const key = PartitionTxnIndex.key(topic, partition);
    const s = this.states.get(key);
    if (s && s.log === log) return s.state;
    const l = this.loading.get(key);
    if (l && l.log === log) return l.promise;
    const promise = rebuild(log).then((state) => {
      if (this.loading.get(key)?.promise === promise) {
        this.states.set(key, { log, state });
        this.loading.delete(key);
      }
      return state;
    });
    this.loading.set(key, { log, promise });
    return promise;
  }
}

async function rebuild(log: Log): Promise<PartitionTxnState> {
  const st = new PartitionTxnState();
  let offset = Math.max(log.logStartOffset, log.nextOffset - REBUILD_TAIL_RECORDS);
  const end = log.nextOffset;
  let budget = REBUILD_MAX_BYTES;
  try {
    while (offset < end && budget > 0) {
      const { bytes } = await log.read(offset, Math.min(budget, 1024 * 1024));
      if (bytes.length === 0) break;
      budget -= bytes.length;
      let next = offset;
      forEachBatch(bytes, (h, pos) => {
        next = h.baseOffset + h.lastOffsetDelta + 1;
        if (h.producerId < 0 || !isTransactional(h.attributes)) return;
        if (!isControl(h.attributes)) {
          st.begin(h.producerId, h.baseOffset);
          return;
        }
        const rec = decodeRecords(bytes, pos)[0];
        const type = rec?.key && rec.key.length >= 4 ? rec.key.readInt16BE(2) : -1;
        if (type === 0 || type === 1) st.end(h.producerId, type === 1, h.baseOffset);
      }, { verifyCrc: false });
      if (next <= offset) break;
      offset = next;
    }
  } catch {
    // An unreadable tail leaves what was found so far.
  }
  return st;
}
