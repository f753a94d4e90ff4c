/**
 * The one error catalogue. Every failure a client can cause or observe has a stable code here,
 * with its mapping to each protocol, so that the AMQP, Kafka and SQS endpoints report the same
 * condition the same way. Protocol layers translate a HopperError with `protocolError(code)`;
 * they never invent their own codes for conditions that the core detects.
 *
 * Invariant violations inside the broker are not HopperErrors: they are `assert` failures.
 */

export type AmqpLevel = 'channel' | 'connection';

export interface ErrorMapping {
  /** Kafka protocol error code (see the Kafka protocol guide's error table). */
  readonly kafka: number;
  /** AMQP 0-9-1 reply code and whether it closes the channel or the whole connection. */
  readonly amqp: number;
  readonly amqpLevel: AmqpLevel;
  /** SQS error name (JSON `__type` suffix / query `Code`) and HTTP status. */
  readonly sqs: string;
  readonly httpStatus: number;
}

export const errorCatalogue = {
  // Names and objects
  INVALID_NAME: { kafka: 17, amqp: 406, amqpLevel: 'channel', sqs: 'InvalidParameterValue', httpStatus: 400 },
  NOT_FOUND: { kafka: 3, amqp: 404, amqpLevel: 'channel', sqs: 'AWS.SimpleQueueService.NonExistentQueue', httpStatus: 404 },
  VHOST_NOT_FOUND: { kafka: 3, amqp: 530, amqpLevel: 'connection', sqs: 'AWS.SimpleQueueService.NonExistentQueue', httpStatus: 404 },
  ALREADY_EXISTS: { kafka: 36, amqp: 406, amqpLevel: 'channel', sqs: 'QueueAlreadyExists', httpStatus: 409 },
  /** Redeclaration of an existing object with different settings. */
  INEQUIVALENT: { kafka: 36, amqp: 406, amqpLevel: 'channel', sqs: 'QueueAlreadyExists', httpStatus: 409 },
  IN_USE: { kafka: 107, amqp: 406, amqpLevel: 'channel', sqs: 'ResourceInUse', httpStatus: 409 },
  NOT_EMPTY: { kafka: 107, amqp: 406, amqpLevel: 'channel', sqs: 'ResourceInUse', httpStatus: 409 },
  /** Exclusive queue owned by another connection. */
  RESOURCE_LOCKED: { kafka: 107, amqp: 405, amqpLevel: 'channel', sqs: 'ResourceInUse', httpStatus: 409 },
  INVALID_ARGUMENT: { kafka: 42, amqp: 406, amqpLevel: 'channel', sqs: 'InvalidParameterValue', httpStatus: 400 },
  /** A Kafka-style config (topic or broker) with an unknown name or a bad value. */
  INVALID_CONFIG: { kafka: 40, amqp: 406, amqpLevel: 'channel', sqs: 'InvalidAttributeValue', httpStatus: 400 },
  /** Exchange → exchange/queue binding to an internal exchange from a publisher, and the like. */
  NOT_ALLOWED: { kafka: 42, amqp: 403, amqpLevel: 'channel', sqs: 'InvalidParameterValue', httpStatus: 400 },

  // Messages
  MESSAGE_TOO_LARGE: { kafka: 10, amqp: 406, amqpLevel: 'channel', sqs: 'InvalidParameterValue', httpStatus: 400 },
  CORRUPT_MESSAGE: { kafka: 2, amqp: 502, amqpLevel: 'connection', sqs: 'InvalidParameterValue', httpStatus: 400 },
  /** Queue at max length with overflow reject-publish. */
  QUEUE_FULL: { kafka: 89, amqp: 406, amqpLevel: 'channel', sqs: 'OverLimit', httpStatus: 403 },
  /** A delivery tag or receipt handle that is unknown or already settled. */
  UNKNOWN_DELIVERY: { kafka: 42, amqp: 406, amqpLevel: 'channel', sqs: 'ReceiptHandleIsInvalid', httpStatus: 400 },
  /** A receipt handle whose lease has expired (SQS ChangeMessageVisibility on a visible message). */
  LEASE_EXPIRED: { kafka: 42, amqp: 406, amqpLevel: 'channel', sqs: 'MessageNotInflight', httpStatus: 400 },
  OFFSET_OUT_OF_RANGE: { kafka: 1, amqp: 406, amqpLevel: 'channel', sqs: 'InvalidParameterValue', httpStatus: 416 },
  TOO_MANY_IN_FLIGHT: { kafka: 42, amqp: 406, amqpLevel: 'channel', sqs: 'OverLimit', httpStatus: 403 },

  // Access
  AUTHENTICATION_FAILED: { kafka: 58, amqp: 403, amqpLevel: 'connection', sqs: 'InvalidClientTokenId', httpStatus: 403 },
  ACCESS_REFUSED: { kafka: 29, amqp: 403, amqpLevel: 'channel', sqs: 'AccessDenied', httpStatus: 403 },
  /** No permissions at all on the vhost: RabbitMQ closes the connection with 530 NOT_ALLOWED. */
  VHOST_ACCESS_REFUSED: { kafka: 31, amqp: 530, amqpLevel: 'connection', sqs: 'AccessDenied', httpStatus: 403 },

  // Storage and resources
  STORAGE_FAILED: { kafka: 56, amqp: 541, amqpLevel: 'connection', sqs: 'InternalError', httpStatus: 500 },
  RESOURCE_LIMIT: { kafka: 89, amqp: 406, amqpLevel: 'channel', sqs: 'OverLimit', httpStatus: 403 },
  CLOSED: { kafka: 6, amqp: 320, amqpLevel: 'connection', sqs: 'ServiceUnavailable', httpStatus: 503 },
  /** Another broker process holds the data directory (never reaches a client: start-up fails). */
  DATA_DIR_IN_USE: { kafka: -1, amqp: 541, amqpLevel: 'connection', sqs: 'InternalError', httpStatus: 503 },
  INTERNAL: { kafka: -1, amqp: 541, amqpLevel: 'connection', sqs: 'InternalError', httpStatus: 500 },
} as const satisfies Record<string, ErrorMapping>;

export type ErrorCode = keyof typeof errorCatalogue;

export class HopperError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HopperError';
    this.code = code;
  }
  get mapping(): ErrorMapping {
    return errorCatalogue[this.code];
  }
}

export function isHopperError(e: unknown, code?: ErrorCode): e is HopperError {
  return e instanceof HopperError && (code === undefined || e.code === code);
}

/** Invariant check: a failure is a bug in Hopper, never a client's fault. */
export function assert(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(`invariant violated: ${what}`);
}
