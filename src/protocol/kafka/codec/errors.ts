/**
 * The one error type of the Kafka codec. Every malformed, truncated or oversized input becomes a
 * KafkaCodecError, never a RangeError from Buffer or an allocation sized by the peer, so the
 * connection handler has exactly one thing to catch.
 *
 * What the handler does with it (Kafka's own broker behaves the same way):
 * - `bad_frame_size` and any error in a request header: close the connection, since framing
 *   or the correlation id cannot be trusted any more;
 * - an error in a request body whose header parsed: the broker may answer INVALID_REQUEST (42)
 *   (`kafkaErrorCode`), but closing is always correct, and it is what Kafka does.
 * Record batches stay opaque bytes here; their corruption (CORRUPT_MESSAGE) is found by the
 * storage codec's checkBatch, not by this layer.
 */
import { KafkaError } from './error-codes.js';

export type KafkaCodecErrorReason =
  /** A read ran past the end of the frame or of a length-delimited section. */
  | 'truncated'
  /** A length or count exceeded a configured cap (DecodeLimits) or the bytes that could hold it. */
  | 'limit'
  /** Bytes that no valid encoding produces: bad lengths, over-long varints, tags out of order. */
  | 'malformed'
  /** Bytes left over after the last field of a message. */
  | 'trailing_bytes'
  /** A frame's size prefix is negative, below a header's size or above maxRequestBytes. */
  | 'bad_frame_size'
  /** A value handed to an encoder that the wire format cannot carry (a bug in the caller). */
  | 'unencodable';

export class KafkaCodecError extends Error {
  readonly reason: KafkaCodecErrorReason;
  /** Byte offset in the buffer being decoded where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(reason: KafkaCodecErrorReason, message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
    this.name = 'KafkaCodecError';
    this.reason = reason;
    this.offset = offset;
  }

  /** The error code for an answer, if the handler answers rather than closes. */
  get kafkaErrorCode(): number {
    return KafkaError.INVALID_REQUEST;
  }
}

export function isKafkaCodecError(e: unknown): e is KafkaCodecError {
  return e instanceof KafkaCodecError;
}
