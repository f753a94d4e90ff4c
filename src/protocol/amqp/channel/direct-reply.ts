/**
 * Direct reply-to (https://www.rabbitmq.com/docs/direct-reply-to): an RPC client consumes the
 * pseudo-queue `amq.rabbitmq.reply-to` (no-ack) and publishes requests with that reply-to; the
 * broker rewrites it to `amq.rabbitmq.reply-to.<token>`, and a reply published to the default
 * exchange with that routing key goes straight to the client's consumer, through no queue.
 * The registry maps tokens to consumers for every connection of a listener.
 */
import { randomBytes } from 'node:crypto';
import type { Message } from '../../../core/message.js';

export const REPLY_TO_QUEUE = 'amq.rabbitmq.reply-to';
export const REPLY_TO_PREFIX = 'amq.rabbitmq.reply-to.';

export interface DirectReplyTarget {
  /** Delivers a reply now; false if the consumer is gone (then the reply is unroutable). */
  deliverReply(message: Message): boolean;
}

export class DirectReplyRegistry {
  private readonly targets = new Map<string, DirectReplyTarget>();

  /** Registers a consumer; returns the reply-to address publishers must use. */
  register(target: DirectReplyTarget): string {
    const address = REPLY_TO_PREFIX + randomBytes(15).toString('base64url');
    this.targets.set(address, target);
    return address;
  }

  unregister(address: string): void {
    this.targets.delete(address);
  }

  lookup(routingKey: string): DirectReplyTarget | undefined {
    return this.targets.get(routingKey);
  }
}

export function isDirectReplyKey(routingKey: string): boolean {
  return routingKey.length > REPLY_TO_PREFIX.length && routingKey.startsWith(REPLY_TO_PREFIX);
}
