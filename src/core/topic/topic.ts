/**
 * A topic: N partition logs under one folder (`<dir>/<partition>/`). Kafka producers append
 * RecordBatches to a partition they choose; messages routed in by exchanges pick a partition
 * from their key exactly as Kafka's default partitioner would, so keyed ordering holds across
 * protocols.
 */
import { join } from 'node:path';
import { HopperError } from '../errors.js';
import type { Message } from '../message.js';
import { encodeMessages } from '../../storage/codec/message-codec.js';
import { BATCH_HEADER_BYTES, BatchField, batchSizeAt, isControl, isTransactional, readInt64 } from '../../storage/codec/record-batch.js';
import { type AppendOptions, type AppendResult, CRC_CHECKED, type Log, type LogConfig, type LogDamage } from '../../storage/types.js';
import { PartitionWaiters } from './partition-waiters.js';
import { partitionForKey } from './partitioner.js';
import { forwardCommitted, isCommitMarker, producerIdOf } from './txn-forward.js';

export type OpenLog = (dir: string, config: LogConfig) => Promise<Log>;

/**
 * Called with a durably appended batch's bytes (offsets assigned), or with a committed
 * transaction's batches read back from the log (txn-forward.ts); resolves once the records are
 * stored wherever they are forwarded (queues bound to the topic).
 */
export type TopicForwarder = (batch: Buffer) => Promise<void>;

/** Most partitions one topic may have (Kafka has no hard cap; this bounds file handles). */
export const maxPartitions = 1024;

export class Topic {
  private roundRobin = 0;
  /** Set by the vhost while queues are bound to this topic's records; null otherwise. */
  forwarder: TopicForwarder | null = null;
  /** Each partition's key in `appends`, made once so that an append allocates none. */
  private readonly waitKeys: string[] = [];
  /** The addPartitions under way, if any: the next one waits for it. */
  private adding: Promise<void> = Promise.resolve();

  private constructor(
    readonly name: string,
    readonly dir: string,
    private logConfig: LogConfig,
    private readonly openLog: OpenLog,
    private readonly logs: Log[],
    private readonly appends: PartitionWaiters,
  ) {
    for (let p = 0; p < logs.length; p++) this.waitKeys.push(PartitionWaiters.key(name, p));
  }

  /** `appends` is the vhost's: every append that becomes readable is notified there. */
  static async open(name: string, dir: string, partitions: number, logConfig: LogConfig, openLog: OpenLog, appends: PartitionWaiters): Promise<Topic> {
    if (!Number.isSafeInteger(partitions) || partitions < 1 || partitions > maxPartitions) {
      throw new HopperError('INVALID_ARGUMENT', `partitions must be 1..${maxPartitions}, not ${partitions}`);
    }
    const logs: Log[] = [];
    try {
      for (let p = 0; p < partitions; p++) logs.push(await openLog(join(dir, String(p)), logConfig));
    } catch (e) {
      await Promise.allSettled(logs.map((l) => l.close()));
      throw e;
    }
    return new Topic(name, dir, logConfig, openLog, logs, appends);
  }

  get partitionCount(): number {
    return this.logs.length;
  }

  get config(): LogConfig {
    return this.logConfig;
  }

  partition(p: number): Log {
    const log = this.logs[p];
    if (!log) throw new HopperError('NOT_FOUND', `topic ${this.name} has no partition ${p}`);
    return log;
  }

  /** Kafka's default choice: murmur2 of the key; keyless messages go round-robin. */
  partitionFor(key: Buffer | null): number {
    if (key !== null) return partitionForKey(key, this.logs.length);
    this.roundRobin = (this.roundRobin + 1) % this.logs.length;
    return this.roundRobin;
  }

  /**
   * Appends a RecordBatch as received from a Kafka producer (or a transaction marker). Resolves
   * once it is durable, and, when queues are bound to the topic, once the records it makes
   * visible are stored in them too: its own records if it is not transactional, the records of
   * the transaction it commits if it is a commit marker (txn-forward.ts). Readers waiting on
   * the partition are woken as soon as the batch is readable (reads return only acknowledged
   * bytes), before forwarding; by then the log's transaction index has taken the batch in, so
   * a marker's wake-up finds the last stable offset moved.
   * The append itself happens before the first await unless the batch is a commit marker, so
   * pipelined batches keep their order. Nothing refers to `batch` once this settles.
   */
  async appendBatch(partition: number, batch: Buffer, options?: AppendOptions): Promise<AppendResult> {
    const log = this.partition(partition);
    const attributes = batch.length >= BATCH_HEADER_BYTES ? batch.readInt16BE(BatchField.attributes) : 0;
    if (!isTransactional(attributes)) {
      const r = await log.append(batch, options);
      this.appends.notify(this.waitKeys[partition]!);
      // A copy: queues keep the forwarded messages, whose bytes would otherwise be views of the
      // caller's buffer, which may be reused once this resolves (Kafka's pooled request frames).
      if (this.forwarder) await this.forwarder(Buffer.from(batch));
      return r;
    }
    if (isControl(attributes) && this.forwarder && isCommitMarker(batch)) await forwardCommitted(log, producerIdOf(batch), this.forwarder);
    const r = await log.append(batch, options);
    this.appends.notify(this.waitKeys[partition]!);
    return r;
  }

  /**
   * Forwards again the stored batch at `baseOffset`, a non-transactional batch an idempotent
   * producer has retried (the log recognised it and did not append it twice), when queues are
   * bound to the topic. The retry may follow a failed forward (a full queue with reject-publish):
   * the producer saw the error, and its retry must not be acknowledged unless the records are in
   * the queues. When the first forward had succeeded, the queues get the records twice: at least
   * once, as after a crash (txn-forward.ts). Records deleted or compacted away since are skipped.
   */
  async forwardAgain(partition: number, baseOffset: number): Promise<void> {
    const forward = this.forwarder;
    const log = this.partition(partition);
    if (forward === null || baseOffset < log.logStartOffset) return;
    const { bytes } = await log.read(baseOffset, 1);
    const size = bytes.length >= BATCH_HEADER_BYTES ? batchSizeAt(bytes, 0) : null;
    if (size === null || readInt64(bytes, BatchField.baseOffset) !== baseOffset) return;
    await forward(bytes.subarray(0, size));
  }

  /** Appends one protocol-neutral message to the partition its key selects. */
  async appendMessage(message: Message): Promise<{ partition: number; offset: number }> {
    const partition = this.partitionFor(message.key);
    const r = await this.appendBatch(partition, encodeMessages([message]), CRC_CHECKED);
    return { partition, offset: r.baseOffset };
  }

  /**
   * Kafka CreatePartitions: partitions can only be added. One call at a time: two running
   * together would both open the first new partition's log, two objects over the same files.
   */
  addPartitions(total: number): Promise<void> {
    const run = this.adding.then(() => this.addPartitionsNow(total));
    this.adding = run.catch(() => undefined);
    return run;
  }

  private async addPartitionsNow(total: number): Promise<void> {
    if (!Number.isSafeInteger(total) || total <= this.logs.length || total > maxPartitions) {
      throw new HopperError('INVALID_ARGUMENT', `topic ${this.name} has ${this.logs.length} partitions; the new count must be larger and at most ${maxPartitions}`);
    }
    for (let p = this.logs.length; p < total; p++) {
      this.logs.push(await this.openLog(join(this.dir, String(p)), this.logConfig));
      this.waitKeys.push(PartitionWaiters.key(this.name, p));
    }
  }

  /** The key of partition `p` in the vhost's PartitionWaiters. */
  waitKey(p: number): string {
    const k = this.waitKeys[p];
    if (k === undefined) throw new HopperError('NOT_FOUND', `topic ${this.name} has no partition ${p}`);
    return k;
  }

  /** Wakes every reader of every partition (the topic is being deleted: they should look again). */
  wakeReaders(): void {
    for (const k of this.waitKeys) this.appends.notify(k);
  }

  reconfigure(config: LogConfig): void {
    this.logConfig = config;
    for (const l of this.logs) l.reconfigure(config);
  }

  async enforceRetention(): Promise<void> {
    for (const l of this.logs) await l.enforceRetention();
  }

  /** What each partition's log found damaged (Log.damage), by partition. */
  damage(): { partition: number; damage: LogDamage }[] {
    return this.logs.flatMap((l, partition) => l.damage.map((damage) => ({ partition, damage })));
  }

  failures(): string[] {
    return this.logs.flatMap((l, p) => (l.failure ? [`topic ${this.name} partition ${p}: ${l.failure.message}`] : []));
  }

  async close(): Promise<void> {
    await Promise.all(this.logs.map((l) => l.close()));
  }
}
