/**
 * The per-message facts the queue indexes (size, priority level, group, expiry, due time,
 * dedupe id), derived the same way at publish and when recovery scans the log, so that a
 * restart rebuilds exactly the indexes the queue had.
 */
import type { Message } from '../message.js';
import { messageSize } from '../message.js';
import type { QueueOptions } from './options.js';

export interface MessageInfo {
  size: number;
  level: number;
  groupId: string | null;
  /** When the message expires at the head of its lane (Infinity: never). */
  expiresAt: number;
  /** Not deliverable before this (0: not delayed). */
  dueAt: number;
  dedupId: string | null;
}

export function levelOf(opts: QueueOptions, m: Message): number {
  const p = m.properties.priority;
  if (opts.maxPriority === 0 || p === undefined) return 0;
  return p > opts.maxPriority ? opts.maxPriority : p;
}

export function dedupIdOf(opts: QueueOptions, m: Message): string | null {
  if (!opts.deduplicate) return null;
  return m.properties.deduplicationId ?? m.properties.messageId ?? null;
}

/** True when the stored copy needs the queue-meta header (queue-header.ts). */
export function needsQueueMeta(opts: QueueOptions, m: Message, dueAt: number): boolean {
  return dueAt > 0 || opts.messageTtlMs !== null || m.properties.expirationMs !== undefined || dedupIdOf(opts, m) !== null;
}

/**
 * Fills `out`. TTL counts from when the message becomes ready: its due time if delayed, else
 * when the queue accepted it (RabbitMQ counts from enqueue; a delayed message enters then).
 */
export function describeMessage(opts: QueueOptions, m: Message, enqueuedAt: number, dueAt: number, out: MessageInfo): MessageInfo {
  out.size = messageSize(m);
  out.level = levelOf(opts, m);
  out.groupId = opts.fifo ? (m.properties.groupId ?? null) : null;
  const ttl = Math.min(opts.messageTtlMs ?? Infinity, m.properties.expirationMs ?? Infinity);
  out.dueAt = dueAt;
  out.expiresAt = ttl === Infinity ? Infinity : (dueAt > 0 ? dueAt : enqueuedAt) + ttl;
  out.dedupId = dedupIdOf(opts, m);
  return out;
}

export function emptyInfo(): MessageInfo {
  return { size: 0, level: 0, groupId: null, expiresAt: Infinity, dueAt: 0, dedupId: null };
}

/**
 * What a follower queue (Queue.follow) indexes for every record of the log it follows: all
 * alike, so a backlog of any length is one run of its ready lane. The records are another
 * protocol's (Kafka's), with no priority, group, TTL or delay of the queue's; the size (1) only
 * counts records.
 */
export function followedInfo(out: MessageInfo): MessageInfo {
  out.size = 1;
  out.level = 0;
  out.groupId = null;
  out.expiresAt = Infinity;
  out.dueAt = 0;
  out.dedupId = null;
  return out;
}
