/**
 * One AMQP channel: commands run in arrival order. A command whose work is asynchronous (a
 * declare, a get, a commit) holds the ones behind it in a bounded inbox until it completes;
 * publishes are not held: routing happens when the publish is handled and storing goes on in
 * the background (its confirm follows when it is durable).
 *
 * Any failure closes the channel (channel.close with the mapped code) or, for hard errors, the
 * connection. A closing channel gives its consumers' unacked messages back to their queues.
 * The client's channel.close is answered only once its publishes are in their queues (closeByClient).
 */
import { isHopperError } from '../../../core/errors.js';
import type { Queue } from '../../../core/queue/queue.js';
import type { Topic } from '../../../core/topic/topic.js';
import type { AmqpCommand } from '../codec/command-assembler.js';
import type { AmqpMethodInput, MethodByName } from '../codec/methods/registry.js';
import { methodByName } from '../codec/methods/registry.js';
import { ReplyCode } from '../codec/reply-codes.js';
import { type AmqpError, channelError, connectionError, preconditionFailed, toAmqpError } from '../mapping/errors.js';
import { isQuorum } from '../mapping/queue-arguments.js';
import type { AmqpConsumer, ReplyConsumer } from './consumer.js';
import { consume } from './consume.js';
import { DeliveryTable, type Unacked } from './deliveries.js';
import type { ChannelHost } from './host.js';
import { Publisher } from './publisher.js';
import { settledWithin } from './settle-wait.js';
import * as topology from './topology.js';
import { noPreviousQueue } from './topology.js';

export type ChannelState = 'open' | 'closing' | 'closed';

/**
 * Methods whose outcome depends on what the channel published before them: they see queue
 * contents or counts, start or stop consuming, or commit. Routing happens when a publish is
 * handled, so exchange and binding changes need not wait; channel.close waits on its own.
 */
const OBSERVES_PUBLISHES: ReadonlySet<string> = new Set([
  'basic.get',
  'basic.consume',
  'basic.cancel',
  'queue.declare',
  'queue.purge',
  'queue.delete',
  'tx.commit',
]);

export class Channel {
  state: ChannelState = 'open';
  private readonly inbox: AmqpCommand[] = [];
  private inboxHead = 0;
  private busy = false;
  private inboxOver = false;
  /** The client sent channel.close: close-ok is pending, commands after it are dropped. */
  private closeAsked = false;

  /** basic.qos global=false: applies to consumers created afterwards (RabbitMQ's reading). */
  consumerPrefetchCount = 0;
  consumerPrefetchBytes = 0;
  /** basic.qos global=true: unacked consumer deliveries on the whole channel. */
  channelPrefetchCount = 0;
  private paused = false;

  private lastTag = 0;
  readonly unacked = new DeliveryTable();
  readonly consumers = new Map<string, AmqpConsumer>();
  /** Cancelled consumers whose deliveries may still be unacked: released when the channel closes. */
  private readonly retired = new Set<AmqpConsumer>();
  readonly publisher: Publisher;
  /** The direct reply-to consumer, if this channel has one. */
  replyConsumer: ReplyConsumer | null = null;
  /** The queue last declared here: '' in later queue methods means this one (RabbitMQ). */
  lastQueue: string | null = null;

  constructor(
    readonly id: number,
    readonly host: ChannelHost,
  ) {
    this.publisher = new Publisher(this);
  }

  nextTag(): number {
    return ++this.lastTag;
  }

  defaultQueue(): string {
    if (this.lastQueue === null) throw noPreviousQueue();
    return this.lastQueue;
  }

  // ---------------------------------------------------------------- command flow

  handle(cmd: AmqpCommand): void {
    if (this.state !== 'open' || this.closeAsked) return;
    if (this.busy || this.host.writeLimited || this.inboxHead < this.inbox.length) {
      this.inbox.push(cmd);
      if (!this.inboxOver && this.inbox.length - this.inboxHead > this.host.ctx.options.channelInboxMax) {
        this.inboxOver = true;
        this.host.inboxOverflow(true);
      }
      return;
    }
    this.run(cmd);
  }

  /**
   * Runs a command, first waiting for the channel's publishes not yet in their queues when the
   * command looks at queues: on one channel a method observes every publish before it, as in
   * RabbitMQ (a queue takes a message in once its log accepts the append, a turn of the event
   * loop after the publish; the fsync comes later and is not waited for). Only such methods
   * wait, and only for this channel; publishes and acks stay pipelined. The wait is bounded
   * like a close's (closeDrainTimeoutMs).
   */
  private run(cmd: AmqpCommand): void {
    if (this.publisher.storing && OBSERVES_PUBLISHES.has(cmd.method.method)) {
      const settled = this.publisher.settled();
      if (settled !== null) {
        this.busy = true;
        void settledWithin([settled], this.host.ctx.options.closeDrainTimeoutMs).then(() => {
          this.busy = false;
          if (this.state !== 'open') return;
          this.runNow(cmd);
          this.drainInbox();
        });
        return;
      }
    }
    this.runNow(cmd);
  }

  private runNow(cmd: AmqpCommand): void {
    let pending: Promise<void> | void;
    try {
      pending = this.dispatch(cmd);
    } catch (e) {
      this.fail(e, cmd);
      return;
    }
    if (pending === undefined) return;
    this.busy = true;
    pending.then(
      () => {
        this.busy = false;
        this.drainInbox();
      },
      (e: unknown) => {
        this.busy = false;
        this.fail(e, cmd);
      },
    );
  }

  private drainInbox(): void {
    while (!this.busy && !this.host.writeLimited && this.state === 'open' && this.inboxHead < this.inbox.length) {
      const cmd = this.inbox[this.inboxHead]!;
      this.inbox[this.inboxHead++] = undefined as unknown as AmqpCommand;
      this.run(cmd);
    }
    if (this.inboxHead >= this.inbox.length) {
      this.inbox.length = 0;
      this.inboxHead = 0;
    }
    if (this.inboxOver && this.inbox.length - this.inboxHead <= this.host.ctx.options.channelInboxMax / 2) {
      this.inboxOver = false;
      this.host.inboxOverflow(false);
    }
  }

  /** The connection's unsent bytes fell below its write limit: held commands may run. */
  writable(): void {
    if (!this.busy) this.drainInbox();
  }

  /** A failure while handling `cmd` (or later, for its asynchronous part). */
  fail(e: unknown, cmd?: AmqpCommand): void {
    const d = cmd === undefined ? undefined : methodByName(cmd.method.method);
    const err = toAmqpError(e, d);
    if (err.level === 'connection') this.host.fail(err);
    else this.closeWithError(err);
  }

  private dispatch(cmd: AmqpCommand): Promise<void> | void {
    const m = cmd.method;
    switch (m.method) {
      case 'basic.publish':
        return this.publisher.publish(m, cmd.content!);
      case 'basic.ack':
        return this.settle(m.deliveryTag, m.multiple, 'ack', false);
      case 'basic.nack':
        return this.settle(m.deliveryTag, m.multiple, 'nack', m.requeue);
      case 'basic.reject':
        return this.settle(m.deliveryTag, false, 'nack', m.requeue);
      case 'basic.qos':
        return this.qos(m);
      case 'basic.consume':
        return consume(this, m);
      case 'basic.cancel':
        return this.cancel(m.consumerTag, m.nowait);
      case 'basic.get':
        return this.get(m);
      case 'basic.recover':
      case 'basic.recover-async':
        // RabbitMQ refuses requeue=false (redelivering to the same consumer is not done) with a
        // connection error, 540 NOT_IMPLEMENTED "requeue=false" (rabbit_channel.erl).
        if (!m.requeue) throw connectionError(ReplyCode.NOT_IMPLEMENTED, 'requeue=false');
        this.recover();
        if (m.method === 'basic.recover') this.send({ method: 'basic.recover-ok' });
        return;
      case 'exchange.declare':
        return topology.declareExchange(this, m);
      case 'exchange.delete':
        return topology.deleteExchange(this, m);
      case 'exchange.bind':
      case 'exchange.unbind':
        return topology.bindExchange(this, m);
      case 'queue.declare':
        return topology.declareQueue(this, m);
      case 'queue.bind':
      case 'queue.unbind':
        return topology.bindQueue(this, m);
      case 'queue.purge':
        return topology.purgeQueue(this, m);
      case 'queue.delete':
        return topology.deleteQueue(this, m);
      case 'confirm.select':
        this.publisher.selectConfirms();
        if (!m.nowait) this.send({ method: 'confirm.select-ok' });
        return;
      case 'tx.select':
        this.publisher.selectTx();
        this.send({ method: 'tx.select-ok' });
        return;
      case 'tx.commit':
        return this.publisher.commit();
      case 'tx.rollback':
        this.publisher.rollback();
        this.send({ method: 'tx.rollback-ok' });
        return;
      case 'channel.flow':
        // RabbitMQ 3.10 refuses to stop a channel's deliveries this way (consumers use the
        // prefetch instead) with a connection error, 540 "active=false" (observed).
        if (!m.active) throw connectionError(ReplyCode.NOT_IMPLEMENTED, 'active=false');
        this.send({ method: 'channel.flow-ok', active: true });
        return;
      case 'channel.flow-ok':
        return;
      case 'channel.close':
        return this.closeByClient();
      case 'access.request':
        this.send({ method: 'access.request-ok', ticket: 1 });
        return;
      case 'channel.open':
        throw connectionError(ReplyCode.CHANNEL_ERROR, "second 'channel.open' seen");
      default:
        throw connectionError(ReplyCode.COMMAND_INVALID, `unexpected method ${m.method} from a client`);
    }
  }

  send(method: AmqpMethodInput): void {
    if (this.state === 'open') this.host.sendMethod(this.id, method);
  }

  // ---------------------------------------------------------------- closing

  /**
   * The client's channel.close. Clients rely on RabbitMQ's promise that once they have close-ok,
   * everything they published on the channel is in its queues (amqp-publish publishes without
   * confirms, closes, and the next amqp-get must find the message); a queue takes a message in
   * once its log accepts the append, so close-ok waits for the publishes not in their queues
   * yet, up to closeDrainTimeoutMs (a refused one counts as done; a stalled one must not hold
   * the close forever). It does not wait for their fsync, as RabbitMQ does not. Only this channel waits: it is busy, the others go on.
   * Consumers stop and unacked messages go back at once.
   */
  private closeByClient(): Promise<void> | void {
    this.closeAsked = true;
    this.release();
    const settled = this.publisher.settled();
    if (settled === null) return this.closeOk();
    return settledWithin([settled], this.host.ctx.options.closeDrainTimeoutMs).then(() => this.closeOk());
  }

  private closeOk(): void {
    // The connection may have gone meanwhile (it closed the channel itself).
    if (this.state !== 'open') return;
    this.send({ method: 'channel.close-ok' });
    this.state = 'closed';
    this.host.released(this.id);
  }

  /** Sends channel.close and releases everything; the connection waits for close-ok. */
  closeWithError(err: AmqpError): void {
    if (this.state !== 'open') return;
    this.host.sendMethod(this.id, { method: 'channel.close', replyCode: err.replyCode, replyText: err.replyText, classId: err.classId, methodId: err.methodId });
    this.state = 'closing';
    this.release();
  }

  /**
   * Returns unacked messages to their queues (in their original order) and stops consumers.
   * Idempotent; called on close in either direction and when the connection goes.
   */
  release(): void {
    this.publisher.stop();
    this.inbox.length = 0;
    this.inboxHead = 0;
    if (this.inboxOver) {
      this.inboxOver = false;
      this.host.inboxOverflow(false);
    }
    const entries = this.unacked.takeAll();
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.owner === null && e.queue !== null) quietly(() => e.queue!.nack(e.leaseId, true));
    }
    const gone = new Set<string>();
    for (const c of [...this.consumers.values(), ...this.retired]) {
      c.close();
      if (c.queueName !== null) gone.add(c.queueName);
    }
    this.consumers.clear();
    this.retired.clear();
    for (const q of gone) this.consumerGone(q);
  }

  // ---------------------------------------------------------------- basic

  private qos(m: MethodByName<'basic.qos'>): void {
    if (m.global) {
      this.channelPrefetchCount = m.prefetchCount;
      this.updateFlow();
    } else {
      this.consumerPrefetchCount = m.prefetchCount;
      this.consumerPrefetchBytes = m.prefetchSize;
    }
    this.send({ method: 'basic.qos-ok' });
  }

  addConsumer(c: AmqpConsumer): void {
    this.consumers.set(c.tag, c);
  }

  private cancel(tag: string, nowait: boolean): void {
    const c = this.consumers.get(tag);
    if (c !== undefined) {
      this.consumers.delete(tag);
      c.stop();
      this.retired.add(c);
      if (c.queueName !== null) this.consumerGone(c.queueName);
    }
    if (!nowait) this.send({ method: 'basic.cancel-ok', consumerTag: tag });
  }

  /** Auto-delete applies once the last consumer of a queue is gone. */
  private consumerGone(queue: string): void {
    this.host.session.vhost.consumerGone(queue).catch((e: unknown) => this.host.ctx.logger.warn(`auto-delete of queue ${queue}: ${(e as Error).message}`));
  }

  /**
   * A queue, or a stream's topic, was deleted: its consumers here are cancelled (and told, if
   * the client listens). Returns their tags.
   */
  sourceDeleted(source: Queue | Topic): string[] {
    const cancelled: string[] = [];
    for (const c of [...this.consumers.values()]) {
      if (c.source !== source) continue;
      this.consumers.delete(c.tag);
      c.stop();
      this.retired.add(c);
      if (this.host.capabilities.consumerCancelNotify) this.host.cancelNotices.send(this, c.tag);
      cancelled.push(c.tag);
    }
    return cancelled;
  }

  private async get(m: MethodByName<'basic.get'>): Promise<void> {
    const session = this.host.session;
    const name = m.queue === '' ? this.defaultQueue() : m.queue;
    const [d] = await session.receive(name, { max: 1, waitMs: 0, visibilityTimeoutMs: Infinity, autoAck: m.noAck }, this.host.connectionId);
    if (this.state !== 'open') {
      // Closed while waiting: the delivery goes back.
      if (d !== undefined && !m.noAck) quietly(() => session.vhost.queue(name).nack(d.leaseId, true));
      return;
    }
    if (d === undefined) {
      this.send({ method: 'basic.get-empty' });
      return;
    }
    const entry = session.vhost.queueEntry(name);
    const queue = entry.queue;
    const tag = this.nextTag();
    if (!m.noAck) this.unacked.add({ tag, leaseId: d.leaseId, queue, owner: null, size: d.message.value?.length ?? 0 });
    this.host.send(
      this.publisher.encodeDelivery(
        {
          method: 'basic.get-ok',
          deliveryTag: tag,
          redelivered: d.redelivered,
          exchange: d.message.properties.exchange ?? '',
          routingKey: d.message.properties.routingKey ?? '',
          messageCount: queue.stats().ready,
        },
        d.message,
        // A quorum queue's get-ok always carries x-delivery-count, 0 the first time (3.10).
        isQuorum(entry) ? d.deliveryCount - 1 : -1,
      ),
    );
  }

  /**
   * basic.ack / nack / reject. In a transaction the entries are taken now (so an unknown tag
   * fails now, as in RabbitMQ) and settled at commit.
   */
  private settle(tag: number, multiple: boolean, kind: 'ack' | 'nack', requeue: boolean): void {
    const entries = this.unacked.take(tag, multiple);
    if (entries === undefined) throw preconditionFailed(`unknown delivery tag ${tag}`);
    if (this.publisher.inTx) {
      this.publisher.txSettle(entries, kind === 'ack' ? 'ack' : requeue ? 'requeue' : 'reject');
    } else this.apply(entries, kind === 'ack' ? 'ack' : requeue ? 'requeue' : 'reject');
    this.updateFlow();
  }

  /** Settles entries with their queues; requeues go last-first so the queue keeps their order. */
  apply(entries: readonly Unacked[], how: 'ack' | 'requeue' | 'reject'): void {
    if (how === 'requeue') {
      // Each requeue dispatches at once; holding our consumers until all are back keeps the
      // queue order (r1 before r2) for what they receive.
      const hold = entries.length > 1 && !this.paused && this.consumers.size > 0;
      if (hold) for (const c of this.consumers.values()) c.setPaused(true);
      for (let i = entries.length - 1; i >= 0; i--) settleOne(entries[i]!, how);
      if (hold) for (const c of [...this.consumers.values()]) if (!this.paused) c.setPaused(false);
    } else {
      for (let i = 0; i < entries.length; i++) settleOne(entries[i]!, how);
    }
  }

  /**
   * basic.recover (requeue=true): every unacked message goes back to its queue, marked
   * redelivered; a stream's deliveries only return their credit (the stream keeps its records).
   */
  private recover(): void {
    this.apply(this.unacked.takeAll(), 'requeue');
    this.updateFlow();
  }

  // ---------------------------------------------------------------- flow control

  /** Called after each delivery: pauses consumers when a limit is reached. */
  afterDelivery(): void {
    if (this.host.writeBlocked || (this.channelPrefetchCount > 0 && this.unacked.consumerCount >= this.channelPrefetchCount)) this.updateFlow();
  }

  /**
   * Pauses or resumes every consumer of the channel: paused while the socket is over its
   * high-water mark, or while the channel-wide prefetch is used up.
   */
  updateFlow(): void {
    const want = this.host.writeBlocked || (this.channelPrefetchCount > 0 && this.unacked.consumerCount >= this.channelPrefetchCount);
    if (want === this.paused || this.state !== 'open') return;
    this.paused = want;
    for (const c of [...this.consumers.values()]) {
      // Resuming may deliver synchronously and pause again: stop if the state moved on.
      if (this.paused !== want) break;
      c.setPaused(want);
    }
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Reply consumer for 406 when publishing with amq.rabbitmq.reply-to without one. */
  noReplyConsumer(): AmqpError {
    return channelError(ReplyCode.PRECONDITION_FAILED, 'fast reply consumer does not exist');
  }
}

function settleOne(e: Unacked, how: 'ack' | 'requeue' | 'reject'): void {
  const q = e.queue;
  if (q !== null && e.leaseId !== '') {
    try {
      if (how === 'ack') q.ack(e.leaseId);
      else q.nack(e.leaseId, how === 'requeue');
    } catch (err) {
      // The queue was deleted or the lease already ended (queue deleted, consumer released):
      // nothing is left to settle, as with RabbitMQ.
      if (!isHopperError(err)) throw err;
    }
  }
  e.owner?.settled(e);
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // Best effort while closing: a deleted queue has nothing left to return.
  }
}
