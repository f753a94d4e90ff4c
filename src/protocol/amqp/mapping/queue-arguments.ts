/**
 * queue.declare x-arguments → the core's QueueOptions (one table, RabbitMQ's names and rules):
 *
 *   x-message-ttl              messageTtlMs            integer >= 0
 *   x-expires                  expiresMs               integer >= 1
 *   x-max-length               maxLength               integer >= 0
 *   x-max-length-bytes         maxLengthBytes          integer >= 0
 *   x-overflow                 overflow                drop-head | reject-publish | reject-publish-dlx
 *   x-dead-letter-exchange     deadLetterTarget        string
 *   x-dead-letter-routing-key  deadLetterTarget        string (needs x-dead-letter-exchange)
 *   x-max-priority             maxPriority             integer 0..255
 *   x-delivery-limit N         maxDeliveries N + 1     integer >= 0 (returns allowed; deliveries = N + 1)
 *   x-single-active-consumer   singleActiveConsumer    boolean
 *   x-queue-type               classic | quorum (the same engine) | stream (a topic)
 *
 * Other arguments are accepted and ignored, as RabbitMQ ignores unknown ones. A known argument
 * with a bad type or value is 406 PRECONDITION_FAILED, with RabbitMQ's wording.
 */
import type { QueueEntry } from '../../../core/broker/vhost.js';
import type { TypedValue } from '../../../core/message.js';
import { MAX_PRIORITY_LIMIT, type OverflowPolicy, type QueueOptions } from '../../../core/queue/options.js';
import type { FieldTable } from '../codec/field-table.js';
import { preconditionFailed } from './errors.js';

export type AmqpQueueType = 'classic' | 'quorum' | 'stream';

export interface AmqpQueueSpec {
  type: AmqpQueueType;
  options: Partial<QueueOptions>;
}

const OVERFLOWS: readonly string[] = ['drop-head', 'reject-publish', 'reject-publish-dlx'];

export function queueSpecFromArguments(args: FieldTable, queue: string, vhost: string): AmqpQueueSpec {
  const bad = (name: string, why: string) => preconditionFailed(`invalid arg '${name}' for queue '${queue}' in vhost '${vhost}': ${why}`);
  const int = (name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const v = get(args, name);
    if (v === undefined) return undefined;
    const n = asInteger(v);
    if (n === undefined) throw bad(name, `{unacceptable_type,${v.type}}`);
    if (n < min || n > max) throw bad(name, n < 0 ? `{value_negative,${n}}` : `{value_out_of_range,${n}}`);
    return n;
  };
  const str = (name: string): string | undefined => {
    const v = get(args, name);
    if (v === undefined) return undefined;
    if (v.type === 'string') return v.value;
    if (v.type === 'bytes') return v.value.toString('utf8');
    throw bad(name, `{unacceptable_type,${v.type}}`);
  };

  const o: Partial<QueueOptions> = {};
  const ttl = int('x-message-ttl', 0);
  if (ttl !== undefined) o.messageTtlMs = ttl;
  const expires = int('x-expires', 1);
  if (expires !== undefined) o.expiresMs = expires;
  const maxLen = int('x-max-length', 0);
  if (maxLen !== undefined) o.maxLength = maxLen;
  const maxBytes = int('x-max-length-bytes', 0);
  if (maxBytes !== undefined) o.maxLengthBytes = maxBytes;
  const prio = int('x-max-priority', 0, MAX_PRIORITY_LIMIT);
  if (prio !== undefined) o.maxPriority = prio;
  const limit = int('x-delivery-limit', 0, 0xffff_fffe);
  if (limit !== undefined) o.maxDeliveries = limit + 1;

  const overflow = str('x-overflow');
  if (overflow !== undefined) {
    if (!OVERFLOWS.includes(overflow)) throw bad('x-overflow', `{unacceptable_value,${overflow}}`);
    o.overflow = overflow as OverflowPolicy;
  }
  const dlx = str('x-dead-letter-exchange');
  const dlrk = str('x-dead-letter-routing-key');
  if (dlrk !== undefined && dlx === undefined) {
    throw preconditionFailed(`invalid arg 'x-dead-letter-routing-key' for queue '${queue}' in vhost '${vhost}': routing_key_but_no_dlx_defined`);
  }
  if (dlx !== undefined) o.deadLetterTarget = { exchange: dlx, routingKey: dlrk ?? null };

  const sac = get(args, 'x-single-active-consumer');
  if (sac !== undefined) {
    if (sac.type !== 'bool') throw bad('x-single-active-consumer', `{unacceptable_type,${sac.type}}`);
    o.singleActiveConsumer = sac.value;
  }

  const type = str('x-queue-type') ?? 'classic';
  if (type !== 'classic' && type !== 'quorum' && type !== 'stream') throw bad('x-queue-type', `{unacceptable_value,${type}}`);
  return { type, options: o };
}

function get(args: FieldTable, name: string): TypedValue | undefined {
  return Object.hasOwn(args, name) ? args[name] : undefined;
}

/** Integers of any AMQP width (b B s u I i l), as RabbitMQ accepts them. */
export function asInteger(v: TypedValue): number | undefined {
  if (v.type === 'int' && Number.isSafeInteger(v.value)) return v.value;
  if (v.type === 'long' && v.value >= BigInt(Number.MIN_SAFE_INTEGER) && v.value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v.value);
  return undefined;
}

/** Whether a queue was declared `x-queue-type: quorum` (unknown for older catalogues: no). */
export function isQuorum(e: QueueEntry): boolean {
  const t = e.declaredArguments === null || !Object.hasOwn(e.declaredArguments, 'x-queue-type') ? undefined : e.declaredArguments['x-queue-type'];
  return (t?.type === 'string' ? t.value : t?.type === 'bytes' ? t.value.toString('utf8') : undefined) === 'quorum';
}
