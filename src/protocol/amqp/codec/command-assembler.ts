/**
 * Joins frames into commands (spec 4.2.6): a content-bearing method is followed on its channel
 * by exactly one content header of the same class and then body frames until the announced
 * size is reached. Anything else on that channel meanwhile is UNEXPECTED_FRAME (505). Channels
 * interleave freely, so the state is per channel.
 *
 * A body in one frame is passed through as that frame's view; a body in several frames is
 * joined into one buffer when complete, so memory follows the bytes actually received, never a
 * size the peer merely announced.
 */
import type { ContentHeader } from './content-header.js';
import { AmqpCodecError } from './errors.js';
import type { AmqpFrame } from './frame-decoder.js';
import { methodByName, type AmqpMethod } from './methods/registry.js';

export interface AmqpContent {
  header: ContentHeader;
  body: Buffer;
}

export interface AmqpCommand {
  channel: number;
  method: AmqpMethod;
  /** Present exactly for publish, return, deliver and get-ok. */
  content: AmqpContent | null;
}

export type ChannelFrame = Extract<AmqpFrame, { kind: 'method' | 'header' | 'body' }>;

interface Pending {
  method: AmqpMethod;
  classId: number;
  methodId: number;
  header: ContentHeader | null;
  /** The first body frame, and the rest only if there are more (most bodies fit in one). */
  first: Buffer | null;
  more: Buffer[] | null;
  received: number;
}

export class CommandAssembler {
  private readonly pending = new Map<number, Pending>();

  /** Feeds one frame; returns the command it completes, or null while content is incomplete. */
  accept(frame: ChannelFrame): AmqpCommand | null {
    const { channel } = frame;
    const p = this.pending.get(channel);
    if (p === undefined) {
      if (frame.kind !== 'method') throw unexpected(channel, `${frame.kind} frame without a content method`, 0, 0);
      const d = methodByName(frame.method.method)!;
      if (!d.content) return { channel, method: frame.method, content: null };
      this.pending.set(channel, { method: frame.method, classId: d.classId, methodId: d.methodId, header: null, first: null, more: null, received: 0 });
      return null;
    }
    if (p.header === null) {
      if (frame.kind !== 'header') throw unexpected(channel, `${frame.kind} frame where a content header was expected`, p.classId, p.methodId);
      if (frame.header.classId !== p.classId) {
        throw unexpected(channel, `content header for class ${frame.header.classId} after a class ${p.classId} method`, p.classId, p.methodId);
      }
      p.header = frame.header;
      return frame.header.bodySize === 0 ? this.complete(channel, p, Buffer.alloc(0)) : null;
    }
    if (frame.kind !== 'body') throw unexpected(channel, `${frame.kind} frame where a content body was expected`, p.classId, p.methodId);
    const { bodySize } = p.header;
    p.received += frame.payload.length;
    if (p.received > bodySize) {
      throw new AmqpCodecError('body-overflow', `content body of ${p.received} bytes exceeds the announced ${bodySize}`, { channel, classId: p.classId, methodId: p.methodId });
    }
    if (p.first === null) p.first = frame.payload;
    else (p.more ??= [p.first]).push(frame.payload);
    if (p.received < bodySize) return null;
    return this.complete(channel, p, p.more === null ? p.first : Buffer.concat(p.more, bodySize));
  }

  /** Drops a channel's partial content (the channel closed or errored). */
  reset(channel: number): void {
    this.pending.delete(channel);
  }

  private complete(channel: number, p: Pending, body: Buffer): AmqpCommand {
    this.pending.delete(channel);
    return { channel, method: p.method, content: { header: p.header!, body } };
  }
}

function unexpected(channel: number, what: string, classId: number, methodId: number): AmqpCodecError {
  return new AmqpCodecError('unexpected-frame', what, { channel, classId, methodId });
}
