/**
 * Every failure on the AMQP endpoint becomes one AmqpError: a reply code, the text RabbitMQ
 * would send (`NOT_FOUND - no queue 'q' in vhost '/'`), whether it closes the channel or the
 * connection, and the method that failed. Conditions the core detects arrive as HopperErrors and
 * are mapped through the error catalogue (`mapping.amqp` / `amqpLevel`), never re-decided here;
 * codec failures carry their own code; anything else is a bug and closes the connection with
 * 541 INTERNAL_ERROR.
 */
import { HopperError } from '../../../core/errors.js';
import { AmqpCodecError } from '../codec/errors.js';
import { isHardError, ReplyCode, replyCodeName } from '../codec/reply-codes.js';

export type AmqpErrorLevel = 'channel' | 'connection';

export class AmqpError extends Error {
  constructor(
    readonly replyCode: number,
    message: string,
    readonly level: AmqpErrorLevel = isHardError(replyCode) ? 'connection' : 'channel',
    public classId = 0,
    public methodId = 0,
  ) {
    super(message);
    this.name = 'AmqpError';
  }

  /** reply-text as RabbitMQ writes it, cut to fit a shortstr. */
  get replyText(): string {
    return fitShortstr(`${replyCodeName(this.replyCode)} - ${this.message}`);
  }
}

export const channelError = (code: number, text: string): AmqpError => new AmqpError(code, text, 'channel');
export const connectionError = (code: number, text: string): AmqpError => new AmqpError(code, text, 'connection');
export const preconditionFailed = (text: string): AmqpError => channelError(ReplyCode.PRECONDITION_FAILED, text);

/** True when `e` is not a client's doing (logged by the connection). */
export function isInternal(e: unknown): boolean {
  return !(e instanceof AmqpError || e instanceof AmqpCodecError || e instanceof HopperError) || (e instanceof HopperError && e.code === 'INTERNAL');
}

/** Maps any thrown value onto the close it causes; `at` names the method being handled. */
export function toAmqpError(e: unknown, at?: { classId: number; methodId: number }): AmqpError {
  let out: AmqpError;
  if (e instanceof AmqpError) out = e;
  else if (e instanceof AmqpCodecError) out = new AmqpError(e.replyCode, e.message, e.hard ? 'connection' : 'channel', e.classId, e.methodId);
  else if (e instanceof HopperError) out = new AmqpError(e.mapping.amqp, e.message, e.mapping.amqpLevel);
  else out = new AmqpError(ReplyCode.INTERNAL_ERROR, `internal error: ${e instanceof Error ? e.message : String(e)}`, 'connection');
  if (at && out.classId === 0 && out.methodId === 0) {
    out.classId = at.classId;
    out.methodId = at.methodId;
  }
  return out;
}

/** Cuts `s` to at most 255 bytes of UTF-8 without splitting a character. */
export function fitShortstr(s: string): string {
  if (s.length <= 85 || Buffer.byteLength(s, 'utf8') <= 255) return s;
  let out = s.slice(0, 255);
  while (Buffer.byteLength(out, 'utf8') > 255) out = out.slice(0, -1);
  // A cut between the halves of a surrogate pair would leave a lone surrogate.
  const last = out.charCodeAt(out.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1);
  return out;
}
