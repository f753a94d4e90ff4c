/**
 * SQS queue attributes ↔ a Hopper queue (docs/sqs.md). The attributes with a core meaning are
 * QueueOptions; the rest, with the tags and timestamps, are kept with the queue in its declared
 * arguments under `x-sqs-*` keys (which AMQP's equivalence check does not look at, so an AMQP
 * client may declare an SQS queue again with no arguments):
 *
 *   VisibilityTimeout (s)              visibilityTimeoutMs
 *   MaximumMessageSize (B)             maxMessageBytes (the body; SQS counts attributes too, checked here)
 *   MessageRetentionPeriod (s)         messageTtlMs
 *   DelaySeconds                       deliveryDelayMs
 *   ReceiveMessageWaitTimeSeconds      receiveWaitMs
 *   RedrivePolicy                      maxDeliveries = maxReceiveCount, deadLetterTarget = default
 *                                      exchange with the dead-letter queue's name as routing key
 *   FifoQueue                          fifo + deduplicate (5-minute window)
 *   in-flight limit                    maxInFlight 120,000
 */
import type { QueueEntry } from '../../core/broker/vhost.js';
import type { Arguments } from '../../core/exchange/arguments.js';
import type { TypedValue } from '../../core/message.js';
import type { QueueOptions } from '../../core/queue/options.js';
import { SqsError } from './errors.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;
export const DEFAULT_RETENTION_SEC = 345_600;
export const IN_FLIGHT_MAX = 120_000;
export const DEDUP_WINDOW_MS = 5 * 60 * 1000;

/** Attributes a client may set, with their checks. */
const SETTABLE = new Set([
  'DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'Policy', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout',
  'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled',
  'FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit',
]);
const FIFO_ONLY = new Set(['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

/** Every attribute name GetQueueAttributes knows, in AWS's order for `All`. */
export const READABLE = [
  'Policy', 'VisibilityTimeout', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible', 'CreatedTimestamp', 'LastModifiedTimestamp', 'QueueArn',
  'ApproximateNumberOfMessagesDelayed', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'RedrivePolicy', 'FifoQueue',
  'ContentBasedDeduplication', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'DeduplicationScope',
  'FifoThroughputLimit', 'RedriveAllowPolicy', 'SqsManagedSseEnabled',
] as const;

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** SQS state kept with the queue (declared arguments `x-sqs-*`). */
export interface SqsQueueMeta {
  /** Attributes as last set, in their text form (only those without a core option, plus RedrivePolicy). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdMs: number;
  modifiedMs: number;
}

const A_ATTRS = 'x-sqs-attributes';
const A_TAGS = 'x-sqs-tags';
const A_CREATED = 'x-sqs-created-ms';
const A_MODIFIED = 'x-sqs-modified-ms';

function table(t: Record<string, string>): TypedValue {
  const value: Record<string, TypedValue> = {};
  for (const [k, v] of Object.entries(t)) value[k] = { type: 'string', value: v };
  return { type: 'table', value };
}

function untable(v: TypedValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (v?.type !== 'table') return out;
  for (const [k, x] of Object.entries(v.value)) if (x.type === 'string') out[k] = x.value;
  return out;
}

/** Keeps the entry's other declared arguments (an AMQP-declared queue's x-arguments). */
export function metaToArguments(meta: SqsQueueMeta, base: Arguments | null): Arguments {
  return {
    ...(base ?? {}),
    [A_ATTRS]: table(meta.attributes),
    [A_TAGS]: table(meta.tags),
    [A_CREATED]: { type: 'int', value: meta.createdMs },
    [A_MODIFIED]: { type: 'int', value: meta.modifiedMs },
  };
}

/** The queue's SQS state; a queue another protocol declared gets defaults (created: unknown, 0). */
export function metaOf(e: QueueEntry): SqsQueueMeta {
  const a = e.declaredArguments ?? {};
  const num = (v: TypedValue | undefined): number => (v?.type === 'int' ? v.value : 0);
  return { attributes: untable(a[A_ATTRS]), tags: untable(a[A_TAGS]), createdMs: num(a[A_CREATED]), modifiedMs: num(a[A_MODIFIED]) };
}

function badValue(name: string, why = ''): SqsError {
  return new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.${why ? ` Reason: ${why}` : ''}`);
}

function intIn(name: string, v: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(v)) throw badValue(name);
  const n = Number(v);
  if (n < min || n > max) throw badValue(name);
  return n;
}

function bool(name: string, v: string): boolean {
  if (v !== 'true' && v !== 'false') throw badValue(name);
  return v === 'true';
}

export interface ParsedAttributes {
  options: Partial<QueueOptions>;
  /** Text attributes to store (with RedrivePolicy); '' removes one. */
  stored: Record<string, string>;
  redrive: RedrivePolicy | null | undefined;
}

/**
 * Checks attributes a client sets; `fifo` is the queue's kind (a standard queue does not know
 * the FIFO attributes, as in AWS). Throws InvalidAttributeName / InvalidAttributeValue.
 */
export function parseAttributes(attrs: Readonly<Record<string, string>>, fifo: boolean, creating: boolean): ParsedAttributes {
  const options: Partial<QueueOptions> = {};
  const stored: Record<string, string> = {};
  let redrive: RedrivePolicy | null | undefined;
  for (const [name, raw] of Object.entries(attrs)) {
    if (!SETTABLE.has(name) || (!fifo && FIFO_ONLY.has(name) && !(name === 'FifoQueue' && raw === 'false' && creating))) {
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    const v = String(raw);
    switch (name) {
      case 'DelaySeconds': options.deliveryDelayMs = intIn(name, v, 0, 900) * 1000; break;
      case 'MaximumMessageSize': options.maxMessageBytes = intIn(name, v, 1024, DEFAULT_MAX_MESSAGE_BYTES); break;
      case 'MessageRetentionPeriod': options.messageTtlMs = intIn(name, v, 60, 1_209_600) * 1000; break;
      case 'ReceiveMessageWaitTimeSeconds': options.receiveWaitMs = intIn(name, v, 0, 20) * 1000; break;
      case 'VisibilityTimeout': options.visibilityTimeoutMs = intIn(name, v, 0, 43_200) * 1000; break;
      case 'KmsDataKeyReusePeriodSeconds': intIn(name, v, 60, 86_400); stored[name] = v; break;
      case 'SqsManagedSseEnabled': bool(name, v); stored[name] = v; break;
      case 'Policy': case 'KmsMasterKeyId': stored[name] = v; break;
      case 'FifoQueue':
        if (!creating) throw badValue(name, 'Modifying queue type is not supported.');
        if (bool(name, v) !== fifo) throw badValue(name, fifo ? 'The queue name must end with .fifo for a FIFO queue.' : 'Only FIFO queue names can end with .fifo.');
        break;
      case 'ContentBasedDeduplication': bool(name, v); stored[name] = v; break;
      case 'DeduplicationScope':
        if (v !== 'messageGroup' && v !== 'queue') throw badValue(name);
        stored[name] = v;
        break;
      case 'FifoThroughputLimit':
        if (v !== 'perQueue' && v !== 'perMessageGroupId') throw badValue(name);
        stored[name] = v;
        break;
      case 'RedrivePolicy':
        redrive = v === '' ? null : parseRedrivePolicy(v);
        stored[name] = v === '' ? '' : JSON.stringify(redrive);
        break;
      case 'RedriveAllowPolicy':
        stored[name] = v === '' ? '' : checkRedriveAllowPolicy(v);
        break;
    }
  }
  return { options, stored, redrive };
}

function parseRedrivePolicy(v: string): RedrivePolicy {
  let p: unknown;
  try {
    p = JSON.parse(v);
  } catch {
    throw badValue('RedrivePolicy', 'Invalid JSON.');
  }
  const o = p as Record<string, unknown>;
  if (o === null || typeof o !== 'object') throw badValue('RedrivePolicy', 'Redrive policy is not a JSON object.');
  const arn = o['deadLetterTargetArn'];
  const count = typeof o['maxReceiveCount'] === 'string' ? Number(o['maxReceiveCount']) : o['maxReceiveCount'];
  if (typeof arn !== 'string' || arn === '') throw badValue('RedrivePolicy', 'Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (count === undefined) throw badValue('RedrivePolicy', 'Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) throw badValue('RedrivePolicy', 'Invalid value for maxReceiveCount: must be an integer from 1 to 1000.');
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

function checkRedriveAllowPolicy(v: string): string {
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(v) as Record<string, unknown>;
  } catch {
    throw badValue('RedriveAllowPolicy', 'Invalid JSON.');
  }
  if (p === null || typeof p !== 'object') throw badValue('RedriveAllowPolicy');
  const perm = p['redrivePermission'];
  if (perm !== 'allowAll' && perm !== 'denyAll' && perm !== 'byQueue') throw badValue('RedriveAllowPolicy', 'Amazon SQS can\'t create the redrive allow policy, as it\'s in an unsupported format.');
  const arns = p['sourceQueueArns'];
  if (perm === 'byQueue') {
    if (!Array.isArray(arns) || arns.length === 0 || arns.length > 10 || !arns.every((a) => typeof a === 'string')) throw badValue('RedriveAllowPolicy', 'sourceQueueArns must list 1 to 10 queue ARNs for redrivePermission byQueue.');
  } else if (arns !== undefined) throw badValue('RedriveAllowPolicy', 'sourceQueueArns is only allowed with redrivePermission byQueue.');
  return JSON.stringify(p);
}

/** Whether a queue (by ARN) may use `dlq` as its dead-letter queue under dlq's RedriveAllowPolicy. */
export function redriveAllowed(dlqMeta: SqsQueueMeta, sourceArn: string): boolean {
  const text = dlqMeta.attributes['RedriveAllowPolicy'];
  if (text === undefined || text === '') return true;
  const p = JSON.parse(text) as { redrivePermission: string; sourceQueueArns?: string[] };
  if (p.redrivePermission === 'allowAll') return true;
  if (p.redrivePermission === 'denyAll') return false;
  return (p.sourceQueueArns ?? []).includes(sourceArn);
}

export function redriveOf(meta: SqsQueueMeta): RedrivePolicy | null {
  const t = meta.attributes['RedrivePolicy'];
  return t === undefined || t === '' ? null : (JSON.parse(t) as RedrivePolicy);
}

/** Options of a new SQS queue: AWS's defaults, then what the client set. */
export function newQueueOptions(fifo: boolean, set: Partial<QueueOptions>): Partial<QueueOptions> {
  return {
    fifo,
    deduplicate: fifo,
    dedupWindowMs: DEDUP_WINDOW_MS,
    visibilityTimeoutMs: 30_000,
    maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
    messageTtlMs: DEFAULT_RETENTION_SEC * 1000,
    deliveryDelayMs: 0,
    receiveWaitMs: 0,
    maxInFlight: IN_FLIGHT_MAX,
    ...set,
  };
}

/** The attribute values the queue has now, as GetQueueAttributes shows them. */
export function currentAttributes(e: QueueEntry, arn: string): Record<string, string> {
  const o = e.queue.options;
  const meta = metaOf(e);
  const s = e.queue.stats();
  const sec = (ms: number): string => String(Math.floor(ms / 1000));
  const out: Record<string, string> = {};
  const put = (k: string, v: string | undefined): void => {
    if (v !== undefined && v !== '') out[k] = v;
  };
  put('Policy', meta.attributes['Policy']);
  put('VisibilityTimeout', sec(o.visibilityTimeoutMs));
  put('MaximumMessageSize', String(Math.min(o.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES)));
  put('MessageRetentionPeriod', o.messageTtlMs === null ? '1209600' : sec(Math.min(o.messageTtlMs, 1_209_600_000)));
  put('ApproximateNumberOfMessages', String(s.ready));
  put('ApproximateNumberOfMessagesNotVisible', String(s.inFlight));
  put('CreatedTimestamp', sec(meta.createdMs));
  put('LastModifiedTimestamp', sec(meta.modifiedMs));
  put('QueueArn', arn);
  put('ApproximateNumberOfMessagesDelayed', String(s.delayed));
  put('DelaySeconds', sec(o.deliveryDelayMs));
  put('ReceiveMessageWaitTimeSeconds', sec(o.receiveWaitMs));
  put('RedrivePolicy', meta.attributes['RedrivePolicy']);
  if (o.fifo) {
    put('FifoQueue', 'true');
    put('ContentBasedDeduplication', meta.attributes['ContentBasedDeduplication'] ?? 'false');
  }
  put('KmsMasterKeyId', meta.attributes['KmsMasterKeyId']);
  put('KmsDataKeyReusePeriodSeconds', meta.attributes['KmsDataKeyReusePeriodSeconds']);
  if (o.fifo) {
    put('DeduplicationScope', meta.attributes['DeduplicationScope'] ?? 'queue');
    put('FifoThroughputLimit', meta.attributes['FifoThroughputLimit'] ?? 'perQueue');
  }
  put('RedriveAllowPolicy', meta.attributes['RedriveAllowPolicy']);
  put('SqsManagedSseEnabled', meta.attributes['SqsManagedSseEnabled'] ?? 'false');
  return out;
}
