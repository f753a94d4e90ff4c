/**
 * Idempotent producers (KIP-98): per partition and producer id, the epoch and the last five
 * batches' sequence ranges with their offsets. A retried batch (same sequences) is answered
 * with its original offset and not appended again; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER; an
 * older epoch is INVALID_PRODUCER_EPOCH. Checks and updates run synchronously before the
 * append starts, so pipelined batches of one producer are judged in arrival order.
 *
 * The state is held in memory and rebuilt, the first time a partition sees an idempotent batch
 * after the broker starts, from the batches in the tail of its log (the last
 * REBUILD_TAIL_RECORDS records, at most REBUILD_MAX_BYTES), as Kafka rebuilds its producer
 * snapshots: a retry that crosses a restart is still recognised.
 */
import { KafkaError } from '../codec/error-codes.js';
import { forEachBatch, isControl } from '../../../storage/codec/record-batch.js';
import type { Log } from '../../../storage/types.js';

/** How far back the rebuild looks. */
export const REBUILD_TAIL_RECORDS = 10_000;
export const REBUILD_MAX_BYTES = 8 * 1024 * 1024;

/** Batches remembered per producer and partition (Kafka's max.in.flight for idempotence). */
export const PRODUCER_BATCHES_KEPT = 5;
/** Producers remembered per partition before the least recently used is forgotten. */
export const PRODUCERS_PER_PARTITION_MAX = 10_000;

interface BatchEntry {
  firstSeq: number;
  lastSeq: number;
  /** Resolves to the batch's base offset once appended (or rejects with the append's error). */
  baseOffset: Promise<number>;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchEntry[];
}

export type SequenceCheck =
  | { kind: 'append'; record(baseOffset: Promise<number>): void }
  | { kind: 'duplicate'; baseOffset: Promise<number> }
  | { kind: 'error'; errorCode: number };

const SEQ_MOD = 2 ** 31;

export class ProducerStates {
  private readonly byPartition = new Map<string, Map<number, ProducerEntry>>();
  /** Partitions whose state is rebuilt (resolved) or being rebuilt from the log. */
  private readonly loading = new Map<string, Promise<void>>();
  private readonly loaded = new Set<string>();

  /**
   * Null when the partition's state is ready; else a promise to await before check(). Every
   * caller awaits the same promise, so batches keep their arrival order.
   */
  ready(topic: string, partition: number, log: Log): Promise<void> | null {
    const key = `${topic}\u0000${partition}`;
    if (this.loaded.has(key)) return null;
    let p = this.loading.get(key);
    if (!p) {
      p = this.rebuild(key, log).finally(() => {
        this.loaded.add(key);
        this.loading.delete(key);
      });
      this.loading.set(key, p);
    }
    return p;
  }

  private async rebuild(key: string, log: Log): Promise<void> {
    let offset = Math.max(log.logStartOffset, log.nextOffset - REBUILD_TAIL_RECORDS);
    const end = log.nextOffset;
    let budget = REBUILD_MAX_BYTES;
    const producers = new Map<number, ProducerEntry>();
    try {
      while (offset < end && budget > 0) {
        const { bytes } = await log.read(offset, Math.min(budget, 1024 * 1024));
        if (bytes.length === 0) break;
        budget -= bytes.length;
        let next = offset;
        forEachBatch(bytes, (h) => {
          next = h.baseOffset + h.lastOffsetDelta + 1;
          // Transaction markers (control batches) carry the producer id but no sequence.
          if (h.producerId < 0 || isControl(h.attributes)) return;
          let e = producers.get(h.producerId);
          if (!e || h.producerEpoch > e.epoch) producers.set(h.producerId, (e = { epoch: h.producerEpoch, batches: [] }));
          if (h.producerEpoch < e.epoch) return;
          e.batches.push({ firstSeq: h.baseSequence, lastSeq: (h.baseSequence + h.lastOffsetDelta) % SEQ_MOD, baseOffset: Promise.resolve(h.baseOffset) });
          if (e.batches.length > PRODUCER_BATCHES_KEPT) e.batches.shift();
        }, { verifyCrc: false });
        if (next <= offset) break;
        offset = next;
      }
    } catch {
      // An unreadable tail leaves the state empty: the next batch of each producer is accepted.
    }
    // Batches checked while the rebuild ran (none: callers await it) would be newer; keep them.
    const current = this.byPartition.get(key);
    if (current) for (const [id, e] of current) producers.set(id, e);
    this.byPartition.set(key, producers);
  }

  check(topic: string, partition: number, producerId: number, epoch: number, baseSequence: number, recordCount: number): SequenceCheck {
    const key = `${topic}\u0000${partition}`;
    let producers = this.byPartition.get(key);
    if (!producers) this.byPartition.set(key, (producers = new Map()));
    let entry = producers.get(producerId);
    if (entry && epoch < entry.epoch) return { kind: 'error', errorCode: KafkaError.INVALID_PRODUCER_EPOCH };
    const lastSeq = (baseSequence + recordCount - 1) % SEQ_MOD;
    if (entry && epoch === entry.epoch) {
      const dup = entry.batches.find((b) => b.firstSeq === baseSequence && b.lastSeq === lastSeq);
      if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
      const last = entry.batches[entry.batches.length - 1];
      if (last && baseSequence !== (last.lastSeq + 1) % SEQ_MOD) return { kind: 'error', errorCode: KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER };
    } else {
      // A new producer, or a new epoch of a known one: its sequences start over.
      entry = { epoch, batches: [] };
      producers.delete(producerId);
      producers.set(producerId, entry);
      if (producers.size > PRODUCERS_PER_PARTITION_MAX) producers.delete(producers.keys().next().value!);
    }
    const e = entry;
    return {
      kind: 'append',
      record: (baseOffset) => {
        e.batches.push({ firstSeq: baseSequence, lastSeq, baseOffset });
        if (e.batches.length > PRODUCER_BATCHES_KEPT) e.batches.shift();
        // A failed append must not be answered as a duplicate later.
        baseOffset.catch(() => {
          const i = e.batches.findIndex((b) => b.baseOffset === baseOffset);
          if (i >= 0) e.batches.splice(i, 1);
        });
      },
    };
  }

  forgetTopic(topic: string): void {
    const prefix = `${topic}\u0000`;
    for (const k of [...this.byPartition.keys()]) if (k.startsWith(prefix)) this.byPartition.delete(k);
    for (const k of [...this.loaded]) if (k.startsWith(prefix)) this.loaded.delete(k);
  }
}
