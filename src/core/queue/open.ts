/**
 * Opening a queue: open its two logs (messages and state), recover the consumption state, and
 * journal that the queue is open. The broker supplies the logs through QueueStorage, so the same
 * queue runs on the disk log, the simulated fs (crash tests) or an in-memory log.
 */
import type { Clock, Log, LogConfig } from '../../storage/types.js';
import { systemClock } from '../../storage/types.js';
import type { Message } from '../message.js';
import { describeMessage, emptyInfo, followedInfo, type MessageInfo } from './message-info.js';
import { validateQueueOptions, type QueueOptions } from './options.js';
import type { QueueMeta } from './queue-header.js';
import { Queue } from './queue.js';
import { recoverQueueState } from './recovery.js';
import { systemScheduler, type Scheduler } from './time.js';
import { defaultQueueTuning, type QueueTuning } from './tuning.js';
import type { DeadLetterHook, QueueDamage } from './types.js';

export type QueueLogKind = 'messages' | 'state';

export interface QueueStorage {
  /**
   * Opens (creating when absent) one of the queue's logs. `suggested` carries the settings the
   * queue would like (smaller segments for the state log); the broker may override them.
   */
  openLog(kind: QueueLogKind, suggested: Partial<LogConfig>): Promise<Log>;
  /** Removes the queue's files (after delete()). */
  destroy?(): Promise<void>;
}

export interface OpenQueueInit {
  name: string;
  options?: Partial<QueueOptions>;
  storage: QueueStorage;
  clock?: Clock;
  scheduler?: Scheduler;
  /** Routes dead letters; without it, messages that would be dead-lettered are dropped. */
  deadLetter?: DeadLetterHook;
  /** Called once when the queue has been unused for options.expiresMs (x-expires). */
  onIdleExpired?: (q: Queue) => void;
  tuning?: Partial<QueueTuning>;
  /** Told of every message loss to damaged storage (at recovery or when a read fails its check). */
  onDamage?: (d: QueueDamage) => void;
  /** The queue does not outlive the broker (not durable, or exclusive): see QueueParts.transient. */
  transient?: boolean;
  /**
   * The message log is someone else's (a topic partition a Kafka share group reads, see
   * QueueParts.follower): the queue never appends to it nor deletes from it, and takes in what
   * others append through Queue.follow().
   */
  follower?: boolean;
}

/** Suggested settings of the queue's logs: segments small enough that acks free disk soon. */
export const QUEUE_LOG_SUGGESTIONS: Record<QueueLogKind, Partial<LogConfig>> = {
  messages: { segmentMaxBytes: 64 * 1024 * 1024, retentionMs: -1, retentionBytes: -1, cleanupPolicy: 'delete' },
  state: { segmentMaxBytes: 8 * 1024 * 1024, retentionMs: -1, retentionBytes: -1, cleanupPolicy: 'delete' },
};

export async function openQueue(init: OpenQueueInit): Promise<Queue> {
  const options = validateQueueOptions(init.options);
  const tuning: QueueTuning = { ...defaultQueueTuning, ...init.tuning };
  const clock = init.clock ?? systemClock;
  const scheduler = init.scheduler ?? systemScheduler;
  const messages = await init.storage.openLog('messages', QUEUE_LOG_SUGGESTIONS.messages);
  let state: Log | null = null;
  try {
    state = await init.storage.openLog('state', QUEUE_LOG_SUGGESTIONS.state);
    const follower = init.follower ?? false;
    const describe = (m: Message, meta: QueueMeta | null, out: MessageInfo) => {
      if (follower) return { info: followedInfo(out), dedupExpiresAt: 0 };
      const enqueuedAt = meta?.enqueuedAt ?? m.timestamp;
      return { info: describeMessage(options, m, enqueuedAt, meta?.dueAt ?? 0, out), dedupExpiresAt: enqueuedAt + options.dedupWindowMs };
    };
    const recovered = await recoverQueueState(messages, state, describe, clock.now(), follower ? followedInfo(emptyInfo()) : null);
    const destroy = init.storage.destroy?.bind(init.storage);
    const q = new Queue({
      name: init.name,
      options,
      tuning,
      clock,
      scheduler,
      messages,
      state,
      recovered,
      deadLetter: init.deadLetter ?? null,
      onIdleExpired: init.onIdleExpired ?? null,
      onDeleted: destroy ?? null,
      onDamage: init.onDamage ?? null,
      transient: init.transient ?? false,
      follower,
    });
    await q.start();
    return q;
  } catch (e) {
    await messages.close().catch(() => undefined);
    await state?.close().catch(() => undefined);
    throw e;
  }
}
