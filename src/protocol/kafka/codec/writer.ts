/**
 * An encoder target that writes small fields into one growing buffer (doubling, so amortized
 * O(1) per byte) and large buffers by reference: a records field of refMinBytes or more becomes
 * its own chunk instead of being copied, so a Fetch response carrying megabytes of batches
 * costs a few header bytes of copying and is sent with writev over the returned chunk list.
 *
 * Values come from broker code, not from peers, so a value the wire cannot carry (a string over
 * 32767 bytes, an int64 beyond 2^53, a malformed UUID) is a caller bug and throws
 * KafkaCodecError('unencodable') rather than writing something wrong.
 */
import { writeInt64 } from '../../../storage/codec/batch-layout.js';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from '../../../storage/codec/varint.js';
import { KafkaCodecError } from './errors.js';
import { UUID_BYTES } from './reader.js';
import { sizeOfUnsignedVarint, writeUnsignedVarint } from './unsigned-varint.js';

export interface WriterOptions {
  /** First buffer size; it doubles as needed. */
  initialBytes?: number;
  /** Buffers at least this long are kept by reference; shorter ones are copied (cheaper than an iovec). */
  refMinBytes?: number;
  /** Reserve an INT32 at the start that finish() fills with the byte count after it (a frame). */
  sizePrefix?: boolean;
}

const MAX_STRING_BYTES = 0x7fff;

export class Writer {
  private buf: Buffer;
  private pos = 0;
  /** Start of the bytes in buf not yet handed out as a chunk. */
  private segStart = 0;
  private readonly chunks: Buffer[] = [];
  private chunkBytes = 0;
  private readonly refMinBytes: number;
  private readonly sizePrefix: boolean;

  constructor(opts: WriterOptions = {}) {
    this.buf = Buffer.allocUnsafe(Math.max(16, opts.initialBytes ?? 256));
    this.refMinBytes = opts.refMinBytes ?? 1024;
    this.sizePrefix = opts.sizePrefix ?? false;
    if (this.sizePrefix) this.int32(0);
  }

  /** Bytes written so far, size prefix included. */
  get length(): number {
    return this.chunkBytes + this.pos - this.segStart;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const pending = this.pos - this.segStart;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, pending + n));
    this.buf.copy(next, 0, this.segStart, this.pos);
    this.buf = next;
    this.segStart = 0;
    this.pos = pending;
  }

  int8(n: number): void {
    this.ensure(1);
    this.pos = this.buf.writeInt8(n, this.pos);
  }
  bool(b: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = b ? 1 : 0;
  }
  int16(n: number): void {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(n, this.pos);
  }
  uint16(n: number): void {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(n, this.pos);
  }
  int32(n: number): void {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(n, this.pos);
  }
  uint32(n: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(n, this.pos);
  }
  int64(n: number): void {
    if (!Number.isSafeInteger(n)) throw new KafkaCodecError('unencodable', `int64 ${n} is not a safe integer`);
    this.ensure(8);
    writeInt64(this.buf, this.pos, n);
    this.pos += 8;
  }
  float64(n: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(n, this.pos);
  }
  /** A UUID in Kafka's text form (22 characters of base64url). */
  uuid(s: string): void {
    this.ensure(UUID_BYTES);
    const n = s.length === 22 ? this.buf.write(s, this.pos, 'base64url') : 0;
    if (n !== UUID_BYTES) throw new KafkaCodecError('unencodable', `not a UUID: ${JSON.stringify(s)}`);
    this.pos += UUID_BYTES;
  }

  unsignedVarint(n: number): void {
    this.ensure(sizeOfUnsignedVarint(n));
    this.pos = writeUnsignedVarint(this.buf, this.pos, n);
  }
  varint(n: number): void {
    this.ensure(sizeOfVarint(n));
    this.pos = writeVarint(this.buf, this.pos, n);
  }
  varlong(n: number): void {
    this.ensure(sizeOfVarlong(n));
    this.pos = writeVarlong(this.buf, this.pos, n);
  }

  string(s: string): void {
    this.stringWith(s, false);
  }
  nullableString(s: string | null): void {
    if (s === null) this.int16(-1);
    else this.stringWith(s, false);
  }
  compactString(s: string): void {
    this.stringWith(s, true);
  }
  compactNullableString(s: string | null): void {
    if (s === null) this.unsignedVarint(0);
    else this.stringWith(s, true);
  }
  private stringWith(s: string, compact: boolean): void {
    const len = Buffer.byteLength(s, 'utf8');
    if (len > MAX_STRING_BYTES) throw new KafkaCodecError('unencodable', `string of ${len} bytes is over 32767`);
    if (compact) this.unsignedVarint(len + 1);
    else this.int16(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  bytes(b: Uint8Array): void {
    this.int32(b.length);
    this.raw(b);
  }
  nullableBytes(b: Uint8Array | null): void {
    if (b === null) this.int32(-1);
    else this.bytes(b);
  }
  compactBytes(b: Uint8Array): void {
    this.unsignedVarint(b.length + 1);
    this.raw(b);
  }
  compactNullableBytes(b: Uint8Array | null): void {
    if (b === null) this.unsignedVarint(0);
    else this.compactBytes(b);
  }

  /**
   * A records field: one buffer or a list of record batches sent back to back (as read from
   * several log segments), each kept by reference when large. null encodes as length -1.
   */
  records(r: Buffer | readonly Buffer[] | null, compact: boolean): void {
    if (r === null) {
      if (compact) this.unsignedVarint(0);
      else this.int32(-1);
      return;
    }
    const parts: readonly Buffer[] = Buffer.isBuffer(r) ? [r] : r;
    let len = 0;
    for (const p of parts) len += p.length;
    if (compact) this.unsignedVarint(len + 1);
    else this.int32(len);
    for (const p of parts) this.ref(p);
  }

  arrayLength(n: number | null): void {
    this.int32(n === null ? -1 : n);
  }
  compactArrayLength(n: number | null): void {
    this.unsignedVarint(n === null ? 0 : n + 1);
  }

  /** Copies b in. */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Appends b by reference when it is at least refMinBytes long, else copies it. */
  ref(b: Buffer): void {
    if (b.length < this.refMinBytes) return this.raw(b);
    this.flushSegment();
    this.chunks.push(b);
    this.chunkBytes += b.length;
  }

  private flushSegment(): void {
    if (this.pos === this.segStart) return;
    this.chunks.push(this.buf.subarray(this.segStart, this.pos));
    this.chunkBytes += this.pos - this.segStart;
    this.segStart = this.pos;
  }

  /** The encoded bytes as chunks for writev; the writer must not be used afterwards. */
  finish(): Buffer[] {
    this.flushSegment();
    if (this.sizePrefix) {
      // The prefix is the first 4 bytes of the first chunk: the first segment starts at 0 and
      // always holds it, since nothing can be flushed before the prefix is written.
      this.chunks[0]!.writeInt32BE(this.chunkBytes - 4, 0);
    }
    return this.chunks;
  }

  /** The encoded bytes in one buffer (copies when there is more than one chunk). */
  finishBuffer(): Buffer {
    const chunks = this.finish();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.chunkBytes);
  }
}
