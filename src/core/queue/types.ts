/**
 * The queue's protocol-neutral surface types: what AMQP, SQS and the SDK exchange with a Queue.
 */
import type { Message } from '../message.js';

/** One handing-out of a message. A new delivery of the same message gets a new leaseId. */
export interface Delivery {
  /** Unique per delivery and hard to guess (SQS receipt handle; AMQP maps its tags onto it). */
  readonly leaseId: string;
  readonly offset: number;
  /** Shared with the queue's cache: treat as immutable. */
  readonly message: Message;
  /** True when the message may have been delivered before (AMQP redelivered flag). */
  readonly redelivered: boolean;
  /** Deliveries of this message so far, this one included (SQS ApproximateReceiveCount). */
  readonly deliveryCount: number;
}

export interface PublishOptions {
  /** Not deliverable before now + delayMs (SQS DelaySeconds, AMQP x-delay). */
  delayMs?: number;
  /** Not deliverable before this time (ms since epoch); wins over delayMs. */
  dueAt?: number;
}

export interface PublishOutcome {
  offset: number;
  /** A deduplicated publish: accepted, not enqueued; offset is the original's. */
  duplicate: boolean;
}

export type DeadLetterReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

export interface DeadLetterInfo {
  reason: DeadLetterReason;
  /** The source queue's name. */
  queue: string;
  /** The x-death count for this queue and reason after this death. */
  count: number;
  /** The configured target (deadLetterTarget); the broker routes. */
  exchange?: string;
  routingKey?: string;
}

/**
 * Supplied by the broker: routes a dead letter. The source queue settles the message only once
 * this resolves (at-least-once); a rejection is retried later.
 */
export type DeadLetterHook = (message: Message, info: DeadLetterInfo) => Promise<void>;

export interface ConsumeOptions {
  /** Most unsettled deliveries to this consumer; 0 = unlimited. */
  prefetchCount?: number;
  /** Most unsettled message bytes to this consumer; 0 = unlimited. */
  prefetchBytes?: number;
  /** Consumer priority (x-priority): higher ones get messages first while they have credit. */
  priority?: number;
  /** Refuse if the queue has other consumers, and refuse others while this one is there. */
  exclusive?: boolean;
  /** Settle on delivery (AMQP no-ack). Use pause()/resume() for backpressure. */
  autoAck?: boolean;
  /** Opaque label for stats and logs (AMQP consumer tag). */
  tag?: string;
}

export interface ReceiveOptions {
  /** Most messages to return (at least 1). */
  max?: number;
  /** Lease length; Infinity: until acked, nacked or released. Default: the queue's setting. */
  visibilityTimeoutMs?: number;
  /** Long polling: wait up to this long for a first message. Default: the queue's setting. */
  waitMs?: number;
  /** Settle on receipt (AMQP basic.get with no-ack). */
  autoAck?: boolean;
}

export interface QueueStats {
  ready: number;
  readyBytes: number;
  inFlight: number;
  inFlightBytes: number;
  delayed: number;
  consumers: number;
  waiters: number;
  published: number;
  delivered: number;
  redelivered: number;
  acked: number;
  deadLettered: number;
  expired: number;
  dropped: number;
  deduplicated: number;
}

export type DeliverCallback = (delivery: Delivery) => void;

/**
 * Messages a queue lost to damaged storage (Queue.damage): their records were missing from the
 * message log at recovery, or failed their check when read. They are dropped (settled), so the
 * queue's counts say what it can deliver.
 */
export interface QueueDamage {
  /** When it was found (the queue's clock, ms). */
  atMs: number;
  /** Messages dropped. */
  messages: number;
  /** Their offsets lie in [fromOffset, toOffset). */
  fromOffset: number;
  toOffset: number;
  /** What happened, in words. */
  reason: string;
}
