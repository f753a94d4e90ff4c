/**
 * Per-message queue metadata that must survive a restart and that the message itself does not
 * carry: when the queue accepted it and when it becomes due. It travels inside the stored
 * record, as the last plain header, so that a publish stays one append (no journal write before
 * the publish resolves). It is written only when needed (TTL, expiration, delay, dedupe) and
 * stripped before a message is delivered or dead-lettered.
 *
 *   version u8 (1) | flags u8 (bit 0: delayed) | enqueuedAt float64 BE | [dueAt float64 BE]
 *
 * The name is under the codec's reserved `hopper.` prefix but is no property, so the codec
 * keeps it as a plain header (message-codec.ts, applyReserved).
 */
import type { Header, Message } from '../message.js';

export const QUEUE_META_HEADER = 'hopper.queue-meta';
const VERSION = 1;
const FLAG_DELAYED = 1;

export interface QueueMeta {
  enqueuedAt: number;
  /** Due time of a delayed message, or 0 when not delayed. */
  dueAt: number;
}

export function encodeQueueMeta(enqueuedAt: number, dueAt: number): Header {
  const delayed = dueAt > 0;
  const b = Buffer.allocUnsafe(delayed ? 18 : 10);
  b[0] = VERSION;
  b[1] = delayed ? FLAG_DELAYED : 0;
  b.writeDoubleBE(enqueuedAt, 2);
  if (delayed) b.writeDoubleBE(dueAt, 10);
  return { key: QUEUE_META_HEADER, value: b };
}

/** The message as stored: a shallow copy with the meta header appended. */
export function withQueueMeta(m: Message, enqueuedAt: number, dueAt: number): Message {
  return { ...m, headers: [...m.headers, encodeQueueMeta(enqueuedAt, dueAt)] };
}

/**
 * Removes the meta header from a decoded message (the codec gives a fresh headers array, so it
 * is changed in place) and returns the metadata, or null when the message has none.
 */
export function takeQueueMeta(m: Message): QueueMeta | null {
  const hs = m.headers;
  const last = hs[hs.length - 1];
  if (last === undefined || last.key !== QUEUE_META_HEADER) return null;
  const v = last.value;
  if (v === null || v.length < 10 || v[0] !== VERSION) return null;
  m.headers = hs.slice(0, hs.length - 1);
  const delayed = (v[1]! & FLAG_DELAYED) !== 0 && v.length >= 18;
  return { enqueuedAt: v.readDoubleBE(2), dueAt: delayed ? v.readDoubleBE(10) : 0 };
}
