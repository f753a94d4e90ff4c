/**
 * Name rules for every named object, checked once here so that each protocol accepts and
 * refuses the same names. A bad name is the client's fault: HopperError INVALID_NAME. Using a
 * name reserved for the broker (`amq.`) is NOT_ALLOWED, which AMQP reports as 403
 * ACCESS_REFUSED, as RabbitMQ does.
 */
import { HopperError } from './errors.js';

/** AMQP names travel as shortstr: at most 255 bytes of UTF-8. */
export const nameMaxBytes = 255;
/** Kafka's limit (249 leaves room for the partition suffix in folder names). */
export const kafkaTopicNameMaxChars = 249;
/** SQS counts the `.fifo` suffix in the 80. */
export const sqsQueueNameMaxChars = 80;
export const reservedPrefix = 'amq.';

const kafkaTopicRe = /^[a-zA-Z0-9._-]+$/;
const sqsStandardRe = /^[a-zA-Z0-9_-]{1,80}$/;
const sqsFifoRe = /^[a-zA-Z0-9_-]{1,75}\.fifo$/;
// Control characters break log lines, HTTP paths and the management UI; RabbitMQ silently
// strips CR/LF, we refuse instead so the client learns its name was not what it meant.
// A lone surrogate has no UTF-8 form, so the name could not be stored or sent back intact.
const badCharsRe = /[\u0000-\u001f\u007f]|\p{Cs}/u;

function invalid(kind: string, name: string, why: string): never {
  throw new HopperError('INVALID_NAME', `invalid ${kind} name ${JSON.stringify(name)}: ${why}`);
}

function checkUtf8Name(kind: string, name: string, allowEmpty: boolean): void {
  if (typeof name !== 'string') invalid(kind, String(name), 'not a string');
  if (name.length === 0) {
    if (allowEmpty) return;
    invalid(kind, name, 'empty');
  }
  // Cheap pre-check: a UTF-16 unit is at most 3 UTF-8 bytes, and never less than 1.
  if (name.length > nameMaxBytes || (name.length * 3 > nameMaxBytes && Buffer.byteLength(name, 'utf8') > nameMaxBytes)) {
    invalid(kind, name, `longer than ${nameMaxBytes} bytes of UTF-8`);
  }
  if (badCharsRe.test(name)) invalid(kind, name, 'contains a control character or an unpaired surrogate');
}

export function validateVhostName(name: string): void {
  checkUtf8Name('vhost', name, false);
}

/** '' is the default exchange: a valid name to publish to, though never to declare or bind. */
export function validateExchangeName(name: string): void {
  checkUtf8Name('exchange', name, true);
}

/** The empty name asks the server to pick one; resolve it before validating. */
export function validateQueueName(name: string): void {
  checkUtf8Name('queue', name, false);
}

export function validateUserName(name: string): void {
  checkUtf8Name('user', name, false);
  // SASL PLAIN separates its fields with NUL; the control-character rule above already
  // refuses it, so such a user could never log in anyway.
}

export function validateTopicName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) invalid('topic', String(name), 'empty');
  if (name.length > kafkaTopicNameMaxChars) invalid('topic', name, `longer than ${kafkaTopicNameMaxChars} characters`);
  if (name === '.' || name === '..') invalid('topic', name, 'cannot be "." or ".."');
  if (!kafkaTopicRe.test(name)) invalid('topic', name, 'only ASCII letters, digits, ".", "_" and "-" are allowed');
}

/**
 * Kafka refuses a topic whose name differs from an existing one only by '.' versus '_',
 * because both become the same metric name. Topics with equal keys collide.
 */
export function topicCollisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

export function isFifoQueueName(name: string): boolean {
  return name.endsWith('.fifo');
}

/** SQS queue names: 1-80 of [a-zA-Z0-9_-], FIFO queues end in `.fifo` (inside the 80). */
export function validateSqsQueueName(name: string, fifo: boolean = isFifoQueueName(name)): void {
  if (typeof name !== 'string' || name.length === 0) invalid('queue', String(name), 'empty');
  if (name.length > sqsQueueNameMaxChars) invalid('queue', name, `longer than ${sqsQueueNameMaxChars} characters`);
  if (fifo) {
    if (!sqsFifoRe.test(name)) invalid('queue', name, 'a FIFO queue name is [a-zA-Z0-9_-] followed by ".fifo"');
  } else if (!sqsStandardRe.test(name)) {
    invalid('queue', name, isFifoQueueName(name) ? 'only FIFO queues may end in ".fifo"' : 'only ASCII letters, digits, "_" and "-" are allowed');
  }
}

export function isReservedName(name: string): boolean {
  return name.startsWith(reservedPrefix);
}

/**
 * Clients may not declare or delete exchanges or queues named `amq.*` (the broker's own).
 * Passive declares and binding to them stay allowed; callers check only the active forms.
 */
export function checkNotReserved(kind: 'exchange' | 'queue', name: string): void {
  if (isReservedName(name)) {
    throw new HopperError('NOT_ALLOWED', `${kind} name ${JSON.stringify(name)} contains reserved prefix '${reservedPrefix}*'`);
  }
}
