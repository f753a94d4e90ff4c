/**
 * A queue: a message log plus consumption state (docs/queues.md). The same object serves AMQP
 * (push consumers, prefetch, ack/nack by lease), SQS (pull receive, visibility, long polling,
 * redrive, FIFO groups, dedupe) and the SDK.
 *
 * Where each unsettled message is, exactly one of: a ready lane (ReadySet), the delay heap, the
 * lease table, or a dead-letter job in progress. Settled offsets are in SettledSet. Every state
 * change that must survive a restart goes to the journal before it is acknowledged durable.
 *
 * Single-threaded: every method runs to completion; dispatch is re-entrancy safe (a deliver
 * callback may ack synchronously).
 */
import { HopperError } from '../errors.js';
import type { Message } from '../message.js';
import type { Clock, Log, LogDamage } from '../../storage/types.js';
import { encodeMessages } from '../../storage/codec/message-codec.js';
import { Consumer, ConsumerSet, type ConsumerHost } from './consumer.js';
import { DEAD_LETTER_REASON_CODE, DeadLetterer } from './dead-letterer.js';
import { DedupWindow } from './dedup.js';
import { DelayHeap } from './delay-heap.js';
import { Journal } from './journal.js';
import { SettleReason, type SettleReasonCode } from './journal-format.js';
import { Lease, LeaseTable } from './lease.js';
import { LeaseIdGenerator } from './lease-id.js';
import { MessageReader, NO_RECORD } from './message-reader.js';
import { describeMessage, emptyInfo, followedInfo, needsQueueMeta, type MessageInfo } from './message-info.js';
import { validateQueueOptions, type QueueOptions } from './options.js';
import { HeldEvents, HeldKind, type HeldKindCode } from './held-events.js';
import { PublishPipeline, type PendingPublish } from './publisher.js';
import { withQueueMeta } from './queue-header.js';
import { ReadySet, type Group } from './ready-set.js';
import { restore, type Recovered } from './recovery.js';
import { SettledSet } from './settled-set.js';
import { takeSnapshot } from './snapshot-take.js';
import { Checkpointer } from './checkpointer.js';
import type { Scheduler } from './time.js';
import { WakeTimer } from './wake-timer.js';
import type { CheckpointSnapshot } from './journal.js';
import type { QueueTuning } from './tuning.js';
import type {
  ConsumeOptions,
  DeadLetterHook,
  DeadLetterReason,
  DeliverCallback,
  Delivery,
  PublishOptions,
  PublishOutcome,
  QueueDamage,
  QueueStats,
  ReceiveOptions,
} from './types.js';
import { Waiter, WaiterList } from './waiter.js';

/** Everything openQueue (open.ts) assembles for the constructor. */
export interface QueueParts {
  name: string;
  options: QueueOptions;
  tuning: QueueTuning;
  clock: Clock;
  scheduler: Scheduler;
  messages: Log;
  state: Log;
  recovered: Recovered;
  deadLetter: DeadLetterHook | null;
  onIdleExpired: ((q: Queue) => void) | null;
  /** Removes the queue's storage (delete()). */
  onDeleted: (() => Promise<void>) | null;
  /** Told of every message loss to damaged storage (for the error log). */
  onDamage: ((d: QueueDamage) => void) | null;
  /**
   * The queue does not outlive the broker (not durable, or exclusive), so there is no
   * durability to wait for: publishes resolve once the queue has the message, before its first
   * delivery. Clients rely on that order as RabbitMQ gives it for such queues: a confirm comes
   * before any reply a consumer makes to the message (rabbitmq-client's RPCClient listens for
   * the reply only once the request is confirmed, and dropped replies that came first).
   */
  transient: boolean;
  /**
   * The message log is another's (a topic partition, for a Kafka share group): the queue takes
   * in what its owner appends through follow(), never publishes to it nor trims it (the owner's
   * retention does), and an offset without a record (a transaction marker, a record compacted
   * away) is skipped as an ordinary gap, not reported as damage.
   */
  follower?: boolean;
}

/** What recovery found at open, for the broker's startup log line. */
export interface QueueRecoveryReport {
  /** The previous run did not close cleanly (every recovered message is marked redelivered). */
  unclean: boolean;
  /** Messages read from the log tail after the last checkpoint. */
  messagesScanned: number;
  /** Journal events applied after the last checkpoint. */
  eventsReplayed: number;
  /** Unsettled messages whose records the message log no longer had: dropped. */
  lostMessages: number;
}

export class Queue implements ConsumerHost {
  readonly name: string;
  readonly recovery: QueueRecoveryReport;
  /** Current settings (replaced as a whole by reconfigure). */
  private o: QueueOptions;
  private readonly tuning: QueueTuning;

  get options(): Readonly<QueueOptions> {
    return this.o;
  }
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly messages: Log;
  private readonly state: Log;
  private readonly journal: Journal;
  private readonly publisher: PublishPipeline;
  private readonly onIdleExpired: ((q: Queue) => void) | null;
  private readonly onDeleted: (() => Promise<void>) | null;
  private readonly onDamage: ((d: QueueDamage) => void) | null;
  /** See QueueParts.transient. */
  private readonly transient: boolean;
  /** See QueueParts.follower. */
  private readonly follower: boolean;
  private readonly losses: QueueDamage[] = [];

  private readonly ready: ReadySet;
  private readonly delayed = new DelayHeap();
  private readonly leases: LeaseTable;
  private readonly settled: SettledSet;
  /** Delivery counts of unsettled messages that are not leased (leases carry their own). */
  private readonly deliveryCounts: Map<number, number>;
  private readonly dedup = new DedupWindow();
  private readonly consumers: ConsumerSet;
  private readonly waiters = new WaiterList();
  private readonly reader: MessageReader;
  private readonly deadLetterer: DeadLetterer;
  private readonly ids = new LeaseIdGenerator();

  /**
   * Offsets below are known to the queue: their appends were accepted and indexed. Those from
   * publisher.durableEnd on are deliverable (from memory) but not durable yet.
   */
  private knownEnd: number;
  /** Journal events naming offsets not durable yet (see held-events.ts). */
  private readonly held = new HeldEvents();
  /** Dispatch waits for the head's append to become durable (its body is not in memory). */
  private awaitingDurable = false;
  /** Messages below may have been delivered before an unclean stop. */
  private suspectBelow: number;
  private readonly checkpointer: Checkpointer;
  private ttlInPlay = false;

  private dispatching = false;
  private again = false;
  /** A receive being filled from one FIFO group (SQS returns a group's messages together). */
  private sticky: { group: Group; waiter: Waiter } | null = null;
  /** Dispatch created a lease deadline or a lane head that the armed timer may not cover. */
  private rearmAfterDispatch = false;

  private readonly timer: WakeTimer;
  private closed = false;
  private closing: Promise<void> | null = null;
  private lastUsedAt: number;
  private idleReported = false;

  private readonly counters = {
    published: 0,
    delivered: 0,
    redelivered: 0,
    acked: 0,
    deadLettered: 0,
    expired: 0,
    dropped: 0,
    deduplicated: 0,
  };

  constructor(p: QueueParts) {
    this.name = p.name;
    this.o = p.options;
    this.tuning = p.tuning;
    this.clock = p.clock;
    this.scheduler = p.scheduler;
    this.messages = p.messages;
    this.state = p.state;
    this.onIdleExpired = p.onIdleExpired;
    this.onDeleted = p.onDeleted;
    this.onDamage = p.onDamage;
    this.transient = p.transient;
    this.follower = p.follower ?? false;
    const rec = p.recovered;
    this.recovery = { unclean: rec.unclean, messagesScanned: rec.messagesScanned, eventsReplayed: rec.eventsReplayed, lostMessages: rec.lost?.count ?? 0 };
    const now = this.clock.now();

    this.ready = new ReadySet(this.o.maxPriority);
    this.leases = new LeaseTable(this.tuning.expiredLeaseMemory);
    this.consumers = new ConsumerSet(this.o.singleActiveConsumer);
    this.reader = new MessageReader(this.messages, this.tuning, (offset, why) => this.noteLost(offset, why), this.follower);
    this.timer = new WakeTimer(this.clock, this.scheduler, () => this.tick());
    this.deadLetterer = new DeadLetterer(
      {
        name: this.name,
        clock: this.clock,
        scheduler: this.scheduler,
        retryMs: this.tuning.retryMs,
        inFlightBytes: this.tuning.deadLetterInFlightBytes,
        target: () => this.o.deadLetterTarget,
        load: (offset) => this.loadForDeadLetter(offset),
        finished: (job, dead) => {
          this.settle(job.offset, dead ? DEAD_LETTER_REASON_CODE[job.reason] : SettleReason.missing);
          if (dead) this.counters.deadLettered++;
          else this.counters.dropped++;
        },
        isClosed: () => this.closed,
      },
      p.deadLetter,
    );
    this.settled = rec.settled;
    this.deliveryCounts = rec.deliveryCounts;
    this.knownEnd = rec.logEnd;
    this.suspectBelow = rec.suspectBelow;
    this.lastUsedAt = now;

    this.ttlInPlay = restore(rec, { ready: this.ready, delayed: this.delayed, dedup: this.dedup }, now);
    if (rec.lost !== null) {
      const { count, fromOffset, toOffset } = rec.lost;
      this.reportLoss({
        atMs: now,
        messages: count,
        fromOffset,
        toOffset,
        reason: `${count} message(s) lost at recovery: their records (offsets ${fromOffset} to ${toOffset - 1}) are missing from the message log`,
      });
    }

    this.journal = new Journal(this.state, rec.lastSeq, (value) =>
      encodeMessages([{ key: null, value, headers: [], timestamp: this.clock.now(), properties: {} }]),
    );
    this.checkpointer = new Checkpointer(
      {
        journal: this.journal,
        messages: this.messages,
        clock: this.clock,
        tuning: this.tuning,
        durableEnd: () => this.stateEnd(),
        settledFloor: () => this.settled.floor,
        deduplicate: () => this.o.deduplicate,
        snapshot: (clean) => this.snapshot(clean),
        afterCheckpoint: () => this.rearm(),
        trims: !this.follower,
      },
      { logEnd: rec.checkpointLogEnd, seq: rec.lastSeq },
    );
    const batchBytes = Math.min(this.tuning.publishBatchBytes, this.messages.config.maxBatchBytes - 4096);
    this.publisher = new PublishPipeline(this.messages, (ms) => encodeMessages(ms), batchBytes, {
      accepted: (batch, base) => this.onAccepted(batch, base),
      durable: (batch, base) => this.onDurable(batch, base),
      failed: (batch, base, e) => this.onFailed(batch, base, e),
    });
  }

  /** Journals that the queue is open (a crash from now on is unclean) and starts the timers. */
  async start(): Promise<void> {
    this.journal.opened();
    await this.journal.whenDurable();
    // After damage, a checkpoint at once: the journal's events before it may name offsets the
    // message log no longer has, which a log that could not skip them hands out again; replayed
    // after a later crash, they would apply to new messages.
    if (this.recovery.lostMessages > 0 || this.messages.lost !== null || this.messages.damage.length > 0) await this.checkpointer.run(false);
    this.tick();
  }

  // ---------------------------------------------------------------- publish

  /**
   * Stores a message. Resolves once the append is durable under the log's fsync policy (an
   * AMQP confirm, an SDK publish). The message is in the queue, and deliverable, earlier: as soon
   * as the log has accepted its append (within a turn of the event loop); `visible` is called
   * then, or when the publish is refused or deduplicated, exactly once, never after the promise
   * settles (AMQP's per-channel ordering waits for it). Rejects with MESSAGE_TOO_LARGE,
   * QUEUE_FULL (reject-publish overflow), INVALID_ARGUMENT, CLOSED or STORAGE_FAILED (also when
   * the append fails after the message was delivered: it was never durable).
   */
  publish(message: Message, opts: PublishOptions = {}, visible: (() => void) | null = null): Promise<PublishOutcome> {
    if (this.closed) return refused(visible, Promise.reject(closedError(this.name)));
    if (this.follower) return refused(visible, Promise.reject(new HopperError('INVALID_ARGUMENT', `queue ${JSON.stringify(this.name)} follows a log: nothing is published to it`)));
    const o = this.o;
    const now = this.clock.now();
    const info: MessageInfo = { size: 0, level: 0, groupId: null, expiresAt: Infinity, dueAt: 0, dedupId: null };
    let dueAt = 0;
    try {
      dueAt = dueAtOf(opts, o.deliveryDelayMs, now);
      describeMessage(o, message, now, dueAt, info);
    } catch (e) {
      return refused(visible, Promise.reject(e));
    }
    if (info.size > o.maxMessageBytes) {
      return refused(visible, Promise.reject(new HopperError('MESSAGE_TOO_LARGE', `message of ${info.size} bytes exceeds maxMessageBytes ${o.maxMessageBytes}`)));
    }
    if (info.dedupId !== null) {
      const original = this.dedup.lookup(info.dedupId, now);
      if (original !== undefined) {
        // The original is in the queue (or being stored); this one adds nothing to see.
        this.counters.deduplicated++;
        return refused(visible, Promise.resolve(original).then((offset) => ({ offset, duplicate: true })));
      }
    }
    if (o.overflow !== 'drop-head' && dueAt === 0 && this.wouldOverflow(info.size)) {
      return refused(visible, this.rejectPublish(message));
    }
    const stored = needsQueueMeta(o, message, dueAt) ? withQueueMeta(message, now, dueAt) : message;
    return new Promise<PublishOutcome>((resolve, reject) => {
      let onStored = (offset: number): void => resolve({ offset, duplicate: false });
      let onFailed = (e: unknown): void => reject(e);
      const id = info.dedupId;
      if (id !== null) {
        // Duplicates arriving before this one is durable wait for it: their answer promises
        // durability too.
        this.dedup.begin(
          id,
          new Promise<number>((res, rej) => {
            const resolveOne = onStored;
            onStored = (offset) => (res(offset), resolveOne(offset));
            onFailed = (e) => (this.dedup.abandon(id), rej(e), reject(e));
          }),
        );
      }
      this.publisher.add({ message, stored, info, enqueuedAt: now, resolve: onStored, reject: onFailed, visible });
    });
  }

  private wouldOverflow(size: number): boolean {
    const o = this.o;
    const n = this.ready.length + this.publisher.pending;
    const bytes = this.ready.bytes + this.publisher.pendingBytes;
    return (o.maxLength !== null && n + 1 > o.maxLength) || (o.maxLengthBytes !== null && bytes + size > o.maxLengthBytes);
  }

  private async rejectPublish(message: Message): Promise<PublishOutcome> {
    if (this.o.overflow === 'reject-publish-dlx' && this.deadLetterer.enabled()) {
      this.counters.deadLettered++;
      await this.deadLetterer.rejected(message);
    }
    throw new HopperError('QUEUE_FULL', `queue ${JSON.stringify(this.name)} is full (overflow ${this.o.overflow})`);
  }

  /** The log took a batch: its messages are in the queue and deliverable (from memory). */
  private onAccepted(batch: readonly PendingPublish[], base: number): void {
    if (this.closed) {
      // Not indexed: the final checkpoint's logEnd stays below them, so a reopen finds them
      // in its scan of the log tail once their append is durable.
      for (let i = 0; i < batch.length; i++) batch[i]!.visible?.();
      return;
    }
    const now = this.clock.now();
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      const offset = base + i;
      const info = p.info;
      this.knownEnd = offset + 1;
      this.counters.published++;
      this.reader.published(offset, p.message, info.size);
      if (info.expiresAt !== Infinity) this.ttlInPlay = true;
      if (info.dueAt > now) this.delayed.push(info.dueAt, offset, info.size, info.expiresAt, info.level, info.groupId);
      else this.ready.push(false, offset, info.size, info.expiresAt, info.level, info.groupId);
      p.visible?.();
      // Resolved before the dispatch below delivers it (onDurable's resolve is then a no-op).
      if (this.transient) p.resolve(offset);
    }
    // Deliver first, then trim: a message a consumer can take at once never counts (RabbitMQ).
    this.dispatch();
    this.enforceMaxLength();
    this.rearm();
  }

  /**
   * A batch is durable: its publishes resolve (confirms), and the journal events held back for
   * its messages (deliveries, acks) go to the journal now.
   */
  private onDurable(batch: readonly PendingPublish[], base: number): void {
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      const id = p.info.dedupId;
      if (id !== null && !this.closed) this.dedup.commit(id, base + i, p.enqueuedAt + this.o.dedupWindowMs);
      p.resolve(base + i);
    }
    // Also once closed: close() journals them before its final checkpoint.
    this.held.release(this.publisher.durableEnd, this.emitHeld);
    if (this.closed) return;
    if (this.awaitingDurable) {
      this.awaitingDurable = false;
      this.dispatch();
      this.enforceMaxLength(); // deferred while dispatch waited
    }
    this.checkpointer.maybe();
    this.rearm();
  }

  /**
   * An accepted batch will never be durable: the message log failed (and refuses every later
   * append). Its publishes reject (AMQP nacks) although their messages may have been delivered
   * already; the journal never hears of those messages again (held events are dropped, later
   * ones too), so nothing durable names an offset the log may hand out again after a restart.
   * The messages are withdrawn: their bodies are forgotten, so each is dropped when dispatch
   * reaches it (it cannot be read back from the log). A consumer that has one keeps it; its
   * ack goes nowhere, and a requeue drops it (docs/queues.md, "Delivery before fsync").
   */
  private onFailed(batch: readonly PendingPublish[], base: number, e: unknown): void {
    for (let i = 0; i < batch.length; i++) batch[i]!.reject(e);
    this.held.clear();
    for (let o = base; o < base + batch.length; o++) this.reader.forget(o);
    if (this.awaitingDurable && !this.closed) {
      this.awaitingDurable = false;
      this.dispatch();
      this.enforceMaxLength();
      this.rearm();
    }
  }

  // ---------------------------------------------------------------- journal events

  /**
   * Journal events go through these: an event naming a message whose append is not durable yet
   * is held back until it is (held-events.ts), and dropped if it never will be.
   */
  private journalSettle(offset: number, code: SettleReasonCode): void {
    const pub = this.publisher;
    if (offset < pub.durableEnd) this.journal.settle(offset, code);
    else if (pub.failure === null) this.held.hold(HeldKind.settle, code, offset, 1);
  }

  private journalSettleRange(start: number, count: number, code: SettleReasonCode): void {
    const pub = this.publisher;
    const end = start + count;
    const d = pub.durableEnd;
    if (start < d) this.journal.settleRange(start, Math.min(end, d) - start, code);
    if (end > d && pub.failure === null) {
      const from = Math.max(start, d);
      this.held.hold(HeldKind.settleRange, code, from, end - from);
    }
  }

  private journalDelivered(offset: number): void {
    const pub = this.publisher;
    if (offset < pub.durableEnd) this.journal.delivered(offset);
    else if (pub.failure === null) this.held.hold(HeldKind.delivered, 0, offset, 1);
  }

  private journalUndelivered(offset: number): void {
    const pub = this.publisher;
    if (offset < pub.durableEnd) this.journal.undelivered(offset);
    else if (pub.failure === null) this.held.hold(HeldKind.undelivered, 0, offset, 1);
  }

  private readonly emitHeld = (kind: HeldKindCode, reason: number, start: number, count: number): void => {
    if (kind === HeldKind.settle) this.journal.settle(start, reason as SettleReasonCode);
    else if (kind === HeldKind.delivered) this.journal.delivered(start);
    else if (kind === HeldKind.undelivered) this.journal.undelivered(start);
    else this.journal.settleRange(start, count, reason as SettleReasonCode);
  };

  /**
   * Resolves once every settle so far of a message below `end` is durable: after the messages'
   * appends (their events were held until then) and the journal's append. Rejects with
   * STORAGE_FAILED if the message log failed first (such settles are never journaled).
   */
  private settlesDurable(end: number): Promise<void> {
    if (end <= this.publisher.durableEnd) return this.journal.whenDurable();
    return this.publisher.whenDurable(end).then(() => this.journal.whenDurable());
  }

  /** What durable state (a checkpoint) may describe: messages known to the queue whose appends are durable. */
  private stateEnd(): number {
    return Math.min(this.knownEnd, this.publisher.durableEnd);
  }

  /** A dead letter's body: from memory, else from the log once its append is durable (null: never). */
  private async loadForDeadLetter(offset: number): Promise<Message | null> {
    const m = this.reader.cached(offset);
    if (m !== undefined) return m;
    if (offset >= this.publisher.durableEnd) {
      try {
        await this.publisher.whenDurable(offset + 1);
      } catch {
        return null; // its append failed: there is nothing to dead-letter, it is dropped
      }
    }
    return this.reader.load(offset);
  }

  private enforceMaxLength(): void {
    const o = this.o;
    if (o.overflow !== 'drop-head' || (o.maxLength === null && o.maxLengthBytes === null)) return;
    // A dispatch is waiting for the log to return the head's body for a taker (after a restart,
    // or past the cache). Trimming now would drop the very message it is about to deliver, so
    // whether a waiting consumer gets it would depend on the cache. Drop-head trims after
    // delivery has had its chance (docs/queues.md), so the read's callback (fetch) trims instead.
    if (this.reader.fetching || this.awaitingDurable) return;
    const r = this.ready;
    while ((o.maxLength !== null && r.length > o.maxLength) || (o.maxLengthBytes !== null && r.bytes > o.maxLengthBytes)) {
      if (!r.peekAny()) break;
      this.removeHead('maxlen');
    }
  }

  /**
   * A follower queue (QueueParts.follower): the log's owner has appended records below `end`,
   * durably. They are ready now, in offset order, each as one message (an offset the log turns
   * out to have no record at is skipped when dispatch reaches it).
   */
  follow(end: number): void {
    if (!this.follower) throw new HopperError('INVALID_ARGUMENT', `queue ${JSON.stringify(this.name)} does not follow a log`);
    if (this.closed || end <= this.knownEnd) return;
    const start = this.knownEnd;
    const info = followedInfo(emptyInfo());
    this.knownEnd = end;
    this.counters.published += end - start;
    this.publisher.adopt(end);
    this.ready.pushRun(start, end - start, info.size, info.expiresAt, info.level, null);
    this.dispatch();
    this.checkpointer.maybe();
    this.rearm();
  }

  /** Offsets below are settled (Kafka's share-partition start offset for a follower queue). */
  get settledFloor(): number {
    return this.settled.floor;
  }

  /** Offsets below are known to the queue (the end of what follow() has taken in). */
  get end(): number {
    return this.knownEnd;
  }

  /** Whether the lease is still held (not settled, released or expired). */
  holds(leaseId: string): boolean {
    return this.leases.has(leaseId);
  }

  // ---------------------------------------------------------------- consume

  /** Adds a push consumer. Throws ACCESS_REFUSED (exclusive), INVALID_ARGUMENT, CLOSED. */
  consume(opts: ConsumeOptions, deliver: DeliverCallback): Consumer {
    this.checkOpen();
    const c = new Consumer(this, opts, deliver);
    this.consumers.add(c);
    this.used();
    this.dispatch();
    return c;
  }

  /** ConsumerHost: stop a consumer, and with `release` return its leases (front, in order). */
  cancelConsumer(c: Consumer, release: boolean): void {
    if (!c.stopped) {
      c.stopped = true;
      this.consumers.remove(c);
      this.used();
    }
    if (!release || c.cancelled) return;
    c.cancelled = true;
    if (this.closed) return;
    const held: Lease[] = [];
    for (let l = c.first; l !== null; l = l.next) held.push(l);
    held.sort((a, b) => b.offset - a.offset); // pushed to the front last-first: original order
    for (const l of held) this.release(l, false);
    this.dispatch();
    this.rearm();
  }

  wake(): void {
    if (!this.closed) this.dispatch();
  }

  /**
   * Pull: up to `max` messages, leased for visibilityTimeoutMs (Infinity: until settled or
   * released). With waitMs > 0, waits for a first message (long polling). Rejects with
   * TOO_MANY_IN_FLIGHT at maxInFlight, RESOURCE_LIMIT past maxWaiters pending receives.
   */
  receive(opts: ReceiveOptions = {}): Promise<Delivery[]> {
    if (this.closed) return Promise.reject(closedError(this.name));
    const max = opts.max ?? 1;
    const vt = opts.visibilityTimeoutMs ?? this.o.visibilityTimeoutMs;
    const wait = opts.waitMs ?? this.o.receiveWaitMs;
    const autoAck = opts.autoAck ?? false;
    if (!Number.isSafeInteger(max) || max < 1 || max > this.tuning.maxReceive) {
      return Promise.reject(new HopperError('INVALID_ARGUMENT', `receive max must be in [1, ${this.tuning.maxReceive}], not ${max}`));
    }
    if (!(vt >= 0) || !(wait >= 0) || wait === Infinity) {
      return Promise.reject(new HopperError('INVALID_ARGUMENT', 'visibilityTimeoutMs and waitMs must be non-negative'));
    }
    if (!autoAck && this.leases.size >= this.o.maxInFlight) {
      return Promise.reject(new HopperError('TOO_MANY_IN_FLIGHT', `queue ${JSON.stringify(this.name)} has ${this.leases.size} messages in flight`));
    }
    if (this.waiters.length >= this.tuning.maxWaiters) {
      return Promise.reject(new HopperError('RESOURCE_LIMIT', `too many pending receives on queue ${JSON.stringify(this.name)}`));
    }
    const now = this.clock.now();
    const w = new Waiter(max, vt, autoAck, now + wait);
    this.waiters.add(w);
    this.used();
    this.dispatch();
    this.rearm();
    if (!w.done && wait > 0) keepAliveUntil(w.promise);
    return w.promise;
  }

  // ---------------------------------------------------------------- settle

  /** Settles a delivery (fire-and-forget durability). Throws UNKNOWN_DELIVERY, LEASE_EXPIRED, CLOSED. */
  ack(leaseId: string): void {
    this.ackLease(leaseId);
  }

  /** ack; returns the message's offset. */
  private ackLease(leaseId: string): number {
    this.checkOpen();
    const lease = this.leases.get(leaseId);
    this.leases.remove(lease);
    if (lease.group !== null) this.ready.release(lease.group);
    this.settle(lease.offset, SettleReason.ack);
    this.counters.acked++;
    this.dispatch();
    return lease.offset;
  }

  /**
   * Like ack, and resolves once the settle is durable (SQS DeleteMessage): for a message still
   * being fsynced, after its append too. Rejects with STORAGE_FAILED if either log fails first.
   */
  ackDurable(leaseId: string): Promise<void> {
    let offset: number;
    try {
      offset = this.ackLease(leaseId);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.settlesDurable(offset + 1);
  }

  /**
   * Negative acknowledgement (AMQP nack/reject). requeue: back to the front of its lane, marked
   * redelivered (dead-lettered instead once maxDeliveries is reached); otherwise dead-lettered
   * with reason `rejected` if a target is configured, else dropped.
   */
  nack(leaseId: string, requeue = true): void {
    this.checkOpen();
    const lease = this.leases.get(leaseId);
    if (requeue) this.release(lease, false);
    else {
      this.leases.remove(lease);
      if (lease.group !== null) this.ready.release(lease.group);
      this.deadLetterOrDrop(lease.offset, lease.size, lease.expiresAt, lease.level, lease.group?.id ?? null, lease.deliveryCount, 'rejected');
    }
    this.dispatch();
    this.rearm();
  }

  /**
   * Gives back a delivery its consumer never saw (Kafka: the records a share group member held
   * when it left or its share session ended): the lease ends, the message goes back to the
   * front of its lane, and its delivery count is what it was before this delivery, so no
   * delivery limit applies. Throws UNKNOWN_DELIVERY, LEASE_EXPIRED, CLOSED.
   */
  giveBack(leaseId: string): void {
    this.checkOpen();
    const lease = this.leases.get(leaseId);
    this.leases.remove(lease);
    const count = lease.deliveryCount - 1;
    this.journalUndelivered(lease.offset);
    if (count > 0) this.deliveryCounts.set(lease.offset, count);
    else this.deliveryCounts.delete(lease.offset);
    const g = lease.group;
    this.ready.push(true, lease.offset, lease.size, lease.expiresAt, lease.level, g?.id ?? null);
    if (g !== null) this.ready.release(g);
    this.dispatch();
    this.rearm();
  }

  /**
   * Moves a lease's visibility deadline to now + ms (SQS ChangeMessageVisibility); 0 makes the
   * message ready now. Throws UNKNOWN_DELIVERY, LEASE_EXPIRED, INVALID_ARGUMENT.
   */
  changeVisibility(leaseId: string, ms: number): void {
    this.checkOpen();
    if (!(ms >= 0)) throw new HopperError('INVALID_ARGUMENT', `visibility timeout must be >= 0, not ${ms}`);
    const lease = this.leases.get(leaseId);
    if (ms === 0) {
      this.release(lease, false);
      this.dispatch();
    } else this.leases.setDeadline(lease, this.clock.now() + ms);
    this.rearm();
  }

  /** Ends a lease and returns its message to the front of its lane (or dead-letters it). */
  private release(lease: Lease, expired: boolean): void {
    this.leases.remove(lease, expired);
    const count = lease.deliveryCount;
    const g = lease.group;
    const max = this.o.maxDeliveries;
    if (max !== null && count >= max) {
      if (g !== null) this.ready.release(g);
      this.deadLetterOrDrop(lease.offset, lease.size, lease.expiresAt, lease.level, g?.id ?? null, count, 'delivery_limit');
      return;
    }
    this.deliveryCounts.set(lease.offset, count);
    this.ready.push(true, lease.offset, lease.size, lease.expiresAt, lease.level, g?.id ?? null);
    if (g !== null) this.ready.release(g);
  }

  private settle(offset: number, code: SettleReasonCode): void {
    this.journalSettle(offset, code);
    this.settled.add(offset);
    this.reader.forget(offset);
  }

  /** Removes all ready and delayed messages (not in-flight ones); resolves with the count once durable. */
  async purge(): Promise<number> {
    this.checkOpen();
    let n = 0;
    let end = 0;
    this.ready.forEachRun((start, count) => {
      this.journalSettleRange(start, count, SettleReason.purged);
      this.settled.addRange(start, start + count);
      n += count;
      end = Math.max(end, start + count);
    });
    this.delayed.forEach((e) => {
      this.journalSettle(e.offset, SettleReason.purged);
      this.settled.add(e.offset);
      n++;
      end = Math.max(end, e.offset + 1);
    });
    this.ready.clear();
    this.delayed.clear();
    for (const o of [...this.deliveryCounts.keys()]) if (this.settled.has(o)) this.deliveryCounts.delete(o);
    this.rearm();
    // After a failed append, messages that never became durable need no durable settle (their
    // events are dropped): wait for the rest only.
    await this.settlesDurable(this.publisher.failure === null ? end : Math.min(end, this.publisher.durableEnd));
    return n;
  }

  // ---------------------------------------------------------------- dispatch

  private dispatch(): void {
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.again = false;
        this.waiters.rewind();
        this.dispatchPass();
      } while (this.again && !this.closed);
    } finally {
      this.dispatching = false;
    }
    if (this.waiters.length > 0) this.waiters.finish(this.clock.now(), this.reader.fetching || this.awaitingDurable);
    if (this.rearmAfterDispatch) {
      this.rearmAfterDispatch = false;
      this.rearm();
    }
  }

  private dispatchPass(): void {
    const r = this.ready;
    const h = r.head;
    const max = this.o.maxDeliveries;
    while (r.length > 0 && !this.closed) {
      // A receive that took a group's message takes that group's next ones first (SQS FIFO).
      const sticky = this.sticky;
      if (sticky !== null && (sticky.waiter.done || sticky.waiter.full)) this.sticky = null;
      if (this.sticky !== null ? !r.peekGroup(this.sticky.group) : !r.peek()) {
        if (this.sticky === null) return;
        this.sticky = null;
        continue;
      }
      if (h.expiresAt <= this.clock.now()) {
        this.removeHead('expired');
        continue;
      }
      const target = this.sticky?.waiter ?? this.pickTarget(h.size);
      if (target === null) return;
      const autoAck = target.autoAck;
      if (!autoAck && this.leases.size >= this.o.maxInFlight) return;
      const prev = this.deliveryCounts.size > 0 ? (this.deliveryCounts.get(h.offset) ?? 0) : 0;
      if (max !== null && prev >= max) {
        this.removeHead('delivery_limit');
        continue;
      }
      const msg = this.reader.cached(h.offset);
      if (msg === undefined) {
        if (this.reader.isMissing(h.offset)) {
          this.removeHead(null);
          continue;
        }
        if (h.offset >= this.publisher.durableEnd) {
          // Not in memory (larger than the cache, or evicted) and not readable from the log
          // before its append is durable: wait for that (onDurable dispatches again).
          if (this.publisher.failure !== null) {
            this.removeHead(null); // it never will be: dropped, as its publisher was told
            continue;
          }
          this.awaitingDurable = true;
          return;
        }
        this.fetch(h.offset);
        return;
      }
      r.shift(!autoAck);
      // A new lane head may expire before the armed timer.
      if (this.ttlInPlay) this.rearmAfterDispatch = true;
      this.deliver(target, msg, prev);
      const g = h.group;
      this.sticky = g !== null && !autoAck && target instanceof Waiter && !target.full ? { group: g, waiter: target } : null;
    }
  }

  /** The next taker: pending receives first (in arrival order), then push consumers. */
  private pickTarget(size: number): Consumer | Waiter | null {
    return this.waiters.pick() ?? this.consumers.pick(size);
  }

  /** Hands the message `ready.head` (already shifted) to target. */
  private deliver(target: Consumer | Waiter, msg: Message, prevCount: number): void {
    const h = this.ready.head;
    const offset = h.offset;
    const count = prevCount + 1;
    if (prevCount > 0) this.deliveryCounts.delete(offset);
    const redelivered = prevCount > 0 || offset < this.suspectBelow;
    this.counters.delivered++;
    if (redelivered) this.counters.redelivered++;
    let leaseId = '';
    if (target.autoAck) {
      this.settle(offset, SettleReason.ack);
      this.counters.acked++;
    } else {
      this.journalDelivered(offset);
      leaseId = this.ids.next();
      const isConsumer = target instanceof Consumer;
      const vt = isConsumer ? Infinity : target.visibilityTimeoutMs;
      const deadline = vt === Infinity ? Infinity : this.clock.now() + vt;
      if (deadline < this.timer.at) this.rearmAfterDispatch = true;
      this.leases.add(new Lease(leaseId, offset, h.size, h.expiresAt, h.level, h.group, count, isConsumer ? target : null, deadline));
    }
    const d: Delivery = { leaseId, offset, message: msg, redelivered, deliveryCount: count };
    if (target instanceof Waiter) target.got.push(d);
    else {
      try {
        target.deliver(d);
      } catch (e) {
        // A throwing callback is a bug in its protocol layer: surface it, keep the queue consistent.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  /** Reads ahead from the log at offset, then dispatches again (or retries after an I/O error). */
  private fetch(offset: number): void {
    this.reader.fetch(offset, (ok) => {
      if (this.closed) return;
      if (!ok) {
        this.enforceMaxLength(); // deferred while the read was in flight
        this.scheduler.after(this.tuning.retryMs, () => this.wake());
        return;
      }
      this.dispatch();
      this.enforceMaxLength(); // deferred while the read was in flight
      this.rearm();
    });
  }

  // ---------------------------------------------------------------- removal and dead letters

  /**
   * Removes the message at ready.head (found by peek/peekAny/peekExpired) for `reason`; null:
   * it is missing from the log.
   */
  private removeHead(reason: DeadLetterReason | null): void {
    const h = this.ready.head;
    const { offset, size, expiresAt, level } = h;
    const groupId = h.group?.id ?? null;
    this.ready.shift(false);
    if (this.ttlInPlay) this.rearmAfterDispatch = true;
    const count = this.deliveryCounts.get(offset) ?? 0;
    if (count > 0) this.deliveryCounts.delete(offset);
    if (reason === null) {
      this.settle(offset, SettleReason.missing);
      this.counters.dropped++;
      if (offset + 1 >= this.reader.missingEnd) this.reader.missing = this.reader.missingEnd = -1;
      return;
    }
    if (reason === 'expired') this.counters.expired++;
    this.deadLetterOrDrop(offset, size, expiresAt, level, groupId, count, reason);
  }

  /**
   * A message that cannot be read (no record, or one failing its check): the caller settles it
   * as missing. Consecutive offsets share one report (a damaged batch holds many messages).
   */
  private noteLost(offset: number, why: string): void {
    if (this.follower && why === NO_RECORD) return; // a gap in a topic partition: not damage
    const last = this.losses[this.losses.length - 1];
    if (last !== undefined && last.toOffset === offset && last.reason.startsWith(UNREADABLE)) {
      last.messages++;
      last.toOffset = offset + 1;
      return;
    }
    this.reportLoss({ atMs: this.clock.now(), messages: 1, fromOffset: offset, toOffset: offset + 1, reason: `${UNREADABLE} from offset ${offset}: ${why}` });
  }

  private reportLoss(d: QueueDamage): void {
    this.losses.push(d);
    try {
      this.onDamage?.(d);
    } catch {
      // A failing reporter must not stop the queue.
    }
  }

  /** Messages lost to damaged storage since the queue was opened (empty when none). */
  damage(): readonly QueueDamage[] {
    return this.losses;
  }

  /** Damage its logs found in themselves (LogDamage): the message log's, then the state log's. */
  logDamage(): { log: 'messages' | 'state'; damage: LogDamage }[] {
    return [...this.messages.damage.map((damage) => ({ log: 'messages' as const, damage })), ...this.state.damage.map((damage) => ({ log: 'state' as const, damage }))];
  }

  private deadLetterOrDrop(offset: number, size: number, expiresAt: number, level: number, groupId: string | null, deliveryCount: number, reason: DeadLetterReason): void {
    if (!this.deadLetterer.enabled()) {
      this.settle(offset, DEAD_LETTER_REASON_CODE[reason]);
      this.counters.dropped++;
      return;
    }
    this.deadLetterer.start({ offset, size, expiresAt, level, groupId, deliveryCount, reason });
  }

  // ---------------------------------------------------------------- time

  /**
   * Does everything that is due at clock.now(): expired visibility leases, due delayed
   * messages, TTL at lane heads, long-poll timeouts, idle expiry, checkpoints. The queue's own
   * timer calls it; tests driving a ManualTime get it through the scheduler.
   */
  tick(): void {
    if (this.closed) return;
    const now = this.clock.now();
    const due: Lease[] = [];
    for (let l = this.leases.popDue(now); l !== null; l = this.leases.popDue(now)) due.push(l);
    // Last offset first, each to the front: they come back in publish order.
    if (due.length > 1) due.sort((a, b) => b.offset - a.offset);
    for (const l of due) this.release(l, true);
    const d = this.delayed;
    while (d.nextDueAt() <= now) {
      d.pop();
      const t = d.top;
      this.ready.push(false, t.offset, t.size, t.expiresAt, t.level, t.groupId);
    }
    if (this.ttlInPlay) while (this.ready.peekExpired(now)) this.removeHead('expired');
    this.dedup.sweep(now);
    this.dispatch();
    this.enforceMaxLength();
    if (this.waiters.length > 0) this.waiters.finish(this.clock.now(), this.reader.fetching || this.awaitingDurable);
    const x = this.o.expiresMs;
    if (x !== null && !this.idleReported && this.consumers.size === 0 && now - this.lastUsedAt >= x) {
      this.idleReported = true;
      this.onIdleExpired?.(this);
    }
    if (!this.closed) this.checkpointer.maybe();
    this.rearm();
  }

  /** Arms the wake timer for the earliest thing due. */
  private rearm(): void {
    if (this.closed) return;
    let at = Math.min(this.leases.nextDeadline(), this.delayed.nextDueAt(), this.waiters.nextDeadline(), this.checkpointer.nextDueAt());
    if (this.ttlInPlay) at = Math.min(at, this.ready.earliestHeadExpiry());
    if (this.o.expiresMs !== null && !this.idleReported && this.consumers.size === 0) at = Math.min(at, this.lastUsedAt + this.o.expiresMs);
    this.timer.arm(at);
  }

  private used(): void {
    this.lastUsedAt = this.clock.now();
    this.idleReported = false;
  }

  /** Marks the queue used (AMQP redeclare), restarting the x-expires idle clock. */
  touch(): void {
    this.used();
    this.rearm();
  }

  // ---------------------------------------------------------------- checkpoints

  /**
   * Messages from stateEnd() on are left out (their appends are not durable, and no event about
   * them is journaled yet): recovery finds them in the log tail if they survive.
   */
  private snapshot(clean: boolean): CheckpointSnapshot & { logEnd: number } {
    const seq = this.journal.seq;
    const logEnd = this.stateEnd();
    // After a failed append, messages past logEnd that a restart may still find on disk were
    // perhaps delivered: a restart marks them redelivered even after this (clean) checkpoint.
    const suspectBelow = this.publisher.failure === null ? this.suspectBelow : Math.max(this.suspectBelow, this.knownEnd);
    const h = { seq, logEnd, suspectBelow, clean };
    const s = { ready: this.ready, delayed: this.delayed, leases: this.leases, deadLetters: this.deadLetterer.jobs, deliveryCounts: this.deliveryCounts, dedup: this.dedup };
    return { bytes: takeSnapshot(h, s, this.clock.now()), seq, logEnd };
  }

  /** Writes a checkpoint now (close() writes the clean one). */
  checkpoint(): Promise<void> {
    return this.checkpointer.run(false);
  }

  // ---------------------------------------------------------------- lifecycle and stats

  stats(): QueueStats {
    return {
      ready: this.ready.length,
      readyBytes: this.ready.bytes,
      inFlight: this.leases.size,
      inFlightBytes: this.leases.bytes,
      delayed: this.delayed.length,
      consumers: this.consumers.size,
      waiters: this.waiters.length,
      ...this.counters,
    };
  }

  /** Resolves when every publish so far is processed and every state change is durable. */
  async flush(): Promise<void> {
    await this.publisher.drain();
    await this.journal.whenDurable();
  }

  /** Stops everything and writes a clean checkpoint; leases in flight come back after reopen. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.shutDown();
      // Publishes appended from now on are in the log past the snapshot's logEnd: a reopen
      // finds them in its tail scan.
      await this.publisher.drain().catch(() => undefined);
      await this.journal.drain();
      await this.checkpointer.run(true);
      await this.messages.close();
      await this.state.close();
    })();
    return this.closing;
  }

  /**
   * Deletes the queue: stops it, closes its logs without a checkpoint and removes its storage.
   * Messages still in it are dropped (the broker dead-letters nothing on delete, as RabbitMQ).
   */
  async delete(): Promise<void> {
    this.shutDown();
    this.closing ??= (async () => {
      await this.publisher.drain().catch(() => undefined);
      await this.journal.drain().catch(() => undefined);
      await this.messages.close();
      await this.state.close();
      await this.onDeleted?.();
    })();
    return this.closing;
  }

  /** Stops without writing anything (after a storage failure, or to simulate a crash in tests). */
  abort(): void {
    this.shutDown();
  }

  private shutDown(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.cancel();
    this.waiters.rejectAll(closedError(this.name));
    for (const c of [...this.consumers.list()]) {
      c.stopped = true;
      this.consumers.remove(c);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Settles cannot be journaled once the state log failed: refuse them rather than lie. */
  private checkOpen(): void {
    if (this.closed) throw closedError(this.name);
    if (this.journal.failure !== null) {
      throw new HopperError('STORAGE_FAILED', `queue ${JSON.stringify(this.name)}: state log failed: ${this.journal.failure.message}`, {
        cause: this.journal.failure,
      });
    }
  }

  /**
   * Changes settings at run time (SQS SetQueueAttributes, policies). The indexes' shape is
   * fixed at declaration: maxPriority, fifo, deduplicate and singleActiveConsumer cannot change
   * (INVALID_ARGUMENT). A new messageTtlMs applies to messages published from now on.
   */
  reconfigure(changes: Partial<QueueOptions>): QueueOptions {
    for (const k of ['maxPriority', 'fifo', 'deduplicate', 'singleActiveConsumer'] as const) {
      if (changes[k] !== undefined && changes[k] !== this.o[k]) {
        throw new HopperError('INVALID_ARGUMENT', `queue option ${k} cannot change after declaration`);
      }
    }
    this.o = validateQueueOptions({ ...this.o, ...changes });
    this.dispatch();
    this.enforceMaxLength();
    this.rearm();
    return this.o;
  }

  /** For diagnostics and tests: counts of the compact structures. */
  internals(): {
    settledFloor: number;
    settledIntervals: number;
    knownEnd: number;
    logStartOffset: number;
    deliveryCounts: number;
    groups: number;
    deadLettering: number;
    fetching: boolean;
    awaitingDurable: boolean;
  } {
    return {
      deadLettering: this.deadLetterer.jobs.size,
      fetching: this.reader.fetching,
      awaitingDurable: this.awaitingDurable,
      settledFloor: this.settled.floor,
      settledIntervals: this.settled.intervalCount,
      knownEnd: this.knownEnd,
      logStartOffset: this.messages.logStartOffset,
      deliveryCounts: this.deliveryCounts.size,
      groups: this.ready.groups.size,
    };
  }
}

const UNREADABLE = 'unreadable message(s) dropped';

function closedError(name: string): HopperError {
  return new HopperError('CLOSED', `queue ${JSON.stringify(name)} is closed`);
}

/** A publish that stores nothing is as visible as it will ever be: say so at once. */
function refused(visible: (() => void) | null, outcome: Promise<PublishOutcome>): Promise<PublishOutcome> {
  visible?.();
  return outcome;
}

function dueAtOf(opts: PublishOptions, defaultDelayMs: number, now: number): number {
  if (opts.dueAt !== undefined) {
    if (!Number.isFinite(opts.dueAt)) throw new HopperError('INVALID_ARGUMENT', 'dueAt must be a finite time');
    return opts.dueAt > now ? opts.dueAt : 0;
  }
  const delay = opts.delayMs ?? defaultDelayMs;
  if (!(delay >= 0) || !Number.isFinite(delay)) throw new HopperError('INVALID_ARGUMENT', `delayMs must be >= 0, not ${delay}`);
  return delay > 0 ? now + delay : 0;
}

/**
 * A long-poll receive keeps the process alive while it waits, as a pending network call would:
 * an embedded program whose only work left is `await queue.receive({ waitMs })` must not exit
 * half-way (the queue's own timer is unref'd, so that an idle broker holds nothing open).
 */
function keepAliveUntil(p: Promise<unknown>): void {
  const t = setInterval(() => undefined, 1 << 30);
  const clear = () => clearInterval(t);
  p.then(clear, clear);
}
