/**
 * Caps on what a decoder will allocate for one message. Every length and count is checked
 * against the bytes left in the frame first (so no decode allocates more than a small multiple
 * of the frame it was given), then against these caps, so a 100 MiB frame of zero-length
 * elements cannot become a hundred-million-element array either.
 */
export interface DecodeLimits {
  /** Most elements in any one array. */
  readonly maxArrayLength: number;
  /**
   * Most array elements in one message, nested arrays included: bounds the work one request can
   * make (decoding it, handling each element, encoding an answer per element), so that no
   * request holds the event loop for long. Kafka has no such cap; this one is far above what a
   * client sends to one broker (a Fetch or OffsetCommit of every partition of 100,000).
   */
  readonly maxElements: number;
  /** Most UTF-8 bytes in one string. Kafka's own limit is 32767 for every string encoding. */
  readonly maxStringBytes: number;
  /** Most bytes in one bytes/records field (the frame size bounds it too). */
  readonly maxBytesLength: number;
  /** Most tagged fields in one tagged-field section. */
  readonly maxTaggedFields: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = Object.freeze({
  // A Produce or Fetch touching every partition of a large cluster stays well under this.
  maxArrayLength: 1_000_000,
  maxElements: 100_000,
  maxStringBytes: 0x7fff,
  maxBytesLength: 100 * 1024 * 1024,
  maxTaggedFields: 1024,
});

export function decodeLimits(overrides: Partial<DecodeLimits> = {}): DecodeLimits {
  return Object.freeze({ ...DEFAULT_DECODE_LIMITS, ...overrides });
}
