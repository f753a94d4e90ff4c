/**
 * Wires the transaction coordinator to one Kafka endpoint (a KafkaContext): its state log,
 * marker writes and a timeout tick. What read_committed needs per partition (open
 * transactions, last stable offset, aborted transactions) is kept by each partition's log
 * from the batches it stores, markers included (Log.transactions, src/storage/log/txn-tracker.ts).
 *
 * The coordinator's state lives in a small compacted log per vhost
 * (<dataDir>/vhosts/<vhost>/kafka-transaction-state, Hopper's __transaction_state): one record
 * per change, key = transactional id, value = the TxnRecord as JSON; on open the log is read
 * start to end and the latest record per id wins. The service is created on first use (any
 * transactional request, or a read_committed fetch / list-offsets), and from then on a timer
 * aborts expired transactions.
 *
 * Closing the endpoint closes the service (closeTransactions): the timer stops, the operations
 * under way (a tick's aborts, requests already being handled) finish, then the state log is
 * closed, so none of their writes races the close; a write that comes later still is refused by
 * the closed log (CLOSED), and a later transactions() call is refused, so no new state log is
 * opened behind the endpoint's back.
 */
import { join } from 'node:path';
import { controlKey, controlValue, decodeRecords, encodeBatch, forEachBatch } from '../../../storage/codec/record-batch.js';
import { CRC_CHECKED, type Log } from '../../../storage/types.js';
import { HopperError } from '../../../core/errors.js';
import { paths } from '../../../core/paths.js';
import type { KafkaContext } from '../server/context.js';
import { TxnCoordinator, type TopicPartition, type TxnRecord } from './coordinator.js';
import { producerIds } from './producer-ids.js';

/** How often expired transactions are looked for. */
export const TXN_TICK_MS = 100;
/** Hopper runs one coordinator per node, never re-elected: its epoch is constant. */
export const COORDINATOR_EPOCH = 0;

export interface TxnService {
  readonly coordinator: TxnCoordinator;
  /** Stops the timer, waits for the operations under way, closes the state log. Idempotent. */
  close(): Promise<void>;
}

const services = new WeakMap<KafkaContext, Promise<TxnService>>();

/** The endpoint's transaction service, its state recovered from the state log the first time. */
export function transactions(kafka: KafkaContext): Promise<TxnService> {
  if (kafka.isClosed) return Promise.reject(new HopperError('CLOSED', 'the Kafka endpoint is closed'));
  let s = services.get(kafka);
  if (!s) {
    s = open(kafka);
    services.set(kafka, s);
    s.catch(() => services.delete(kafka));
  }
  return s;
}

/** Closes the endpoint's transaction service if it was started (or is starting). */
export async function closeTransactions(kafka: KafkaContext): Promise<void> {
  const s = services.get(kafka);
  if (!s) return;
  let service: TxnService;
  try {
    service = await s;
  } catch {
    return; // it never opened: nothing to close
  }
  await service.close();
}

export function stateLogDir(kafka: KafkaContext): string {
  return join(paths.vhost(kafka.broker.dataDir, kafka.options.vhost), 'kafka-transaction-state');
}

async function readState(log: Log): Promise<TxnRecord[]> {
  const latest = new Map<string, TxnRecord>();
  let offset = log.logStartOffset;
  while (offset < log.nextOffset) {
    const { bytes } = await log.read(offset, 1024 * 1024);
    if (bytes.length === 0) break;
    let next = offset;
    forEachBatch(bytes, (h, pos) => {
      next = h.baseOffset + h.lastOffsetDelta + 1;
      for (const rec of decodeRecords(bytes, pos)) {
        if (!rec.key) continue;
        const id = rec.key.toString('utf8');
        if (!rec.value) {
          latest.delete(id);
          continue;
        }
        try {
          latest.delete(id);
          latest.set(id, JSON.parse(rec.value.toString('utf8')) as TxnRecord);
        } catch {
          // An unreadable record is skipped.
        }
      }
    });
    if (next <= offset) break;
    offset = next;
  }
  return [...latest.values()];
}

async function open(kafka: KafkaContext): Promise<TxnService> {
  const log = await kafka.broker.ctx.openOffsetsLog(stateLogDir(kafka));
  const clock = kafka.broker.ctx.clock;
  const coordinator = new TxnCoordinator(clock, {
    allocateProducerId: () => producerIds(kafka.broker, kafka.options.vhost).allocate(),
    persist: async (rec) => {
      await log.append(encodeBatch([{ key: Buffer.from(rec.transactionalId, 'utf8'), value: Buffer.from(JSON.stringify(rec), 'utf8'), timestamp: clock.now() }]), CRC_CHECKED);
    },
    writeMarkers: (producerId, epoch, partitions, commit) => writeMarkers(kafka, producerId, epoch, partitions, commit),
    commitOffsets: async (group, commits) => {
      await (await kafka.vhost.groupOffsets()).commit(group, commits, clock.now());
    },
  });
  try {
    coordinator.recover(await readState(log));
  } catch (e) {
    await log.close().catch(() => undefined); // the read error is the one to report
    throw e;
  }
  /** The tick under way, if any (tick() never rejects). */
  let ticking: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (ticking !== null) return;
    ticking = coordinator.tick().finally(() => {
      ticking = null;
    });
  }, TXN_TICK_MS);
  timer.unref();
  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    clearInterval(timer);
    if (ticking !== null) await ticking;
    await coordinator.idle();
    await log.close();
  };
  return { coordinator, close: () => (closing ??= close()) };
}

/**
 * Appends a commit or abort marker to each partition (a deleted topic is skipped). The partition's
 * log closes the producer's transaction when it stores the marker; a commit marker first sends
 * the transaction's records on to the queues bound to the topic (Topic.appendBatch).
 */
async function writeMarkers(kafka: KafkaContext, producerId: number, epoch: number, partitions: readonly TopicPartition[], commit: boolean): Promise<void> {
  const now = kafka.broker.ctx.clock.now();
  await Promise.all(partitions.map(async ({ topic: name, partition }) => {
    const topic = kafka.topic(name);
    if (!topic || partition < 0 || partition >= topic.partitionCount) return;
    const marker = encodeBatch([{ key: controlKey(commit), value: controlValue(COORDINATOR_EPOCH), timestamp: now }], {
      producerId, producerEpoch: epoch, baseSequence: -1, transactional: true, control: true, baseTimestamp: now,
    });
    // The topic wakes waiting fetches once the marker is readable; the partition's log took
    // the marker into its transaction index when it assigned its offset, so read_committed
    // fetches woken then already see the last stable offset past the transaction.
    await topic.appendBatch(partition, marker, CRC_CHECKED);
  }));
}
