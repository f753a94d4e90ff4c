/**
 * Consuming a stream (a queue declared with x-queue-type=stream, which is a topic): the
 * consumer reads the topic's partition logs from the offset x-stream-offset names and delivers
 * records in order; acks only return credit (a stream keeps its records), as in RabbitMQ.
 * Each delivery carries its offset in the `x-stream-offset` header.
 *
 * x-stream-offset: "first", "last", "next" (default), an offset (integer) or a timestamp
 * (AMQP 'T', seconds). Credit is the channel's basic.qos prefetch (1000 if none), so a slow
 * consumer holds at most that many records; a consumer at the end of the log polls.
 */
import type { Topic } from '../../../core/topic/topic.js';
import type { Message, TypedValue } from '../../../core/message.js';
import { decodeMessages } from '../../../storage/codec/message-codec.js';
import { encodeMessage } from '../codec/encode.js';
import type { MethodByName } from '../codec/methods/registry.js';
import { preconditionFailed } from '../mapping/errors.js';
import { amqpProperties, bodyOf } from '../mapping/properties.js';
import { asInteger } from '../mapping/queue-arguments.js';
import type { Channel } from './channel.js';
import type { AmqpConsumer } from './consumer.js';
import type { DeliveryOwner, Unacked } from './deliveries.js';

const DEFAULT_CREDIT = 1000;
const READ_BYTES = 256 * 1024;

interface Cursor {
  partition: number;
  offset: number;
  /** Decoded records not yet delivered (credit ran out mid-read). */
  pending: { offset: number; message: Message }[];
}

export async function startStreamConsumer(ch: Channel, m: MethodByName<'basic.consume'>, name: string, tag: string): Promise<void> {
  const { session, ctx } = ch.host;
  session.checkTopic(name, 'read');
  const topic = session.vhost.topic(name);
  const spec = m.arguments['x-stream-offset'];
  const cursors: Cursor[] = [];
  for (let p = 0; p < topic.partitionCount; p++) {
    cursors.push({ partition: p, offset: await startOffset(topic, p, spec), pending: [] });
  }
  const credit = m.noAck ? Infinity : ch.consumerPrefetchCount > 0 ? ch.consumerPrefetchCount : DEFAULT_CREDIT;
  const c = new StreamConsumer(ch, tag, name, topic, cursors, credit, m.noAck, ctx.options.streamPollMs);
  ch.addConsumer(c);
  if (!m.nowait) ch.send({ method: 'basic.consume-ok', consumerTag: tag });
  if (ch.isPaused) c.setPaused(true);
  c.pump();
}

async function startOffset(topic: Topic, p: number, spec: TypedValue | undefined): Promise<number> {
  const log = topic.partition(p);
  if (spec === undefined) return log.nextOffset;
  if (spec.type === 'string') {
    if (spec.value === 'first') return log.logStartOffset;
    if (spec.value === 'next') return log.nextOffset;
    if (spec.value === 'last') return Math.max(log.logStartOffset, log.nextOffset - 1);
    throw preconditionFailed(`invalid x-stream-offset '${spec.value}': use first, last, next, an offset or a timestamp`);
  }
  if (spec.type === 'timestamp') return (await log.offsetForTimestamp(spec.value * 1000)) ?? log.nextOffset;
  const n = asInteger(spec);
  if (n === undefined || n < 0) throw preconditionFailed('invalid x-stream-offset: use first, last, next, an offset or a timestamp');
  return Math.min(Math.max(n, log.logStartOffset), log.nextOffset);
}

class StreamConsumer implements AmqpConsumer, DeliveryOwner {
  readonly queue = null;
  private paused = false;
  private stopped = false;
  private reading = false;
  private timer: NodeJS.Timeout | null = null;
  private next = 0;
  private readonly method: { method: 'basic.deliver'; consumerTag: string; deliveryTag: number; redelivered: false; exchange: string; routingKey: string };

  constructor(
    private readonly ch: Channel,
    readonly tag: string,
    readonly queueName: string,
    private readonly topic: Topic,
    private readonly cursors: Cursor[],
    private credit: number,
    private readonly noAck: boolean,
    private readonly pollMs: number,
  ) {
    this.method = { method: 'basic.deliver', consumerTag: tag, deliveryTag: 0, redelivered: false, exchange: '', routingKey: '' };
  }

  private get canDeliver(): boolean {
    return !this.stopped && !this.paused && this.credit > 0 && this.ch.state === 'open';
  }

  /** Delivers what it can; reads the next chunk when a cursor runs dry. */
  pump(): void {
    if (this.reading || this.timer !== null) return;
    let idle = 0;
    while (this.canDeliver && idle < this.cursors.length) {
      const cur = this.cursors[this.next]!;
      this.next = (this.next + 1) % this.cursors.length;
      if (cur.pending.length === 0) {
        if (cur.offset >= this.topic.partition(cur.partition).nextOffset) {
          idle++;
          continue;
        }
        this.read(cur);
        return;
      }
      idle = 0;
      while (cur.pending.length > 0 && this.canDeliver) this.deliver(cur, cur.pending.shift()!);
    }
    if (this.canDeliver && idle >= this.cursors.length) {
      // Caught up everywhere: look again shortly (logs have no append notification).
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, this.pollMs);
    }
  }

  private read(cur: Cursor): void {
    this.reading = true;
    const log = this.topic.partition(cur.partition);
    if (cur.offset < log.logStartOffset) cur.offset = log.logStartOffset; // retention moved on
    log.read(cur.offset, READ_BYTES).then(
      (r) => {
        this.reading = false;
        for (const rec of decodeMessages(r.bytes, cur.offset)) if (rec.offset >= cur.offset) cur.pending.push(rec);
        if (cur.pending.length === 0) cur.offset = Math.max(cur.offset, Math.min(r.nextOffset, cur.offset + 1));
        this.pump();
      },
      (e: unknown) => {
        this.reading = false;
        if (this.stopped) return;
        this.ch.host.ctx.logger.warn(`stream ${this.queueName} read at ${cur.offset}: ${(e as Error).message}`);
        this.timer = setTimeout(() => {
          this.timer = null;
          this.pump();
        }, 1000);
      },
    );
  }

  private deliver(cur: Cursor, rec: { offset: number; message: Message }): void {
    const ch = this.ch;
    cur.offset = rec.offset + 1;
    const tag = ch.nextTag();
    if (!this.noAck) {
      this.credit--;
      ch.unacked.add({ tag, leaseId: '', queue: null, owner: this, size: 0 });
    }
    const msg = rec.message;
    const props = amqpProperties(msg);
    props.headers = { ...props.headers, 'x-stream-offset': { type: 'long', value: BigInt(rec.offset) } };
    const m = this.method;
    m.deliveryTag = tag;
    m.exchange = msg.properties.exchange ?? '';
    m.routingKey = msg.properties.routingKey ?? this.queueName;
    ch.host.send(encodeMessage(ch.id, m, props, bodyOf(msg), ch.host.frameMaxBytes));
    ch.afterDelivery();
  }

  settled(_entry: Unacked): void {
    this.credit++;
    if (this.credit === 1) this.pump();
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.pump();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  close(): void {
    this.stop();
  }
}
