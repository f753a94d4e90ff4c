/**
 * The transaction coordinator (KIP-98): per transactional id, the producer id and epoch and a
 * state machine
 *
 *   Empty → Ongoing → PrepareCommit | PrepareAbort → CompleteCommit | CompleteAbort → Empty
 *
 * It does no I/O itself: time comes from an injected clock, and persisting its state, writing
 * the transaction markers and committing offsets are injected (TxnIo), so it runs the same
 * over real logs and in unit tests. Operations on one transactional id are serialised.
 *
 * Fencing: InitProducerId bumps the epoch (aborting an ongoing transaction of the previous
 * one), after which every request carrying an older epoch is PRODUCER_FENCED (the handlers turn
 * that into INVALID_PRODUCER_EPOCH for request versions that predate it), and transactional
 * produce of an older epoch is INVALID_PRODUCER_EPOCH. A transaction older than its timeout is
 * aborted by tick() with a bumped epoch, which fences the producer that let it expire.
 *
 * State is persisted (TxnRecord per transactional id, latest wins) before each answer, so after
 * a restart recover() restores every id: an Ongoing transaction is aborted by its timeout or by
 * the next InitProducerId, a Prepare* one is completed by the next tick().
 */
import { KafkaError } from '../codec/error-codes.js';
import type { OffsetCommit } from '../../../core/topic/group-offsets.js';
import type { Clock } from '../../../storage/types.js';

export type TxnState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort';

/** transaction.max.timeout.ms default. */
export const MAX_TXN_TIMEOUT_MS = 900_000;
const MAX_EPOCH = 0x7fff;

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** What is persisted per transactional id. */
export interface TxnRecord {
  transactionalId: string;
  producerId: number;
  epoch: number;
  timeoutMs: number;
  state: TxnState;
  startMs: number;
  partitions: TopicPartition[];
  /** Offsets sent with TxnOffsetCommit, by group: committed on commit, dropped on abort. */
  offsets: Record<string, OffsetCommit[]>;
  /** How the last transaction ended, so a retried EndTxn is answered NONE. */
  lastResult: 'commit' | 'abort' | null;
}

export interface TxnIo {
  allocateProducerId(): number | Promise<number>;
  persist(rec: TxnRecord): Promise<void>;
  /** Writes the commit or abort marker to every partition, durably. */
  writeMarkers(producerId: number, epoch: number, partitions: readonly TopicPartition[], commit: boolean): Promise<void>;
  commitOffsets(group: string, commits: readonly OffsetCommit[]): Promise<void>;
}

export interface InitResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class TxnCoordinator {
  private readonly txns = new Map<string, TxnRecord>();
  private readonly byProducer = new Map<number, TxnRecord>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly clock: Clock, private readonly io: TxnIo) {}

  /** Restores persisted records (latest per id first to last). */
  recover(records: Iterable<TxnRecord>): void {
    for (const r of records) this.put(r);
  }

  get(transactionalId: string): Readonly<TxnRecord> | undefined {
    return this.txns.get(transactionalId);
  }

  private put(r: TxnRecord): void {
    const old = this.txns.get(r.transactionalId);
    if (old) this.byProducer.delete(old.producerId);
    this.txns.set(r.transactionalId, r);
    this.byProducer.set(r.producerId, r);
  }

  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return run;
  }

  /** Resolves once no operation is under way (the service waits for it before closing its log). */
  async idle(): Promise<void> {
    // An operation queued behind the ones awaited is awaited on the next round.
    while (this.locks.size > 0) await Promise.allSettled([...this.locks.values()]);
  }

  /** The error for a request of (producerId, epoch) on this id, or NONE. */
  private checkProducer(r: TxnRecord | undefined, producerId: number, epoch: number): number {
    if (!r || r.producerId !== producerId) return KafkaError.INVALID_PRODUCER_ID_MAPPING;
    if (epoch !== r.epoch) return KafkaError.PRODUCER_FENCED;
    return KafkaError.NONE;
  }

  initProducerId(transactionalId: string, timeoutMs: number, producerId = -1, epoch = -1): Promise<InitResult> {
    return this.serial(transactionalId, async () => {
      const fail = (errorCode: number): InitResult => ({ errorCode, producerId: -1, producerEpoch: -1 });
      if (timeoutMs <= 0 || timeoutMs > MAX_TXN_TIMEOUT_MS) return fail(KafkaError.INVALID_TRANSACTION_TIMEOUT);
      let r = this.txns.get(transactionalId);
      if (!r) {
        r = {
          transactionalId, producerId: await this.io.allocateProducerId(), epoch: 0, timeoutMs, state: 'Empty',
          startMs: -1, partitions: [], offsets: {}, lastResult: null,
        };
        await this.io.persist(r);
        this.put(r);
        return { errorCode: KafkaError.NONE, producerId: r.producerId, producerEpoch: r.epoch };
      }
      // KIP-360: a producer that names its id and epoch must be the current one.
      if (producerId >= 0 && (producerId !== r.producerId || epoch !== r.epoch)) return fail(KafkaError.PRODUCER_FENCED);
      if (r.state === 'PrepareCommit' || r.state === 'PrepareAbort') await this.complete(r);
      // Abort the previous epoch's transaction, with markers of a bumped epoch (same producer id,
      // so the markers match its batches).
      if (r.state === 'Ongoing') await this.endWith({ ...r, epoch: Math.min(r.epoch + 1, MAX_EPOCH) }, false);
      const next = await this.bumped(this.txns.get(transactionalId)!);
      next.timeoutMs = timeoutMs;
      await this.io.persist(next);
      this.put(next);
      return { errorCode: KafkaError.NONE, producerId: next.producerId, producerEpoch: next.epoch };
    });
  }

  /** A copy with the epoch bumped (or a new producer id when the epoch would overflow). */
  private async bumped(r: TxnRecord): Promise<TxnRecord> {
    if (r.epoch + 1 > MAX_EPOCH) return { ...r, producerId: await this.io.allocateProducerId(), epoch: 0 };
    return { ...r, epoch: r.epoch + 1 };
  }

  addPartitions(transactionalId: string, producerId: number, epoch: number, partitions: readonly TopicPartition[]): Promise<number> {
    return this.serial(transactionalId, async () => {
      const r = this.txns.get(transactionalId);
      const err = this.checkProducer(r, producerId, epoch);
      if (err !== KafkaError.NONE) return err;
      if (r!.state !== 'Empty' && r!.state !== 'Ongoing') return KafkaError.CONCURRENT_TRANSACTIONS;
      const have = new Set(r!.partitions.map((p) => tpKey(p.topic, p.partition)));
      const added = partitions.filter((p) => !have.has(tpKey(p.topic, p.partition)));
      if (added.length === 0 && r!.state === 'Ongoing') return KafkaError.NONE;
      const next = this.begun(r!);
      next.partitions = [...r!.partitions, ...added];
      await this.io.persist(next);
      this.put(next);
      return KafkaError.NONE;
    });
  }

  private begun(r: TxnRecord): TxnRecord {
    return r.state === 'Ongoing' ? { ...r } : { ...r, state: 'Ongoing', startMs: this.clock.now(), partitions: [], offsets: {} };
  }

  addOffsets(transactionalId: string, producerId: number, epoch: number, group: string): Promise<number> {
    return this.serial(transactionalId, async () => {
      const r = this.txns.get(transactionalId);
      const err = this.checkProducer(r, producerId, epoch);
      if (err !== KafkaError.NONE) return err;
      if (r!.state !== 'Empty' && r!.state !== 'Ongoing') return KafkaError.CONCURRENT_TRANSACTIONS;
      if (r!.state === 'Ongoing' && r!.offsets[group]) return KafkaError.NONE;
      const next = this.begun(r!);
      next.offsets = { ...next.offsets, [group]: next.offsets[group] ?? [] };
      await this.io.persist(next);
      this.put(next);
      return KafkaError.NONE;
    });
  }

  /** Offsets held until the transaction ends. */
  txnOffsetCommit(transactionalId: string, producerId: number, epoch: number, group: string, commits: readonly OffsetCommit[]): Promise<number> {
    return this.serial(transactionalId, async () => {
      const r = this.txns.get(transactionalId);
      const err = this.checkProducer(r, producerId, epoch);
      if (err !== KafkaError.NONE) return err;
      if (r!.state !== 'Ongoing' || !r!.offsets[group]) return KafkaError.INVALID_TXN_STATE;
      const merged = new Map(r!.offsets[group]!.map((c) => [tpKey(c.topic, c.partition), c]));
      for (const c of commits) merged.set(tpKey(c.topic, c.partition), c);
      const next = { ...r!, offsets: { ...r!.offsets, [group]: [...merged.values()] } };
      await this.io.persist(next);
      this.put(next);
      return KafkaError.NONE;
    });
  }

  endTxn(transactionalId: string, producerId: number, epoch: number, commit: boolean): Promise<number> {
    return this.serial(transactionalId, async () => {
      const r = this.txns.get(transactionalId);
      const err = this.checkProducer(r, producerId, epoch);
      if (err !== KafkaError.NONE) return err;
      const want = commit ? 'commit' : 'abort';
      switch (r!.state) {
        case 'Empty':
          // A retry of the EndTxn that completed the last transaction succeeds again.
          return r!.lastResult === want ? KafkaError.NONE : KafkaError.INVALID_TXN_STATE;
        case 'Ongoing':
          await this.endWith({ ...r! }, commit);
          return KafkaError.NONE;
        default:
          // A Prepare* state left by a failed completion.
          if ((r!.state === 'PrepareCommit') !== commit) return KafkaError.INVALID_TXN_STATE;
          await this.complete(r!);
          return KafkaError.NONE;
      }
    });
  }

  /** Prepare (persisted), write markers, commit offsets, back to Empty (persisted). */
  private async endWith(r: TxnRecord, commit: boolean): Promise<void> {
    const prepared: TxnRecord = { ...r, state: commit ? 'PrepareCommit' : 'PrepareAbort' };
    await this.io.persist(prepared);
    this.put(prepared);
    await this.complete(prepared);
  }

  private async complete(r: TxnRecord): Promise<void> {
    const commit = r.state === 'PrepareCommit';
    await this.io.writeMarkers(r.producerId, r.epoch, r.partitions, commit);
    if (commit) for (const [group, commits] of Object.entries(r.offsets)) if (commits.length > 0) await this.io.commitOffsets(group, commits);
    // CompleteCommit / CompleteAbort is transient here: the record goes straight back to Empty.
    const done: TxnRecord = { ...r, state: 'Empty', startMs: -1, partitions: [], offsets: {}, lastResult: commit ? 'commit' : 'abort' };
    await this.io.persist(done);
    this.put(done);
  }

  /**
   * Checks a transactional batch of (producerId, epoch) for a partition: NONE when its
   * producer's transaction is ongoing and includes the partition.
   */
  checkProduce(producerId: number, epoch: number, topic: string, partition: number): number {
    const r = this.byProducer.get(producerId);
    if (!r) return KafkaError.INVALID_PRODUCER_ID_MAPPING;
    if (epoch < r.epoch) return KafkaError.INVALID_PRODUCER_EPOCH;
    if (epoch > r.epoch) return KafkaError.INVALID_PRODUCER_EPOCH;
    if (r.state !== 'Ongoing' || !r.partitions.some((p) => p.topic === topic && p.partition === partition)) return KafkaError.INVALID_TXN_STATE;
    return KafkaError.NONE;
  }

  /**
   * Aborts transactions past their timeout (bumping the epoch, which fences their producer)
   * and completes any left in a Prepare* state. Resolves when done; errors are left for the next tick.
   */
  async tick(): Promise<void> {
    const now = this.clock.now();
    const work: Promise<unknown>[] = [];
    for (const r of this.txns.values()) {
      const id = r.transactionalId;
      if (r.state === 'Ongoing' && r.startMs >= 0 && now - r.startMs > r.timeoutMs) {
        work.push(this.serial(id, async () => {
          const cur = this.txns.get(id);
          if (!cur || cur.state !== 'Ongoing' || now - cur.startMs <= cur.timeoutMs) return;
          await this.endWith({ ...cur, epoch: Math.min(cur.epoch + 1, MAX_EPOCH) }, false);
        }));
      } else if (r.state === 'PrepareCommit' || r.state === 'PrepareAbort') {
        work.push(this.serial(id, async () => {
          const cur = this.txns.get(id);
          if (cur && (cur.state === 'PrepareCommit' || cur.state === 'PrepareAbort')) await this.complete(cur);
        }));
      }
    }
    await Promise.allSettled(work);
  }
}

/** PRODUCER_FENCED (KIP-588) as request versions before `since` know it: INVALID_PRODUCER_EPOCH. */
export function fencedAs(errorCode: number, version: number, since: number): number {
  return errorCode === KafkaError.PRODUCER_FENCED && version < since ? KafkaError.INVALID_PRODUCER_EPOCH : errorCode;
}
