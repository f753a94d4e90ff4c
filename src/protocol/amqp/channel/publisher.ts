/**
 * The publishing side of a channel: basic.publish, mandatory returns, publisher confirms,
 * transactions, x-delay and direct reply-to routing.
 *
 * A publish is checked and routed synchronously when it is handled (so routing follows command
 * order), then stored in the background. It is in its queues (visible, deliverable) once their
 * logs have accepted it, within a turn of the event loop; its confirm is sent once the core
 * resolves, which is after the message is durable in every queue and topic it reached. A
 * message routed nowhere is known at once: its basic.return (if mandatory) is sent then, before
 * the reply to any later method, and it is confirmed. A publish refused by a queue (x-overflow
 * reject-publish, or a failed write) is nacked. Methods that look at queues wait for the
 * channel's publishes to be visible (settled()), not for their fsync.
 */
import { HopperError, isHopperError } from '../../../core/errors.js';
import type { Message } from '../../../core/message.js';
import type { PublishOptions } from '../../../core/queue/types.js';
import type { AmqpContent } from '../codec/command-assembler.js';
import { encodeMessage } from '../codec/encode.js';
import type { AmqpMethodInput, MethodByName } from '../codec/methods/registry.js';
import { ReplyCode } from '../codec/reply-codes.js';
import { connectionError, preconditionFailed } from '../mapping/errors.js';
import { amqpProperties, bodyOf, messageFromAmqp } from '../mapping/properties.js';
import { asInteger } from '../mapping/queue-arguments.js';
import type { Channel } from './channel.js';
import { ConfirmTracker } from './confirms.js';
import type { Unacked } from './deliveries.js';
import { isDirectReplyKey, REPLY_TO_QUEUE } from './direct-reply.js';

type Mode = 'none' | 'confirm' | 'tx';

const TX_ENTRY_OVERHEAD_BYTES = 256;

interface TxPublish {
  exchange: string;
  routingKey: string;
  message: Message;
  mandatory: boolean;
  opts: PublishOptions | undefined;
}

interface TxSettle {
  entries: Unacked[];
  how: 'ack' | 'requeue' | 'reject';
}

/** Errors that refuse one message (nack) rather than break the channel. */
function refusesMessage(e: unknown): boolean {
  return isHopperError(e, 'QUEUE_FULL') || isHopperError(e, 'STORAGE_FAILED') || isHopperError(e, 'CLOSED') || isHopperError(e, 'TOO_MANY_IN_FLIGHT');
}

export class Publisher {
  private mode: Mode = 'none';
  private confirms: ConfirmTracker | null = null;
  private txPublishes: TxPublish[] = [];
  private txSettles: TxSettle[] = [];
  private txBytes = 0;
  private stopped = false;
  /** Publishes (and commits) routed and not yet in their queues (visible) or refused. */
  private inFlight = 0;
  /** Made only when a close waits (never per publish): resolved when inFlight reaches zero. */
  private idle: Promise<void> | null = null;
  private onIdle: (() => void) | null = null;

  constructor(private readonly ch: Channel) {}

  get inTx(): boolean {
    return this.mode === 'tx';
  }

  selectConfirms(): void {
    if (this.mode === 'tx') throw preconditionFailed('cannot switch from tx to confirm mode');
    if (this.mode === 'confirm') return;
    this.mode = 'confirm';
    this.confirms = new ConfirmTracker((tag, multiple, ack) =>
      this.ch.send(ack ? { method: 'basic.ack', deliveryTag: tag, multiple } : { method: 'basic.nack', deliveryTag: tag, multiple, requeue: false }),
    );
  }

  selectTx(): void {
    if (this.mode === 'confirm') throw preconditionFailed('cannot switch from confirm to tx mode');
    this.mode = 'tx';
  }

  /** Some publish of this channel is not in its queues yet (a cheap test before settled()). */
  get storing(): boolean {
    return this.inFlight > 0;
  }

  /**
   * Null when every publish made here is in its queues (or refused); else resolves (never
   * rejects) once they are. Until then another method may not see them: a queue takes a
   * message in when its log accepts the append, a turn of the event loop after the publish
   * (it is fsynced later; confirms wait for that, this does not).
   */
  settled(): Promise<void> | null {
    if (this.inFlight === 0) return null;
    this.idle ??= new Promise<void>((resolve) => (this.onIdle = resolve));
    return this.idle;
  }

  private ended(): void {
    if (--this.inFlight > 0 || this.onIdle === null) return;
    const resolve = this.onIdle;
    this.onIdle = null;
    this.idle = null;
    resolve();
  }

  /**
   * The channel closed: outcomes still to come are dropped, the transaction is discarded.
   * Publishes in flight go on being stored (and counted, for settled()).
   */
  stop(): void {
    this.stopped = true;
    this.confirms?.stop();
    this.txPublishes = [];
    this.txSettles = [];
  }

  publish(m: MethodByName<'basic.publish'>, content: AmqpContent): void {
    const ch = this.ch;
    const host = ch.host;
    if (m.immediate) throw connectionError(ReplyCode.NOT_IMPLEMENTED, 'immediate=true');
    host.noticePublish();
    // Sequence numbers count every publish in confirm mode, even one that fails below.
    const seq = this.confirms === null ? 0 : this.confirms.add();
    const message = messageFromAmqp(content.header.properties, ownBytes(content.body), Date.now());
    const props = message.properties;
    const session = host.session;
    if (props.userId !== undefined && props.userId !== session.user.name) {
      throw preconditionFailed(`user_id property set to '${props.userId}' but authenticated user was '${session.user.name}'`);
    }
    if (props.replyTo === REPLY_TO_QUEUE) {
      const rc = ch.replyConsumer;
      if (rc === null) throw ch.noReplyConsumer();
      props.replyTo = rc.address;
    }
    const exchange = m.exchange;
    const routingKey = m.routingKey;
    // Refusals that RabbitMQ reports at once are checked before anything is stored.
    const x = session.vhost.exchange(exchange);
    if (x.internal) throw new HopperError('NOT_ALLOWED', `cannot publish to internal exchange '${exchange}' in vhost '${session.vhost.name}'`);
    const opts = delayOf(props.attributes);

    if (this.mode === 'tx') {
      // Each held publish costs its body and some fixed overhead (so empty bodies count too).
      const size = (message.value?.length ?? 0) + TX_ENTRY_OVERHEAD_BYTES;
      if (this.txBytes + size > host.ctx.options.txMaxBytes) throw preconditionFailed(`transaction holds more than ${host.ctx.options.txMaxBytes} bytes of messages`);
      this.txBytes += size;
      this.txPublishes.push({ exchange, routingKey, message, mandatory: m.mandatory, opts });
      return;
    }
    if (exchange === '' && isDirectReplyKey(routingKey)) {
      this.reply(routingKey, message, m.mandatory);
      if (seq !== 0) this.confirms!.settle(seq, true, true);
      return;
    }
    this.store(seq, exchange, routingKey, message, m.mandatory, opts);
  }

  private store(seq: number, exchange: string, routingKey: string, message: Message, mandatory: boolean, opts: PublishOptions | undefined): void {
    const host = this.ch.host;
    // Counted before routing: the queues may report it visible at once (a refusal).
    this.inFlight++;
    let stored: Promise<unknown> | null;
    try {
      stored = this.route(exchange, routingKey, message, opts, this.visible);
    } catch (e) {
      this.ended();
      throw e;
    }
    if (stored === null) {
      this.ended();
      // Routed nowhere, known now: the return goes out before the reply to any later method.
      if (mandatory) this.returnMessage(ReplyCode.NO_ROUTE, 'NO_ROUTE', exchange, routingKey, message);
      if (seq !== 0) this.confirms!.settle(seq, true, true);
      return;
    }
    host.publishStarted();
    stored.then(
      () => {
        host.publishSettled();
        if (seq !== 0) this.confirms!.settle(seq, true);
      },
      (e: unknown) => {
        host.publishSettled();
        if (refusesMessage(e)) {
          if (seq !== 0) this.confirms!.settle(seq, false);
          else if (!isHopperError(e, 'QUEUE_FULL')) host.ctx.logger.warn(`publish to '${exchange}' failed: ${(e as Error).message}`);
        } else if (!this.stopped) this.ch.fail(e);
      },
    );
  }

  /**
   * Session.startPublish (routes now, stores in the background; null: routed nowhere), plus
   * what the default exchange does for streams in RabbitMQ: a routing key naming a stream (a
   * topic here) appends to it.
   */
  private route(exchange: string, routingKey: string, message: Message, opts: PublishOptions | undefined, visible?: () => void): Promise<unknown> | null {
    const { session, ctx } = this.ch.host;
    const vhost = session.vhost;
    if (exchange === '' && !vhost.hasQueue(routingKey) && vhost.hasTopic(routingKey)) {
      ctx.broker.access.check(session.user.name, vhost.name, 'write', '');
      message.properties.exchange = '';
      message.properties.routingKey = routingKey;
      const appended = vhost.topic(routingKey).appendMessage(message);
      if (visible !== undefined) appended.then(visible, visible); // a stream's records are readable once durable
      return appended;
    }
    return session.startPublish(exchange, routingKey, message, opts, visible);
  }

  /** Told by the queues once a publish is in them (or refused): one call per stored publish. */
  private readonly visible = (): void => this.ended();

  /** Direct reply-to: straight to the waiting consumer, or unroutable. */
  private reply(routingKey: string, message: Message, mandatory: boolean): void {
    const host = this.ch.host;
    host.ctx.broker.access.check(host.session.user.name, host.session.vhost.name, 'write', '');
    message.properties.exchange = '';
    message.properties.routingKey = routingKey;
    const target = host.ctx.replyTo.lookup(routingKey);
    if ((target === undefined || !target.deliverReply(message)) && mandatory) {
      this.returnMessage(ReplyCode.NO_ROUTE, 'NO_ROUTE', '', routingKey, message);
    }
  }

  private returnMessage(code: number, text: string, exchange: string, routingKey: string, message: Message): void {
    if (this.ch.state !== 'open') return;
    this.ch.host.send(this.encodeDelivery({ method: 'basic.return', replyCode: code, replyText: text, exchange, routingKey }, message));
  }

  /**
   * A content-bearing method (deliver, get-ok, return) with the message's properties and body;
   * `deliveryCount` >= 0 adds the x-delivery-count header (quorum queues).
   */
  encodeDelivery(method: AmqpMethodInput, message: Message, deliveryCount = -1): Buffer {
    return encodeMessage(this.ch.id, method, amqpProperties(message, deliveryCount), bodyOf(message), this.ch.host.frameMaxBytes);
  }

  // ---------------------------------------------------------------- transactions

  txSettle(entries: Unacked[], how: TxSettle['how']): void {
    this.txSettles.push({ entries, how });
  }

  /** Stores every publish of the transaction (durably), then applies its acks; then commit-ok. */
  async commit(): Promise<void> {
    if (this.mode !== 'tx') throw preconditionFailed('channel is not transactional');
    const publishes = this.txPublishes;
    const settles = this.txSettles;
    this.txPublishes = [];
    this.txSettles = [];
    this.txBytes = 0;
    // One unit of work in flight for the whole commit, so a connection.close waits for it too.
    this.inFlight++;
    // Each entry: false when routed nowhere, else the store's outcome.
    let results: (PromiseSettledResult<unknown> | false)[];
    try {
      results = await Promise.all(
        publishes.map((p): Promise<PromiseSettledResult<unknown> | false> | false => {
          if (p.exchange === '' && isDirectReplyKey(p.routingKey)) {
            this.reply(p.routingKey, p.message, p.mandatory);
            return Promise.resolve({ status: 'fulfilled', value: undefined });
          }
          let stored: Promise<unknown> | null;
          try {
            stored = this.route(p.exchange, p.routingKey, p.message, p.opts);
          } catch (e) {
            return Promise.resolve({ status: 'rejected', reason: e });
          }
          if (stored === null) return false;
          return stored.then(
            (value) => ({ status: 'fulfilled', value }),
            (reason: unknown) => ({ status: 'rejected', reason }),
          );
        }),
      );
    } finally {
      this.ended();
    }
    if (this.stopped) return;
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      const p = publishes[i]!;
      if (r === false) {
        if (p.mandatory) this.returnMessage(ReplyCode.NO_ROUTE, 'NO_ROUTE', p.exchange, p.routingKey, p.message);
      } else if (r.status === 'rejected' && !refusesMessage(r.reason)) throw r.reason;
    }
    for (const s of settles) this.ch.apply(s.entries, s.how);
    this.ch.updateFlow();
    this.ch.send({ method: 'tx.commit-ok' });
  }

  /** Discards the transaction's publishes; its acks are undone (the messages stay unacked). */
  rollback(): void {
    if (this.mode !== 'tx') throw preconditionFailed('channel is not transactional');
    this.txPublishes = [];
    this.txBytes = 0;
    const entries = this.txSettles.flatMap((s) => s.entries);
    this.txSettles = [];
    this.ch.unacked.restore(entries);
    this.ch.updateFlow();
  }
}

/**
 * Bodies arrive as views into socket chunks; a stored message keeps its body, so it gets its
 * own copy (otherwise a small message could pin a whole 64 KiB read buffer in the cache).
 */
function ownBytes(b: Buffer): Buffer {
  if (b.length === 0 || b.byteLength === b.buffer.byteLength) return b;
  return Buffer.from(b);
}

/** x-delay (ms, any integer type) as publish options; absent, zero or negative: none. */
function delayOf(attrs: Message['properties']['attributes']): PublishOptions | undefined {
  const v = attrs?.['x-delay'];
  if (v === undefined) return undefined;
  const n = asInteger(v) ?? (v.type === 'string' && /^\d{1,15}$/.test(v.value) ? Number(v.value) : undefined);
  return n !== undefined && n > 0 ? { delayMs: n } : undefined;
}
