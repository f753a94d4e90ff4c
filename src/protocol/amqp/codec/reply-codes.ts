/**
 * AMQP 0-9-1 reply codes (amqp0-9-1.xml, "Reply codes"). Soft errors close a channel, hard
 * errors close the connection; `isHardError` is read off the spec's classes, not guessed.
 */
export const ReplyCode = {
  SUCCESS: 200,
  CONTENT_TOO_LARGE: 311,
  NO_ROUTE: 312,
  NO_CONSUMERS: 313,
  CONNECTION_FORCED: 320,
  INVALID_PATH: 402,
  ACCESS_REFUSED: 403,
  NOT_FOUND: 404,
  RESOURCE_LOCKED: 405,
  PRECONDITION_FAILED: 406,
  FRAME_ERROR: 501,
  SYNTAX_ERROR: 502,
  COMMAND_INVALID: 503,
  CHANNEL_ERROR: 504,
  UNEXPECTED_FRAME: 505,
  RESOURCE_ERROR: 506,
  NOT_ALLOWED: 530,
  NOT_IMPLEMENTED: 540,
  INTERNAL_ERROR: 541,
} as const;

export type ReplyCode = (typeof ReplyCode)[keyof typeof ReplyCode];

const hard: ReadonlySet<number> = new Set([320, 402, 501, 502, 503, 504, 505, 506, 530, 540, 541]);

/** True when the code must close the whole connection (spec class "hard-error"). */
export function isHardError(code: number): boolean {
  return hard.has(code);
}

/** The spec's name for a code, as RabbitMQ prints it in reply-text (`FRAME_ERROR - ...`). */
export function replyCodeName(code: number): string {
  for (const [name, value] of Object.entries(ReplyCode)) if (value === code) return name;
  return `REPLY_${code}`;
}
