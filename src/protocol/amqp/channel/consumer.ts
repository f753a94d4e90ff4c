/**
 * Consumers as a channel sees them: a push consumer on a core queue (QueueConsumer), the
 * direct reply-to pseudo-consumer (ReplyConsumer) and a stream reader (stream-consumer.ts).
 *
 * Deliveries the queue hands over while basic.consume is still being answered (the queue
 * dispatches synchronously inside consume) are held until consume-ok is out, so that no
 * basic.deliver precedes it; they are messages the queue already had in memory, so this holds
 * references, not copies. The same backlog absorbs deliveries made just before a pause.
 */
import type { Consumer } from '../../../core/queue/consumer.js';
import type { Queue } from '../../../core/queue/queue.js';
import type { Delivery } from '../../../core/queue/types.js';
import type { Message } from '../../../core/message.js';
import type { Topic } from '../../../core/topic/topic.js';
import type { Channel } from './channel.js';
import type { DeliveryOwner } from './deliveries.js';
import type { DirectReplyTarget } from './direct-reply.js';

export interface AmqpConsumer {
  readonly tag: string;
  /** The queue (or topic) consumed; null for direct reply-to. */
  readonly queueName: string | null;
  /** What it reads (a core queue, or a stream's topic), to match deletions; null for direct reply-to. */
  readonly source: Queue | Topic | null;
  setPaused(paused: boolean): void;
  /** basic.cancel: no more deliveries; unacked ones stay settleable. */
  stop(): void;
  /** The channel is closing: stop, and give unacked deliveries back. */
  close(): void;
}

interface DeliverMethod {
  method: 'basic.deliver';
  consumerTag: string;
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
}

export class QueueConsumer implements AmqpConsumer, DeliveryOwner {
  queue: Queue | null = null;
  private core: Consumer | null = null;
  private backlog: Delivery[] | null = [];
  private started = false;
  /** Reused for every delivery: the encoder keeps no reference to it. */
  private readonly method: DeliverMethod;

  constructor(
    private readonly channel: Channel,
    readonly tag: string,
    readonly queueName: string,
    private readonly noAck: boolean,
    /** A quorum queue's: redeliveries carry x-delivery-count. */
    private readonly quorum = false,
  ) {
    this.method = { method: 'basic.deliver', consumerTag: tag, deliveryTag: 0, redelivered: false, exchange: '', routingKey: '' };
  }

  get source(): Queue | null {
    return this.queue;
  }

  attach(core: Consumer, queue: Queue): void {
    this.core = core;
    this.queue = queue;
  }

  readonly onDelivery = (d: Delivery): void => {
    if (this.backlog !== null) this.backlog.push(d);
    else this.write(d);
  };

  /** consume-ok is out: deliveries flow. */
  start(): void {
    this.started = true;
    this.flushBacklog();
    if (this.backlog !== null) this.core?.pause();
  }

  private write(d: Delivery): void {
    const ch = this.channel;
    const msg = d.message;
    const tag = ch.nextTag();
    if (!this.noAck) ch.unacked.add({ tag, leaseId: d.leaseId, queue: this.queue, owner: this, size: msg.value?.length ?? 0 });
    const m = this.method;
    m.deliveryTag = tag;
    m.redelivered = d.redelivered;
    m.exchange = msg.properties.exchange ?? '';
    m.routingKey = msg.properties.routingKey ?? '';
    let frames: Buffer;
    try {
      // RabbitMQ 3.10's quorum queues: x-delivery-count, the deliveries before this one, on
      // redeliveries only (a first delivery to a consumer has no such header).
      frames = ch.publisher.encodeDelivery(m, msg, this.quorum && d.deliveryCount > 1 ? d.deliveryCount - 1 : -1);
    } catch (e) {
      // A message this client cannot receive (its properties exceed the negotiated frame-max):
      // never throw into the queue's dispatch. It is rejected (dead-lettered if configured).
      ch.host.ctx.logger.warn(`amqp: cannot deliver message ${d.offset} of queue ${this.queueName} to ${this.tag}: ${(e as Error).message}`);
      if (!this.noAck) {
        ch.unacked.take(tag, false);
        queueMicrotask(() => {
          try {
            this.queue?.nack(d.leaseId, false);
          } catch {
            // The queue is gone: nothing to settle.
          }
        });
      }
      return;
    }
    ch.host.send(frames);
    ch.afterDelivery();
  }

  private flushBacklog(force = false): void {
    const b = this.backlog;
    if (b === null) return;
    const ch = this.channel;
    let i = 0;
    while (i < b.length && ch.state === 'open' && (force || !ch.isPaused)) this.write(b[i++]!);
    if (i < b.length && ch.state === 'open') {
      b.splice(0, i);
      return;
    }
    this.backlog = null;
  }

  setPaused(paused: boolean): void {
    if (paused) {
      this.core?.pause();
      return;
    }
    if (!this.started) return;
    this.flushBacklog();
    if (this.backlog === null) this.core?.resume();
  }

  settled(): void {
    // Credit is the queue's business: its Consumer counts its own unsettled leases.
  }

  stop(): void {
    if (this.started) this.flushBacklog(true);
    this.backlog = null;
    this.core?.stop();
  }

  close(): void {
    this.backlog = null;
    this.core?.cancel();
  }
}

/** The consumer of amq.rabbitmq.reply-to: replies are delivered directly, unacked-free. */
export class ReplyConsumer implements AmqpConsumer, DirectReplyTarget {
  readonly queueName = null;
  readonly source = null;
  readonly address: string;
  private readonly method: DeliverMethod;
  private active = true;

  constructor(
    private readonly channel: Channel,
    readonly tag: string,
  ) {
    this.address = channel.host.ctx.replyTo.register(this);
    this.method = { method: 'basic.deliver', consumerTag: tag, deliveryTag: 0, redelivered: false, exchange: '', routingKey: '' };
  }

  deliverReply(message: Message): boolean {
    const ch = this.channel;
    if (!this.active || ch.state !== 'open') return false;
    const m = this.method;
    m.deliveryTag = ch.nextTag();
    m.exchange = message.properties.exchange ?? '';
    m.routingKey = message.properties.routingKey ?? '';
    ch.host.send(ch.publisher.encodeDelivery(m, message));
    return true;
  }

  setPaused(): void {
    // Replies are not flow-controlled: each answers a request this client made.
  }

  stop(): void {
    this.active = false;
    this.channel.host.ctx.replyTo.unregister(this.address);
    if (this.channel.replyConsumer === this) this.channel.replyConsumer = null;
  }

  close(): void {
    this.stop();
  }
}
