/**
 * AMQP basic properties ↔ the core Message (docs/message-model.md, column "AMQP 0-9-1").
 *
 *   content-type, content-encoding, correlation-id, reply-to, message-id, type, user-id, app-id,
 *   delivery-mode, priority   ↔ the MessageProperties of the same name
 *   expiration (decimal ms as text) ↔ expirationMs
 *   timestamp (seconds)       ↔ Message.timestamp (ms); a publish without one is stamped now;
 *                               one beyond what a time in ms can hold (any uint64 is allowed)
 *                               is kept exactly in properties.amqpTimestamp and stamped now
 *   headers (field table)     ↔ properties.attributes, typed values kept as they are
 *   body                      ↔ Message.value (key: none)
 *
 * Outbound only: the plain (Kafka) headers of a message become entries of the headers table,
 * after the attributes (a name already there is skipped; of a repeated name the first wins):
 * longstr 'S' when the value is valid UTF-8, byte array 'x' when not, void 'V' when null. So a
 * Kafka record read over AMQP shows its headers without losing a byte; x-death
 * counts are sent as 'l' (int64), as RabbitMQ does and as clients expect. cluster-id is
 * reserved in 0-9-1 and dropped.
 */
import { isUtf8 } from 'node:buffer';
import type { Message, MessageProperties, TypedValue } from '../../../core/message.js';
import type { BasicProperties } from '../codec/content-header.js';
import type { FieldTable } from '../codec/field-table.js';
import { preconditionFailed } from './errors.js';

const EMPTY = Buffer.alloc(0);
const expirationRe = /^\d{1,15}$/;

/** Builds the Message for a publish. `body` must be owned by the caller (not a socket view). */
export function messageFromAmqp(p: BasicProperties, body: Buffer, nowMs: number): Message {
  const props: MessageProperties = {};
  if (p.contentType !== undefined) props.contentType = p.contentType;
  if (p.contentEncoding !== undefined) props.contentEncoding = p.contentEncoding;
  if (p.correlationId !== undefined) props.correlationId = p.correlationId;
  if (p.replyTo !== undefined) props.replyTo = p.replyTo;
  if (p.messageId !== undefined) props.messageId = p.messageId;
  if (p.type !== undefined) props.type = p.type;
  if (p.userId !== undefined) props.userId = p.userId;
  if (p.appId !== undefined) props.appId = p.appId;
  if (p.deliveryMode !== undefined) props.deliveryMode = p.deliveryMode;
  if (p.priority !== undefined) props.priority = p.priority;
  if (p.expiration !== undefined) props.expirationMs = parseExpiration(p.expiration);
  const h = p.headers;
  if (h !== undefined) {
    for (const _ in h) {
      props.attributes = h;
      const g = h['x-group-id'];
      if (g?.type === 'string') props.groupId = g.value;
      break;
    }
  }
  let timestamp = nowMs;
  const ts = p.timestamp;
  if (ts !== undefined) {
    if (typeof ts === 'number' && ts <= MAX_TIME_SEC) timestamp = ts * 1000;
    else props.amqpTimestamp = String(ts);
  }
  return { key: null, value: body, headers: [], timestamp, properties: props };
}

/** The last second a JavaScript Date (and so Message.timestamp, in ms) can hold. */
const MAX_TIME_SEC = 8.64e12;

function timestampOf(m: Message): number | bigint {
  const t = m.properties.amqpTimestamp;
  if (t !== undefined && /^\d{1,20}$/.test(t)) {
    const n = BigInt(t);
    if (n <= UINT64_MAX) return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  return Math.floor(m.timestamp / 1000);
}

const UINT64_MAX = 2n ** 64n - 1n;

/** RabbitMQ refuses anything but a non-negative integer in decimal (406 on the channel). */
function parseExpiration(s: string): number {
  if (!expirationRe.test(s)) throw preconditionFailed(`invalid expiration '${s}': must be a non-negative integer of milliseconds`);
  return Number(s);
}

/**
 * The properties to deliver a message with. Allocates one object (and a table if needed).
 * `deliveryCount` >= 0 adds `x-delivery-count` (as a long), as quorum queues do.
 */
export function amqpProperties(m: Message, deliveryCount = -1): BasicProperties {
  const p = m.properties;
  const out: BasicProperties = { timestamp: p.amqpTimestamp === undefined ? Math.floor(m.timestamp / 1000) : timestampOf(m) };
  if (p.contentType !== undefined) out.contentType = p.contentType;
  if (p.contentEncoding !== undefined) out.contentEncoding = p.contentEncoding;
  if (p.correlationId !== undefined) out.correlationId = p.correlationId;
  if (p.replyTo !== undefined) out.replyTo = p.replyTo;
  if (p.messageId !== undefined) out.messageId = p.messageId;
  if (p.type !== undefined) out.type = p.type;
  if (p.userId !== undefined) out.userId = p.userId;
  if (p.appId !== undefined) out.appId = p.appId;
  if (p.deliveryMode !== undefined) out.deliveryMode = p.deliveryMode;
  if (p.priority !== undefined) out.priority = p.priority;
  if (p.expirationMs !== undefined) out.expiration = String(p.expirationMs);
  const headers = headersOf(m);
  if (deliveryCount >= 0) out.headers = { ...headers, 'x-delivery-count': { type: 'int', value: deliveryCount, width: 'int64' } };
  else if (headers !== undefined) out.headers = headers;
  return out;
}

function headersOf(m: Message): FieldTable | undefined {
  const attrs = m.properties.attributes;
  const death = attrs?.['x-death'];
  if (m.headers.length === 0 && death === undefined) return attrs;
  const t: FieldTable = { ...attrs };
  if (death !== undefined) t['x-death'] = deathWithLongCounts(death);
  for (const h of m.headers) {
    if (Object.hasOwn(t, h.key)) continue;
    const v = h.value;
    t[h.key] = v === null ? { type: 'void' } : isUtf8(v) ? { type: 'string', value: v.toString('utf8') } : { type: 'bytes', value: v };
  }
  return t;
}

/** x-death entries' count as int64 ('l'): RabbitMQ's type, which Java and .NET clients cast to. */
function deathWithLongCounts(v: TypedValue): TypedValue {
  if (v.type !== 'array') return v;
  return {
    type: 'array',
    value: v.value.map((e) => {
      if (e.type !== 'table') return e;
      const c = e.value['count'];
      if (c?.type !== 'int') return e;
      return { type: 'table', value: { ...e.value, count: { type: 'long', value: BigInt(c.value) } } };
    }),
  };
}

export function bodyOf(m: Message): Buffer {
  return m.value ?? EMPTY;
}
