/**
 * The settings of one queue: a plain, serializable record (the catalogue persists it as is).
 * Every protocol maps its own arguments onto it (AMQP x-arguments, SQS queue attributes); the
 * queue enforces them once. `null` means "no limit"/"off". Units are last in every name.
 *
 * Settings that shape stored per-message metadata (messageTtlMs, maxPriority, fifo) apply to
 * messages published after a change; see docs/queues.md.
 */
import { HopperError } from '../errors.js';

/** What a publish does when the queue is at maxLength / maxLengthBytes (RabbitMQ x-overflow). */
export type OverflowPolicy = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';

/** Where dead letters go. The queue does not route: it hands both names to the broker's hook. */
export interface DeadLetterTarget {
  exchange: string;
  /** null: keep the message's own routing key (RabbitMQ semantics). */
  routingKey: string | null;
}

export interface QueueOptions {
  /** 0: no priorities. 1..255: messages with a higher priority are delivered first. */
  maxPriority: number;
  /** Message groups: at most one message per groupId in flight, order kept within a group. */
  fifo: boolean;
  /** Drop publishes whose deduplicationId (or messageId) was seen within dedupWindowMs. */
  deduplicate: boolean;
  dedupWindowMs: number;
  /** Time a message may stay in the queue (x-message-ttl, SQS MessageRetentionPeriod). */
  messageTtlMs: number | null;
  /** Delay applied to every publish that does not set its own (SQS DelaySeconds). */
  deliveryDelayMs: number;
  /** Default lease length for pull receives (SQS VisibilityTimeout). */
  visibilityTimeoutMs: number;
  /** Default long-poll wait of pull receives (SQS ReceiveMessageWaitTimeSeconds). */
  receiveWaitMs: number;
  /**
   * Most deliveries of one message; the next attempt dead-letters it with reason
   * `delivery_limit` (SQS maxReceiveCount; AMQP x-delivery-limit N maps to N + 1).
   */
  maxDeliveries: number | null;
  /** Most ready messages / bytes (delayed and in-flight ones do not count, as in RabbitMQ). */
  maxLength: number | null;
  maxLengthBytes: number | null;
  overflow: OverflowPolicy;
  deadLetterTarget: DeadLetterTarget | null;
  /** Largest accepted message (key + value bytes). */
  maxMessageBytes: number;
  /** Most leases at once (SQS: 120,000 standard, 20,000 FIFO). */
  maxInFlight: number;
  /** Only one consumer receives at a time; the next takes over when it goes (x-single-active-consumer). */
  singleActiveConsumer: boolean;
  /** Delete the queue after this long unused (x-expires): the queue reports it, the broker deletes. */
  expiresMs: number | null;
}

export const MAX_PRIORITY_LIMIT = 255;
export const MAX_DELAY_MS = 100 * 365 * 24 * 3600 * 1000;

export const defaultQueueOptions: Readonly<QueueOptions> = Object.freeze({
  maxPriority: 0,
  fifo: false,
  deduplicate: false,
  dedupWindowMs: 5 * 60 * 1000,
  messageTtlMs: null,
  deliveryDelayMs: 0,
  visibilityTimeoutMs: 30_000,
  receiveWaitMs: 0,
  maxDeliveries: null,
  maxLength: null,
  maxLengthBytes: null,
  overflow: 'drop-head',
  deadLetterTarget: null,
  maxMessageBytes: 16 * 1024 * 1024,
  maxInFlight: 120_000,
  singleActiveConsumer: false,
  expiresMs: null,
});

function bad(what: string): HopperError {
  return new HopperError('INVALID_ARGUMENT', `queue option ${what}`);
}

function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw bad(`${name} must be an integer in [${min}, ${max}], not ${String(v)}`);
  }
  return v;
}

function checkIntOrNull(name: string, v: unknown, min: number, max: number): number | null {
  return v === null ? null : checkInt(name, v, min, max);
}

function checkBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw bad(`${name} must be a boolean, not ${String(v)}`);
  return v;
}

const OVERFLOWS: readonly OverflowPolicy[] = ['drop-head', 'reject-publish', 'reject-publish-dlx'];

/** Fills defaults and checks every field; throws HopperError INVALID_ARGUMENT. */
export function validateQueueOptions(input: Partial<QueueOptions> = {}): QueueOptions {
  for (const k of Object.keys(input)) {
    if (!(k in defaultQueueOptions)) throw bad(`${k} is unknown`);
  }
  const o = { ...defaultQueueOptions, ...stripUndefined(input) };
  const big = Number.MAX_SAFE_INTEGER;
  const out: QueueOptions = {
    maxPriority: checkInt('maxPriority', o.maxPriority, 0, MAX_PRIORITY_LIMIT),
    fifo: checkBool('fifo', o.fifo),
    deduplicate: checkBool('deduplicate', o.deduplicate),
    dedupWindowMs: checkInt('dedupWindowMs', o.dedupWindowMs, 1, 7 * 24 * 3600 * 1000),
    messageTtlMs: checkIntOrNull('messageTtlMs', o.messageTtlMs, 0, big),
    deliveryDelayMs: checkInt('deliveryDelayMs', o.deliveryDelayMs, 0, MAX_DELAY_MS),
    visibilityTimeoutMs: checkInt('visibilityTimeoutMs', o.visibilityTimeoutMs, 0, big),
    receiveWaitMs: checkInt('receiveWaitMs', o.receiveWaitMs, 0, 24 * 3600 * 1000),
    maxDeliveries: checkIntOrNull('maxDeliveries', o.maxDeliveries, 1, 0xffff_ffff),
    maxLength: checkIntOrNull('maxLength', o.maxLength, 0, big),
    maxLengthBytes: checkIntOrNull('maxLengthBytes', o.maxLengthBytes, 0, big),
    overflow: o.overflow,
    deadLetterTarget: checkTarget(o.deadLetterTarget),
    maxMessageBytes: checkInt('maxMessageBytes', o.maxMessageBytes, 1, 0x7fff_0000),
    maxInFlight: checkInt('maxInFlight', o.maxInFlight, 1, 10_000_000),
    singleActiveConsumer: checkBool('singleActiveConsumer', o.singleActiveConsumer),
    expiresMs: checkIntOrNull('expiresMs', o.expiresMs, 1, big),
  };
  if (!OVERFLOWS.includes(out.overflow)) throw bad(`overflow must be one of ${OVERFLOWS.join(', ')}, not ${String(out.overflow)}`);
  if (out.fifo && out.maxPriority > 0) throw bad('maxPriority must be 0 on a fifo queue (groups order by publish)');
  return out;
}

function checkTarget(t: unknown): DeadLetterTarget | null {
  if (t === null) return null;
  if (typeof t !== 'object') throw bad('deadLetterTarget must be an object or null');
  const { exchange, routingKey } = t as Record<string, unknown>;
  if (typeof exchange !== 'string') throw bad('deadLetterTarget.exchange must be a string');
  if (routingKey !== null && routingKey !== undefined && typeof routingKey !== 'string') {
    throw bad('deadLetterTarget.routingKey must be a string or null');
  }
  return { exchange, routingKey: routingKey ?? null };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
