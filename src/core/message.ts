/**
 * The protocol-neutral message. Every protocol maps its own message onto this shape, and the
 * storage layer encodes it as one record of a Kafka RecordBatch v2 (see
 * src/storage/codec/message-codec.ts and docs/message-model.md for the exact mapping).
 */

/**
 * The width an integer had in an AMQP field table (b B s u I i l), kept so that it goes back
 * out with the same type letter. Absent: no particular width (SQS, the broker's own values).
 */
export type IntWidth = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64';

/** A typed value as AMQP field tables and SQS message attributes carry them. */
export type TypedValue =
  | { type: 'string'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'int'; value: number; width?: IntWidth } // integers up to 2^53
  | { type: 'long'; value: bigint } // 64-bit integers outside the safe range (AMQP l)
  | { type: 'float'; value: number; single?: boolean } // AMQP d, or f (32-bit) when single
  | { type: 'decimal'; scale: number; value: number } // AMQP D
  | { type: 'number'; value: string } // SQS "Number" (kept as its decimal text)
  | { type: 'timestamp'; value: number | bigint } // seconds since epoch, uint64 (AMQP T); a bigint above 2^53
  | { type: 'bytes'; value: Buffer }
  | { type: 'void' }
  | { type: 'array'; value: TypedValue[] }
  | { type: 'table'; value: Record<string, TypedValue> };

/** A Kafka record header: a name and raw bytes (or null). */
export interface Header {
  readonly key: string;
  readonly value: Buffer | null;
}

/** The AMQP basic properties and SQS system attributes that Kafka has no field for. */
export interface MessageProperties {
  contentType?: string;
  contentEncoding?: string;
  correlationId?: string;
  replyTo?: string;
  /** Per-message time to live in ms (AMQP `expiration`, which is a decimal string on the wire). */
  expirationMs?: number;
  messageId?: string;
  /** 0..255; queues clamp it to their configured maximum. */
  priority?: number;
  type?: string;
  userId?: string;
  appId?: string;
  /** AMQP delivery-mode: 1 transient, 2 persistent. */
  deliveryMode?: number;
  /** SQS FIFO MessageGroupId; also usable from AMQP via the `x-group-id` header. */
  groupId?: string;
  /** SQS FIFO MessageDeduplicationId. */
  deduplicationId?: string;
  /** The exchange the message was published to ('' for the default exchange). */
  exchange?: string;
  /** The routing key it was published with (AMQP delivers both back to the consumer). */
  routingKey?: string;
  /**
   * The AMQP `timestamp` property (seconds, uint64) in decimal, only when it is no time that
   * `timestamp` can hold (beyond year 275760, e.g. a nanosecond count): delivered back as sent.
   */
  amqpTimestamp?: string;
  /** Typed application attributes: AMQP headers table, SQS message attributes. */
  attributes?: Record<string, TypedValue>;
}

export interface Message {
  key: Buffer | null;
  value: Buffer | null;
  /** Plain Kafka-style headers, in order. */
  headers: Header[];
  /** Creation time, ms since epoch. */
  timestamp: number;
  properties: MessageProperties;
}

export function makeMessage(value: Buffer | string | null, init: Partial<Message> = {}): Message {
  return {
    key: init.key ?? null,
    value: typeof value === 'string' ? Buffer.from(value) : value,
    headers: init.headers ?? [],
    timestamp: init.timestamp ?? Date.now(),
    properties: init.properties ?? {},
  };
}

/** Bytes a message counts for in size limits and byte-based max-length/prefetch. */
export function messageSize(m: Message): number {
  return (m.value?.length ?? 0) + (m.key?.length ?? 0);
}
