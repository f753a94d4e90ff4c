/**
 * A bounds-checked cursor over one frame payload. Every read checks the bytes left first, so
 * a hostile length prefix becomes a SYNTAX_ERROR, never a RangeError or an over-read into the
 * next frame. `end` is the payload's end, not the buffer's: payloads are views into larger
 * socket chunks.
 */
import { AmqpCodecError, type CodecErrorContext } from './errors.js';

const TWO_POW_32 = 0x1_0000_0000;
/** A uint64 whose high word is at or above this exceeds Number.MAX_SAFE_INTEGER. */
const SAFE_HIGH_LIMIT = 0x20_0000;

export class Reader {
  buf: Buffer;
  pos: number;
  end: number;
  ctx: CodecErrorContext;

  constructor(buf: Buffer, pos: number, end: number, ctx: CodecErrorContext = {}) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.ctx = ctx;
  }

  get left(): number {
    return this.end - this.pos;
  }

  fail(what: string): never {
    throw new AmqpCodecError('syntax', what, this.ctx);
  }

  need(n: number, what: string): void {
    if (this.end - this.pos < n) this.fail(`${what}: needs ${n} bytes, ${this.end - this.pos} left`);
  }

  u8(what = 'octet'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what = 'short'): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what = 'long'): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A uint64 as a number; above 2^53 it cannot be a number exactly, so it is rejected. */
  u64(what = 'longlong'): number {
    this.need(8, what);
    const hi = this.buf.readUInt32BE(this.pos);
    if (hi >= SAFE_HIGH_LIMIT) this.fail(`${what}: ${this.buf.readBigUInt64BE(this.pos)} exceeds 2^53`);
    const v = hi * TWO_POW_32 + this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return v;
  }

  /** A uint64 as a number up to 2^53, as a bigint beyond (a timestamp may be any uint64). */
  u64OrBig(what = 'longlong'): number | bigint {
    this.need(8, what);
    const hi = this.buf.readUInt32BE(this.pos);
    const v: number | bigint = hi >= SAFE_HIGH_LIMIT ? this.buf.readBigUInt64BE(this.pos) : hi * TWO_POW_32 + this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return v;
  }

  /** Returns the end of a `size`-byte region starting here, after checking it fits. */
  region(size: number, what: string): number {
    this.need(size, what);
    return this.pos + size;
  }

  shortstr(what = 'shortstr'): string {
    const len = this.u8(what);
    this.need(len, what);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  longstrString(what = 'longstr'): string {
    const len = this.u32(what);
    this.need(len, what);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  /** A longstr as bytes. Copied: decoded values outlive the socket chunk they came in. */
  longstrBytes(what = 'longstr'): Buffer {
    const len = this.u32(what);
    this.need(len, what);
    const out = copyBytes(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** Rejects trailing bytes: a payload longer than its fields is malformed, not padding. */
  done(what: string): void {
    if (this.pos !== this.end) this.fail(`${what}: ${this.end - this.pos} trailing bytes`);
  }
}

/** One allocation of exactly the bytes copied (kept explicit so tests can watch allocations). */
export function copyBytes(src: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  src.copy(out, 0, start, end);
  return out;
}
