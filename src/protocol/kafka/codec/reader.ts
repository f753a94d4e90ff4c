/**
 * A bounds-checked cursor over one frame (or one length-delimited part of it). Every read checks
 * the bytes left first; every length or count is checked against the bytes left and the
 * DecodeLimits before anything is allocated, so hostile input ends in a KafkaCodecError and
 * never in a RangeError or a peer-sized allocation (the KAFKA-14063 class of bug, where an
 * array count of 2^31 made the broker allocate before reading a single element).
 *
 * Strings are decoded from UTF-8 leniently (invalid sequences become U+FFFD), as Java does.
 * bytes/records are returned as views into the frame, not copies: they stay valid for as long
 * as the frame buffer is not reused, which the framer guarantees (each frame is its own buffer).
 */
import { isHopperError } from '../../../core/errors.js';
import { readInt64 } from '../../../storage/codec/batch-layout.js';
import { readVarint, readVarlong } from '../../../storage/codec/varint.js';
import { KafkaCodecError } from './errors.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './limits.js';
import { readUnsignedVarint } from './unsigned-varint.js';

export const UUID_BYTES = 16;

/** What is left of a message's DecodeLimits.maxElements, shared by the readers of its parts. */
interface ElementBudget {
  left: number;
}

export class Reader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;
  readonly limits: DecodeLimits;
  private readonly elements: ElementBudget;

  constructor(buf: Buffer, start = 0, end = buf.length, limits: DecodeLimits = DEFAULT_DECODE_LIMITS, elements?: ElementBudget) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.limits = limits;
    this.elements = elements ?? { left: limits.maxElements };
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Claims n bytes and returns where they start. */
  private take(n: number, what: string): number {
    if (n > this.end - this.pos) {
      throw new KafkaCodecError('truncated', `${what} needs ${n} bytes, ${this.end - this.pos} left`, this.pos);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1, 'int8'));
  }
  bool(): boolean {
    return this.buf[this.take(1, 'bool')] !== 0; // Java reads any non-zero byte as true
  }
  int16(): number {
    return this.buf.readInt16BE(this.take(2, 'int16'));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.take(2, 'uint16'));
  }
  int32(): number {
    return this.buf.readInt32BE(this.take(4, 'int32'));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.take(4, 'uint32'));
  }
  /** int64 as a number: values beyond ±(2^53-1) cannot be exact and are rejected as malformed. */
  int64(): number {
    const at = this.take(8, 'int64');
    const n = readInt64(this.buf, at);
    if (!Number.isSafeInteger(n)) throw new KafkaCodecError('malformed', 'int64 outside the safe integer range', at);
    return n;
  }
  float64(): number {
    return this.buf.readDoubleBE(this.take(8, 'float64'));
  }
  /** A UUID in Kafka's text form: 22 characters of unpadded base64url, as Uuid.toString() prints. */
  uuid(): string {
    const at = this.take(UUID_BYTES, 'uuid');
    return this.buf.toString('base64url', at, at + UUID_BYTES);
  }

  unsignedVarint(): number {
    return readUnsignedVarint(this.buf, this, this.end);
  }
  /** Zigzag varint (int32), via the storage codec. */
  varint(): number {
    return this.zigzag(false);
  }
  /** Zigzag varlong (safe integer), via the storage codec. */
  varlong(): number {
    return this.zigzag(true);
  }
  private zigzag(long: boolean): number {
    const at = this.pos;
    try {
      return long ? readVarlong(this.buf, at, this, this.end) : readVarint(this.buf, at, this, this.end);
    } catch (e) {
      if (!isHopperError(e)) throw e;
      // Truncated if every byte up to the end had its continuation bit set; else over-long.
      let p = at;
      while (p < this.end && this.buf[p]! >= 0x80) p++;
      throw new KafkaCodecError(p >= this.end ? 'truncated' : 'malformed', e.message, at);
    }
  }

  // Strings: INT16 length (-1 = null) or COMPACT: UNSIGNED_VARINT length+1 (0 = null).
  string(): string {
    const s = this.nullableString();
    if (s === null) throw new KafkaCodecError('malformed', 'null in a non-nullable string', this.pos - 2);
    return s;
  }
  nullableString(): string | null {
    return this.stringOfLength(this.int16(), 2);
  }
  compactString(): string {
    const start = this.pos;
    const s = this.compactNullableString();
    if (s === null) throw new KafkaCodecError('malformed', 'null in a non-nullable compact string', start);
    return s;
  }
  compactNullableString(): string | null {
    return this.stringOfLength(this.unsignedVarint() - 1, 1);
  }
  private stringOfLength(len: number, prefixBytes: number): string | null {
    if (len === -1) return null;
    if (len < -1) throw new KafkaCodecError('malformed', `string length ${len}`, this.pos - prefixBytes);
    if (len > this.limits.maxStringBytes) {
      throw new KafkaCodecError('limit', `string of ${len} bytes is over the limit of ${this.limits.maxStringBytes}`, this.pos);
    }
    const at = this.take(len, 'string');
    return this.buf.toString('utf8', at, at + len);
  }

  // Bytes: INT32 length (-1 = null) or COMPACT: UNSIGNED_VARINT length+1 (0 = null). Views, not copies.
  bytes(): Buffer {
    const b = this.nullableBytes();
    if (b === null) throw new KafkaCodecError('malformed', 'null in non-nullable bytes', this.pos - 4);
    return b;
  }
  nullableBytes(): Buffer | null {
    return this.bytesOfLength(this.int32(), 4);
  }
  compactBytes(): Buffer {
    const start = this.pos;
    const b = this.compactNullableBytes();
    if (b === null) throw new KafkaCodecError('malformed', 'null in non-nullable compact bytes', start);
    return b;
  }
  compactNullableBytes(): Buffer | null {
    return this.bytesOfLength(this.unsignedVarint() - 1, 1);
  }
  private bytesOfLength(len: number, prefixBytes: number): Buffer | null {
    if (len === -1) return null;
    if (len < -1) throw new KafkaCodecError('malformed', `bytes length ${len}`, this.pos - prefixBytes);
    if (len > this.limits.maxBytesLength) {
      throw new KafkaCodecError('limit', `${len} bytes is over the limit of ${this.limits.maxBytesLength}`, this.pos);
    }
    const at = this.take(len, 'bytes');
    return this.buf.subarray(at, at + len);
  }

  /**
   * An array count (INT32, -1 = null), checked before the caller allocates: it cannot exceed
   * the bytes left divided by the smallest encoding of one element, nor maxArrayLength.
   * minElementBytes may be 0 only for elements that can encode to nothing; then only the cap holds.
   */
  arrayLength(minElementBytes: number): number | null {
    return this.checkCount(this.int32(), minElementBytes, 4);
  }
  /** A compact array count (UNSIGNED_VARINT count+1, 0 = null), checked like arrayLength. */
  compactArrayLength(minElementBytes: number): number | null {
    const start = this.pos;
    const n = this.unsignedVarint() - 1;
    return this.checkCount(n, minElementBytes, this.pos - start);
  }
  private checkCount(n: number, minElementBytes: number, prefixBytes: number): number | null {
    if (n === -1) return null;
    if (n < -1) throw new KafkaCodecError('malformed', `array length ${n}`, this.pos - prefixBytes);
    if (n > this.limits.maxArrayLength) {
      throw new KafkaCodecError('limit', `array of ${n} elements is over the limit of ${this.limits.maxArrayLength}`, this.pos);
    }
    if (n * minElementBytes > this.end - this.pos) {
      throw new KafkaCodecError('limit', `array of ${n} elements cannot fit in ${this.end - this.pos} bytes`, this.pos);
    }
    if (n > this.elements.left) {
      throw new KafkaCodecError('limit', `array of ${n} elements is over the ${this.limits.maxElements} elements one message may hold`, this.pos);
    }
    this.elements.left -= n;
    return n;
  }

  /**
   * A tagged-field section: UNSIGNED_VARINT count, then per field UNSIGNED_VARINT tag,
   * UNSIGNED_VARINT size and size bytes. Tags must strictly increase (Java rejects repeats and
   * disorder too). onField gets a Reader confined to the field's bytes and must consume all of
   * them; it returns false for a tag it does not know, which is then skipped, as the protocol
   * requires of unknown tags.
   */
  taggedFields(onField: (tag: number, field: Reader) => boolean): void {
    const start = this.pos;
    const count = this.unsignedVarint();
    // Each tagged field takes at least 2 bytes (tag and size).
    if (count > this.limits.maxTaggedFields || count * 2 > this.end - this.pos) {
      throw new KafkaCodecError('limit', `${count} tagged fields`, start);
    }
    let last = -1;
    for (let i = 0; i < count; i++) {
      const tagAt = this.pos;
      const tag = this.unsignedVarint();
      if (tag <= last) throw new KafkaCodecError('malformed', `tag ${tag} after tag ${last}`, tagAt);
      last = tag;
      const size = this.unsignedVarint();
      const at = this.take(size, `tagged field ${tag}`);
      const field = new Reader(this.buf, at, at + size, this.limits, this.elements);
      if (onField(tag, field) && field.pos !== field.end) {
        throw new KafkaCodecError('malformed', `tagged field ${tag} has ${field.end - field.pos} bytes left over`, field.pos);
      }
    }
  }

  /** Consumes an empty tagged-field section (the common case) and says so; else reads nothing. */
  emptyTaggedFields(): boolean {
    if (this.pos < this.end && this.buf[this.pos] === 0) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** Throws unless every byte was consumed. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) {
      throw new KafkaCodecError('trailing_bytes', `${this.end - this.pos} bytes after the end of ${what}`, this.pos);
    }
  }
}
