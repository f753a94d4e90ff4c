/**
 * Death records on a dead-lettered message, in RabbitMQ's format so AMQP clients read them as
 * they would from RabbitMQ (https://www.rabbitmq.com/docs/dlx#effects):
 *
 * - `x-death`: an array of tables, most recent first, one per (queue, reason): count, reason,
 *   queue, time, exchange, routing-keys, and original-expiration when the message had one. A
 *   repeated death in the same queue for the same reason increments that entry's count and
 *   moves it to the front.
 * - `x-first-death-{queue,reason,exchange}` (set once) and `x-last-death-{...}` (every time).
 * - The per-message expiration is removed (it would expire again in the target), as RabbitMQ does.
 *
 * The input message is not changed: a copy is returned (the original may be in the cache).
 */
import type { Message, TypedValue } from '../message.js';
import type { DeadLetterReason } from './types.js';

type Table = Record<string, TypedValue>;

const str = (value: string): TypedValue => ({ type: 'string', value });

function entryField(t: Table, name: string): string | undefined {
  const v = t[name];
  return v?.type === 'string' ? v.value : undefined;
}

export function annotateDeath(m: Message, queue: string, reason: DeadLetterReason, nowMs: number): { message: Message; count: number } {
  const props = { ...m.properties };
  const attrs: Table = { ...(props.attributes ?? {}) };
  const old = attrs['x-death'];
  const entries: TypedValue[] = old?.type === 'array' ? old.value.slice() : [];

  let count = 1;
  let prev: Table | null = null;
  const i = entries.findIndex((e) => e.type === 'table' && entryField(e.value, 'queue') === queue && entryField(e.value, 'reason') === reason);
  if (i >= 0) {
    prev = (entries[i] as { type: 'table'; value: Table }).value;
    const c = prev['count'];
    count = (c?.type === 'int' ? c.value : c?.type === 'long' ? Number(c.value) : 0) + 1;
    entries.splice(i, 1);
  }

  const exchange = props.exchange ?? '';
  const routingKeys: TypedValue[] = props.routingKey !== undefined ? [str(props.routingKey)] : [];
  const entry: Table = {
    // RabbitMQ sends the count as a long ('l'); Java clients cast it to Long.
    count: { type: 'long', value: BigInt(count) },
    reason: str(reason),
    queue: str(queue),
    time: { type: 'timestamp', value: Math.floor(nowMs / 1000) },
    exchange: str(exchange),
    'routing-keys': { type: 'array', value: routingKeys },
  };
  if (props.expirationMs !== undefined) {
    entry['original-expiration'] = str(String(props.expirationMs));
    delete props.expirationMs;
  } else if (prev?.['original-expiration'] !== undefined) {
    entry['original-expiration'] = prev['original-expiration'];
  }
  entries.unshift({ type: 'table', value: entry });
  attrs['x-death'] = { type: 'array', value: entries };

  if (attrs['x-first-death-queue'] === undefined) {
    attrs['x-first-death-queue'] = str(queue);
    attrs['x-first-death-reason'] = str(reason);
    attrs['x-first-death-exchange'] = str(exchange);
  }
  attrs['x-last-death-queue'] = str(queue);
  attrs['x-last-death-reason'] = str(reason);
  attrs['x-last-death-exchange'] = str(exchange);

  props.attributes = attrs;
  return { message: { ...m, properties: props }, count };
}
