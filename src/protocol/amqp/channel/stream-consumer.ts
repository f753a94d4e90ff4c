/**
 * Consuming a stream (a queue declared with x-queue-type=stream, which is a topic): the
 * consumer reads the topic's partition logs from the offset x-stream-offset names and delivers
 * records in order; acks only return credit (a stream keeps its records), as in RabbitMQ.
 * Each delivery carries its offset in the `x-stream-offset` header.
 *
 * A consumer sees what a read_committed Kafka consumer would (core/topic/committed-read.ts):
 * it reads up to the partition's last stable offset, so records of a Kafka transaction arrive
 * once it commits (in offset order with the rest), never if it aborts, and control batches
 * (transaction markers) never. A consumer held at an open transaction is woken by the marker's
 * append, which moves the last stable offset.
 *
 * x-stream-offset: "first", "last", "next" (default), an offset (integer) or a timestamp
 * (AMQP 'T', seconds). Credit is the channel's basic.qos prefetch (1000 if none), so a slow
 * consumer holds at most that many records. A consumer that has caught up with every partition
 * waits in the vhost's PartitionWaiters (as Kafka long-poll fetches do) and is woken by the next
 * append that becomes readable, whichever protocol made it: no timer, no polling. One that is
 * out of credit, paused or flow-stopped does not wait; settling or resuming pumps it again.
 *
 * Deleting the topic cancels its consumers (Channel.sourceDeleted), as for a deleted queue.
 */
import { HopperError } from '../../../core/errors.js';
import type { PartitionWaiters } from '../../../core/topic/partition-waiters.js';
import { batchesBefore, committedEnd, isAbortedBatch } from '../../../core/topic/committed-read.js';
import type { Topic } from '../../../core/topic/topic.js';
import type { Message, TypedValue } from '../../../core/message.js';
import { decodeMessages, type DecodeMessagesOptions } from '../../../storage/codec/message-codec.js';
import { type BatchHeader, forEachBatch } from '../../../storage/codec/record-batch.js';
import type { AbortedTxn } from '../../../storage/types.js';
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
/** A failed read (an I/O error) is retried after this long rather than at once. */
const READ_RETRY_MS = 1000;

interface Cursor {
  partition: number;
  offset: number;
  /** Decoded records not yet delivered (credit ran out mid-read). */
  pending: { offset: number; message: Message }[];
}

export async function startStreamConsumer(ch: Channel, m: MethodByName<'basic.consume'>, name: string, tag: string): Promise<void> {
  const { session } = ch.host;
  session.checkTopic(name, 'read');
  const topic = session.vhost.topic(name);
  const spec = m.arguments['x-stream-offset'];
  const cursors: Cursor[] = [];
  for (let p = 0; p < topic.partitionCount; p++) {
    cursors.push({ partition: p, offset: await startOffset(topic, p, spec), pending: [] });
  }
  // Deleted while the start offsets were looked up: as if it had not existed.
  if (!session.vhost.hasTopic(name) || session.vhost.topic(name) !== topic) throw new HopperError('NOT_FOUND', `no queue '${name}' in vhost '${session.vhost.name}'`);
  const credit = m.noAck ? Infinity : ch.consumerPrefetchCount > 0 ? ch.consumerPrefetchCount : DEFAULT_CREDIT;
  const c = new StreamConsumer(ch, tag, name, topic, cursors, credit, m.noAck, session.vhost.appends);
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
  if (spec.type === 'timestamp') return (await log.offsetForTimestamp(Number(spec.value) * 1000)) ?? log.nextOffset;
  const n = asInteger(spec);
  if (n === undefined || n < 0) throw preconditionFailed('invalid x-stream-offset: use first, last, next, an offset or a timestamp');
  return Math.min(Math.max(n, log.logStartOffset), log.nextOffset);
}

class StreamConsumer implements AmqpConsumer, DeliveryOwner {
  private paused = false;
  private stopped = false;
  private reading = false;
  /** Cancels the wait for an append while caught up; null when not waiting. */
  private waiting: (() => void) | null = null;
  private retry: NodeJS.Timeout | null = null;
  private next = 0;
  /** Its partitions' keys in `appends`, made once: waiting again allocates no key. */
  private readonly waitKeys: string[];
  private readonly method: { method: 'basic.deliver'; consumerTag: string; deliveryTag: number; redelivered: false; exchange: string; routingKey: string };

  constructor(
    private readonly ch: Channel,
    readonly tag: string,
    readonly queueName: string,
    private readonly topic: Topic,
    private readonly cursors: Cursor[],
    private credit: number,
    private readonly noAck: boolean,
    private readonly appends: PartitionWaiters,
  ) {
    this.method = { method: 'basic.deliver', consumerTag: tag, deliveryTag: 0, redelivered: false, exchange: '', routingKey: '' };
    this.waitKeys = cursors.map((c) => topic.waitKey(c.partition));
  }

  /** Deletion of this topic cancels the consumer. */
  get source(): Topic {
    return this.topic;
  }

  private get canDeliver(): boolean {
    return !this.stopped && !this.paused && this.credit > 0 && this.ch.state === 'open';
  }

  /**
   * Delivers what it can; reads the next chunk when a cursor runs dry; waits for an append once
   * every cursor is at its partition's readable end. That check and the wait's registration are
   * one synchronous step, and appends notify only once readable, so no append is missed.
   */
  pump(): void {
    if (this.reading || this.waiting !== null || this.retry !== null) return;
    let idle = 0;
    while (this.canDeliver && idle < this.cursors.length) {
      const cur = this.cursors[this.next]!;
      this.next = (this.next + 1) % this.cursors.length;
      if (cur.pending.length === 0) {
        if (cur.offset >= committedEnd(this.topic.partition(cur.partition))) {
          idle++;
          continue;
        }
        this.read(cur);
        return;
      }
      idle = 0;
      while (cur.pending.length > 0 && this.canDeliver) this.deliver(cur, cur.pending.shift()!);
    }
    if (this.canDeliver && idle >= this.cursors.length) this.waiting = this.appends.wait(this.waitKeys, this.wake);
  }

  /** Runs inside an appender's notify (or a settled read): a failure closes this channel, never reaches the appender. */
  private readonly wake = (): void => {
    this.waiting = null;
    try {
      this.pump();
    } catch (e) {
      this.ch.fail(e);
    }
  };

  private read(cur: Cursor): void {
    this.reading = true;
    const log = this.topic.partition(cur.partition);
    if (cur.offset < log.logStartOffset) cur.offset = log.logStartOffset; // retention moved on
    const from = cur.offset;
    // The last stable offset never falls, so what is below it now stays committed or aborted.
    const end = committedEnd(log);
    log
      .read(from, READ_BYTES)
      .then((r) => {
        this.reading = false;
        if (this.stopped) return;
        const kept = batchesBefore(r.bytes, end);
        const aborted = kept.lastOffset < 0 || log.transactions === null ? NO_ABORTS : log.transactions.abortedIn(from, kept.lastOffset);
        // A batch that cannot be decoded throws here: handled as a failed read.
        for (const rec of decodeMessages(kept.bytes, from, aborted.length === 0 ? NO_OPTIONS : skipAborted(aborted))) cur.pending.push(rec);
        // Nothing to deliver (markers, aborted records, records compacted away): skip what was
        // read, or, when nothing was, up to the end it read to (nothing below it is left).
        if (cur.pending.length === 0) cur.offset = Math.max(cur.offset, kept.bytes.length > 0 ? endOf(kept.bytes) : end);
      })
      .then(this.wake, (e: unknown) => {
        this.reading = false;
        if (this.stopped) return;
        this.ch.host.ctx.logger.warn(`stream ${this.queueName} read at ${from}: ${(e as Error).message}`);
        this.retry = setTimeout(() => {
          this.retry = null;
          this.wake();
        }, READ_RETRY_MS);
      });
  }

  private deliver(cur: Cursor, rec: { offset: number; message: Message }): void {
    const ch = this.ch;
    cur.offset = rec.offset + 1;
    const msg = rec.message;
    const m = this.method;
    m.deliveryTag = ch.nextTag();
    m.exchange = msg.properties.exchange ?? '';
    m.routingKey = msg.properties.routingKey ?? this.queueName;
    let frames: Buffer;
    try {
      const props = amqpProperties(msg);
      props.headers = { ...props.headers, 'x-stream-offset': { type: 'long', value: BigInt(rec.offset) } };
      frames = encodeMessage(ch.id, m, props, bodyOf(msg), ch.host.frameMaxBytes);
    } catch (e) {
      // A record this client cannot receive (its properties exceed the negotiated frame-max):
      // skipped, as a stream has nowhere to dead-letter it; the reader goes on.
      ch.host.ctx.logger.warn(`amqp: cannot deliver record ${rec.offset} of stream ${this.queueName} to ${this.tag}: ${(e as Error).message}`);
      return;
    }
    if (!this.noAck) {
      this.credit--;
      ch.unacked.add({ tag: m.deliveryTag, leaseId: '', queue: null, owner: this, size: 0 });
    }
    ch.host.send(frames);
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
    if (this.waiting !== null) this.waiting();
    this.waiting = null;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
  }

  close(): void {
    this.stop();
  }
}

const NO_ABORTS: readonly AbortedTxn[] = [];
const NO_OPTIONS: DecodeMessagesOptions = {};

function skipAborted(aborted: readonly AbortedTxn[]): DecodeMessagesOptions {
  return { skipBatch: (h: BatchHeader) => isAbortedBatch(h, aborted) };
}

/** The offset after the last whole batch in `bytes` (a log read). */
function endOf(bytes: Buffer): number {
  let end = 0;
  forEachBatch(bytes, (h) => {
    end = h.baseOffset + h.lastOffsetDelta + 1;
  }, { verifyCrc: false });
  return end;
}
