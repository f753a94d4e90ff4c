/**
 * A queue declared again must match the one that exists, as RabbitMQ 3.10 checks it
 * (rabbit_amqqueue:assert_equivalence), with its reply codes and texts:
 *
 * 1. exclusivity: a declare that is exclusive when the queue is not, or the reverse, or of
 *    another connection's exclusive queue, is 405 RESOURCE_LOCKED;
 * 2. durable, then auto_delete: 406 "inequivalent arg 'durable' for queue 'q' in vhost '/':
 *    received 'true' but current is 'false'";
 * 3. the arguments its queue type takes, in RabbitMQ's order for that type, each compared by
 *    type class (byte, short, int, long, signed or not are one class; float and double
 *    another; a long string and a byte array with the same bytes are equal) and value:
 *    "received '10' but current is '5'", or with one side absent "received none but current
 *    is the value '5' of type 'byte'". Other arguments are not compared. An x-queue-type
 *    'classic' on one side equals none on the other.
 *
 * Hopper honours x-delivery-limit on classic queues and x-max-priority on quorum queues, which
 * RabbitMQ 3.10 does not, so those are compared too: two declarations with different effects
 * never both succeed. The checks run before the arguments are validated, as in RabbitMQ (a
 * re-declare with x-max-length '5' as a string is "inequivalent", not "invalid").
 *
 * Queues restored from a catalogue written before declared arguments were kept are compared
 * on what their options say (with no type letters and no queue type).
 */
import type { QueueEntry } from '../../../core/broker/vhost.js';
import type { TypedValue } from '../../../core/message.js';
import type { QueueOptions } from '../../../core/queue/options.js';
import type { FieldTable } from '../codec/field-table.js';
import { ReplyCode } from '../codec/reply-codes.js';
import { channelError, preconditionFailed, type AmqpError } from './errors.js';

/** rabbit_queue_type:arguments(queue_arguments, T) in RabbitMQ 3.10.8, in its order. */
const CLASSIC_ARGUMENTS = [
  'x-expires',
  'x-message-ttl',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-priority',
  'x-overflow',
  'x-queue-mode',
  'x-queue-version',
  'x-single-active-consumer',
  'x-queue-type',
  'x-queue-master-locator',
  'x-delivery-limit', // Hopper honours it on classic queues
];
const QUORUM_ARGUMENTS = [
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-dead-letter-strategy',
  'x-expires',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-in-memory-length',
  'x-max-in-memory-bytes',
  'x-overflow',
  'x-single-active-consumer',
  'x-queue-type',
  'x-quorum-initial-group-size',
  'x-delivery-limit',
  'x-message-ttl',
  'x-queue-leader-locator',
  'x-max-priority', // Hopper honours it on quorum queues
];

export function lockedQueue(queue: string, vhost: string): AmqpError {
  return channelError(
    ReplyCode.RESOURCE_LOCKED,
    `cannot obtain exclusive access to locked queue '${queue}' in vhost '${vhost}'. ` +
      'It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.',
  );
}

export interface Redeclare {
  durable: boolean;
  autoDelete: boolean;
  exclusive: boolean;
  arguments: FieldTable;
}

/** Throws RabbitMQ's 405 or 406 when `wanted` does not match the existing queue. */
export function assertQueueEquivalent(e: QueueEntry, wanted: Redeclare, connectionId: string, vhost: string): void {
  const owner = wanted.exclusive ? connectionId : null;
  if (e.exclusiveOwner !== owner) throw lockedQueue(e.name, vhost);
  const what = `for queue '${e.name}' in vhost '${vhost}'`;
  if (e.durable !== wanted.durable) throw inequivalent('durable', what, `'${wanted.durable}'`, `'${e.durable}'`);
  if (e.autoDelete !== wanted.autoDelete) throw inequivalent('auto_delete', what, `'${wanted.autoDelete}'`, `'${e.autoDelete}'`);
  const known = e.declaredArguments !== null;
  const current = e.declaredArguments ?? argumentsOf(e.options);
  const quorum = stringOf(current['x-queue-type']) === 'quorum';
  for (const key of quorum ? QUORUM_ARGUMENTS : CLASSIC_ARGUMENTS) {
    if (!known && !Object.hasOwn(current, key) && !DERIVED.has(key)) continue;
    compare(key, what, own(current, key), own(wanted.arguments, key));
  }
}

function compare(key: string, what: string, cur: TypedValue | undefined, rec: TypedValue | undefined): void {
  // RabbitMQ 3.10 takes an explicit 'classic' on one side and none on the other as equal (but
  // 'classic' against 'quorum' is "received 'classic' but current is 'quorum'").
  if (key === 'x-queue-type' && (cur === undefined || rec === undefined) && stringOf(cur ?? rec) === 'classic') return;
  if (cur === undefined && rec === undefined) return;
  if (cur !== undefined && rec !== undefined) {
    if (equivalent(cur, rec)) return;
    throw inequivalent(key, what, `'${format(rec)}'`, `'${format(cur)}'`);
  }
  const side = (v: TypedValue | undefined) => (v === undefined ? 'none' : `the value '${format(v)}' of type '${typeName(v)}'`);
  throw inequivalent(key, what, side(rec), side(cur));
}

function inequivalent(key: string, what: string, received: string, current: string): AmqpError {
  return preconditionFailed(`inequivalent arg '${key}' ${what}: received ${received} but current is ${current}`);
}

function own(t: FieldTable, key: string): TypedValue | undefined {
  return Object.hasOwn(t, key) ? t[key] : undefined;
}

function stringOf(v: TypedValue | undefined): string | undefined {
  if (v?.type === 'string') return v.value;
  if (v?.type === 'bytes') return v.value.toString('utf8');
  return undefined;
}

/** Same type class and equal value (rabbit_misc:type_class). */
function equivalent(a: TypedValue, b: TypedValue): boolean {
  const ia = integer(a);
  if (ia !== undefined) return integer(b) === ia;
  if (a.type === 'float') return b.type === 'float' && (a.value === b.value || (Number.isNaN(a.value) && Number.isNaN(b.value)));
  if (a.type === 'string' || a.type === 'bytes') {
    if (b.type !== 'string' && b.type !== 'bytes') return false;
    const x = a.type === 'string' ? Buffer.from(a.value, 'utf8') : a.value;
    const y = b.type === 'string' ? Buffer.from(b.value, 'utf8') : b.value;
    return x.equals(y);
  }
  return format(a) === format(b) && typeName(a) === typeName(b);
}

function integer(v: TypedValue): bigint | undefined {
  if (v.type === 'int') return Number.isSafeInteger(v.value) ? BigInt(v.value) : undefined;
  if (v.type === 'long') return v.value;
  return undefined;
}

/** RabbitMQ's names for the field types (rabbit_binary_parser), as its messages print them. */
function typeName(v: TypedValue): string {
  switch (v.type) {
    case 'int':
      switch (v.width) {
        case 'int8':
          return 'byte';
        case 'uint8':
          return 'unsignedbyte';
        case 'int16':
          return 'short';
        case 'uint16':
          return 'unsignedshort';
        case 'int32':
          return 'signedint';
        case 'uint32':
          return 'unsignedint';
        default:
          return 'long';
      }
    case 'long':
      return 'long';
    case 'float':
      return v.single === true ? 'float' : 'double';
    case 'decimal':
      return 'decimal';
    case 'string':
    case 'number':
      return 'longstr';
    case 'bytes':
      return 'binary';
    case 'timestamp':
      return 'timestamp';
    case 'bool':
      return 'bool';
    case 'void':
      return 'void';
    case 'array':
      return 'array';
    case 'table':
      return 'table';
  }
}

/** A value as RabbitMQ prints it: strings as text, everything else as an Erlang term (~tp). */
function format(v: TypedValue): string {
  if (v.type === 'string' || v.type === 'number') return v.value;
  if (v.type === 'bytes') return v.value.toString('utf8');
  return term(v);
}

function term(v: TypedValue): string {
  switch (v.type) {
    case 'string':
    case 'number':
      return binaryTerm(v.value);
    case 'bytes':
      return `<<${[...v.value].join(',')}>>`;
    case 'int':
    case 'long':
    case 'timestamp':
      return String(v.value);
    case 'float':
      return erlangFloat(v.value);
    case 'decimal':
      return `{${v.scale},${v.value}}`;
    case 'bool':
      return String(v.value);
    case 'void':
      return 'undefined';
    case 'array':
      return `[${v.value.map((x) => `{${typeName(x)},${term(x)}}`).join(',')}]`;
    case 'table':
      return `[${Object.entries(v.value)
        .map(([k, x]) => `{${binaryTerm(k)},${typeName(x)},${term(x)}}`)
        .join(',')}]`;
  }
}

/** An Erlang binary as ~tp prints it: <<"a">>, or <<"é"/utf8>> beyond ASCII. */
function binaryTerm(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? `<<${JSON.stringify(s)}>>` : `<<${JSON.stringify(s)}/utf8>>`;
}

/**
 * Erlang's shortest float text (OTP 25): the shortest digits that read back the same, in plain
 * or scientific notation, whichever is shorter (123456789.0, 1.0e20, 0.001, 1.5e-7).
 */
function erlangFloat(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const neg = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sci = `${neg ? '-' : ''}${digits[0]}.${digits.length > 1 ? digits.slice(1) : '0'}e${exp}`;
  let plain: string;
  if (exp >= 0) {
    const int = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
    const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '0';
    plain = `${neg ? '-' : ''}${int}.${frac}`;
  } else {
    plain = `${neg ? '-' : ''}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return plain.length <= sci.length ? plain : sci;
}

/** The x-arguments a queue's options stand for, for queues declared before arguments were kept. */
const DERIVED = new Set([
  'x-message-ttl',
  'x-expires',
  'x-max-length',
  'x-max-length-bytes',
  'x-overflow',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-max-priority',
  'x-delivery-limit',
  'x-single-active-consumer',
]);

function argumentsOf(o: QueueOptions): FieldTable {
  const t: FieldTable = {};
  const int = (k: string, v: number | null | undefined) => {
    if (v !== null && v !== undefined) t[k] = { type: 'int', value: v };
  };
  int('x-message-ttl', o.messageTtlMs);
  int('x-expires', o.expiresMs);
  int('x-max-length', o.maxLength);
  int('x-max-length-bytes', o.maxLengthBytes);
  if (o.maxPriority > 0) int('x-max-priority', o.maxPriority);
  if (o.maxDeliveries !== null && o.maxDeliveries !== undefined) int('x-delivery-limit', o.maxDeliveries - 1);
  if (o.overflow !== 'drop-head') t['x-overflow'] = { type: 'string', value: o.overflow };
  if (o.deadLetterTarget !== null && o.deadLetterTarget !== undefined) {
    t['x-dead-letter-exchange'] = { type: 'string', value: o.deadLetterTarget.exchange };
    if (o.deadLetterTarget.routingKey !== null) t['x-dead-letter-routing-key'] = { type: 'string', value: o.deadLetterTarget.routingKey };
  }
  if (o.singleActiveConsumer) t['x-single-active-consumer'] = { type: 'bool', value: true };
  return t;
}
