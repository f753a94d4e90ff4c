/**
 * Minimal growable big-endian writer and bounds-checked reader for the queue's own binary
 * records (checkpoints). Readers throw on a short buffer: checkpoints are CRC-protected by the
 * log, so a short read is a bug or a version mismatch, never silently accepted.
 */

export class BinaryWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 4096) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const b = Buffer.allocUnsafe(cap);
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }
  i32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }
  f64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }
  str(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    this.u32(n);
    this.ensure(n);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
    return this;
  }
  /** Writes a u32 placeholder and returns a function that fills it in later (counts). */
  u32Later(): (v: number) => void {
    const at = this.pos;
    this.u32(0);
    return (v) => void this.buf.writeUInt32BE(v, at);
  }
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class BinaryReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error(`binary record truncated at byte ${this.pos} (need ${n})`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
  str(): string {
    const n = this.u32();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
}
