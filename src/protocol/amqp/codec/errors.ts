/**
 * The one error the AMQP codec raises for hostile or malformed input. Each reason maps to the
 * reply code the connection (or channel) must be closed with, so the session layer turns any
 * codec failure into `connection.close` / `channel.close` without inspecting messages.
 *
 * Anything else thrown out of the codec (RangeError, TypeError) is a bug in Hopper: the fuzz
 * tests assert that hostile bytes only ever produce an AmqpCodecError.
 */
import { isHardError, ReplyCode } from './reply-codes.js';

export const codecErrorReplyCodes = {
  /** The first 8 octets are not `AMQP\0\0\9\1`: answer with our header and close the socket. */
  'protocol-header': ReplyCode.FRAME_ERROR,
  'frame-type': ReplyCode.FRAME_ERROR,
  'frame-size': ReplyCode.FRAME_ERROR,
  'frame-end': ReplyCode.FRAME_ERROR,
  /** Heartbeat on a channel other than 0 or with a payload (spec 4.2.7: 501). */
  heartbeat: ReplyCode.FRAME_ERROR,
  /** More body bytes than the content header announced. */
  'body-overflow': ReplyCode.FRAME_ERROR,
  /** A method or content header whose fields do not parse (bad length, value, trailing bytes). */
  syntax: ReplyCode.SYNTAX_ERROR,
  'unexpected-frame': ReplyCode.UNEXPECTED_FRAME,
  'unknown-method': ReplyCode.NOT_IMPLEMENTED,
  /** Body size above the configured cap: RabbitMQ closes the channel with 406. */
  'message-too-large': ReplyCode.PRECONDITION_FAILED,
} as const;

export type CodecErrorReason = keyof typeof codecErrorReplyCodes;

export interface CodecErrorContext {
  channel?: number;
  /** The method being decoded, for connection.close's class-id / method-id fields. */
  classId?: number;
  methodId?: number;
}

export class AmqpCodecError extends Error {
  readonly reason: CodecErrorReason;
  readonly replyCode: ReplyCode;
  readonly channel: number;
  readonly classId: number;
  readonly methodId: number;

  constructor(reason: CodecErrorReason, message: string, ctx: CodecErrorContext = {}) {
    super(message);
    this.name = 'AmqpCodecError';
    this.reason = reason;
    this.replyCode = codecErrorReplyCodes[reason];
    this.channel = ctx.channel ?? 0;
    this.classId = ctx.classId ?? 0;
    this.methodId = ctx.methodId ?? 0;
  }

  /** True when the connection must close; otherwise only `channel` closes. */
  get hard(): boolean {
    return isHardError(this.replyCode);
  }
}

export function isCodecError(e: unknown, reason?: CodecErrorReason): e is AmqpCodecError {
  return e instanceof AmqpCodecError && (reason === undefined || e.reason === reason);
}
