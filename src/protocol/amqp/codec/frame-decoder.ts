/**
 * Incremental, sans-IO frame decoder: push socket chunks of any size, pull typed frames.
 *
 * - A frame's size is checked against frame-max as soon as its 7-octet header is in, before
 *   any of its payload is buffered; its type and heartbeat rules too.
 * - Memory it owns is bounded: at most one frame of frame-max bytes plus a 7-octet header.
 *   `push` may only be called once `next` has returned null (the caller drains each chunk),
 *   so complete frames are never queued.
 * - A frame that lies whole inside one chunk is returned as a view of that chunk (no copy);
 *   only frames split across chunks are copied, once, into a buffer of exactly their size.
 *   Views stay valid as long as the caller does not reuse the chunk's memory.
 * - Framing errors (501) are fatal: the stream can no longer be trusted, and every later call
 *   throws the same error. Payload errors (502, 505, 540, 406) leave the decoder at the next
 *   frame, so a session can close one channel and go on reading.
 */
import { assert, HopperError } from '../../../core/errors.js';
import { type ContentHeader, type ContentHeaderLimits, decodeContentHeader, defaultContentHeaderLimits } from './content-header.js';
import { AmqpCodecError } from './errors.js';
import {
  FRAME_END,
  FRAME_HEADER_BYTES,
  FRAME_MAX_SIZE_LIMIT,
  FRAME_MIN_SIZE,
  FRAME_OVERHEAD_BYTES,
  FrameField,
  FrameType,
  isKnownFrameType,
  PRE_TUNE_FRAME_MAX_BYTES,
  PROTOCOL_HEADER,
  PROTOCOL_HEADER_BYTES,
} from './frame.js';
import { decodeMethod } from './method-codec.js';
import type { AmqpMethod } from './methods/registry.js';
import { ReplyCode } from './reply-codes.js';

export type AmqpFrame =
  | { kind: 'protocol-header' }
  | { kind: 'method'; channel: number; method: AmqpMethod }
  | { kind: 'header'; channel: number; header: ContentHeader }
  | { kind: 'body'; channel: number; payload: Buffer }
  | { kind: 'heartbeat'; channel: 0 };

export interface FrameDecoderOptions {
  /** Frame limit until `setFrameMax`; PRE_TUNE_FRAME_MAX_BYTES (8192) unless told otherwise. */
  preTuneFrameMaxBytes?: number;
  /** Server side: the stream starts with `AMQP\0\0\9\1`, reported as a 'protocol-header' frame. */
  expectProtocolHeader?: boolean;
  /** Field-table caps and the message size cap applied to content headers. */
  limits?: Partial<ContentHeaderLimits>;
}

const EMPTY = Buffer.alloc(0);
const HEARTBEAT: AmqpFrame = Object.freeze({ kind: 'heartbeat', channel: 0 });
const PROTOCOL_HEADER_FRAME: AmqpFrame = Object.freeze({ kind: 'protocol-header' });

export class FrameDecoder {
  private frameMaxBytes: number;
  private readonly limits: ContentHeaderLimits;
  private chunk: Buffer = EMPTY;
  private pos = 0;
  /** Octets of the protocol header matched so far; -1 once it has been seen or is not expected. */
  private protocolLen: number;
  private readonly head = Buffer.alloc(FRAME_HEADER_BYTES);
  private headLen = 0;
  /** The frame being assembled across chunks, allocated at its exact size. */
  private partial: Buffer | null = null;
  private partialLen = 0;
  private failed: AmqpCodecError | null = null;
  // The frame just completed: buffer, offset of its header, and its header fields.
  private fBuf: Buffer = EMPTY;
  private fStart = 0;
  private fType = 0;
  private fChannel = 0;
  private fSize = 0;

  constructor(options: FrameDecoderOptions = {}) {
    this.frameMaxBytes = checkFrameMax(options.preTuneFrameMaxBytes ?? PRE_TUNE_FRAME_MAX_BYTES);
    this.limits = { ...defaultContentHeaderLimits, ...options.limits };
    this.protocolLen = options.expectProtocolHeader ? 0 : -1;
  }

  /** Applies the frame-max negotiated by tune / tune-ok (the whole frame, header included). */
  setFrameMax(frameMaxBytes: number): void {
    this.frameMaxBytes = checkFrameMax(frameMaxBytes);
  }

  get frameMax(): number {
    return this.frameMaxBytes;
  }

  /** Bytes the decoder itself has allocated for a split frame: never more than frame-max. */
  get bufferedBytes(): number {
    return this.headLen + (this.partial === null ? 0 : this.partial.length);
  }

  push(chunk: Buffer): void {
    if (this.failed !== null) throw this.failed;
    assert(this.pos >= this.chunk.length, 'FrameDecoder.push before next() drained the previous chunk');
    this.chunk = chunk;
    this.pos = 0;
  }

  /** The next complete frame, or null when more bytes are needed. Throws AmqpCodecError. */
  next(): AmqpFrame | null {
    if (this.failed !== null) throw this.failed;
    try {
      if (this.protocolLen >= 0) return this.readProtocolHeader();
      if (this.readFrame()) return this.decodePayload();
      this.chunk = EMPTY; // drained: do not keep the caller's chunk alive
      this.pos = 0;
      return null;
    } catch (e) {
      if (e instanceof AmqpCodecError && e.replyCode === ReplyCode.FRAME_ERROR) this.failed = e;
      throw e;
    }
  }

  private readProtocolHeader(): AmqpFrame | null {
    const { chunk } = this;
    while (this.pos < chunk.length && this.protocolLen < PROTOCOL_HEADER_BYTES) {
      const b = chunk[this.pos++]!;
      if (b !== PROTOCOL_HEADER[this.protocolLen]) {
        const seen = Buffer.concat([PROTOCOL_HEADER.subarray(0, this.protocolLen), Buffer.of(b)]);
        throw new AmqpCodecError('protocol-header', `bad protocol header ${JSON.stringify(seen.toString('latin1'))}: expected AMQP 0-9-1`);
      }
      this.protocolLen++;
    }
    if (this.protocolLen < PROTOCOL_HEADER_BYTES) return null;
    this.protocolLen = -1;
    return PROTOCOL_HEADER_FRAME;
  }

  /** Completes one frame into the f* fields; false when more bytes are needed. */
  private readFrame(): boolean {
    const { chunk } = this;
    if (this.partial !== null) {
      const n = Math.min(this.partial.length - this.partialLen, chunk.length - this.pos);
      chunk.copy(this.partial, this.partialLen, this.pos, this.pos + n);
      this.partialLen += n;
      this.pos += n;
      if (this.partialLen < this.partial.length) return false;
      this.fBuf = this.partial;
      this.fStart = 0;
      this.partial = null;
      this.partialLen = 0;
      return this.checkEnd();
    }
    if (this.headLen > 0) {
      const n = Math.min(FRAME_HEADER_BYTES - this.headLen, chunk.length - this.pos);
      chunk.copy(this.head, this.headLen, this.pos, this.pos + n);
      this.headLen += n;
      this.pos += n;
      if (this.headLen < FRAME_HEADER_BYTES) return false;
      this.headLen = 0;
      this.readHeader(this.head, 0);
      this.partial = Buffer.allocUnsafe(this.fSize + FRAME_OVERHEAD_BYTES);
      this.head.copy(this.partial, 0);
      this.partialLen = FRAME_HEADER_BYTES;
      return this.readFrame();
    }
    const avail = chunk.length - this.pos;
    if (avail < FRAME_HEADER_BYTES) {
      chunk.copy(this.head, 0, this.pos);
      this.headLen = avail;
      this.pos = chunk.length;
      return false;
    }
    this.readHeader(chunk, this.pos);
    const total = this.fSize + FRAME_OVERHEAD_BYTES;
    if (avail >= total) {
      this.fBuf = chunk;
      this.fStart = this.pos;
      this.pos += total;
      return this.checkEnd();
    }
    this.partial = Buffer.allocUnsafe(total);
    chunk.copy(this.partial, 0, this.pos);
    this.partialLen = avail;
    this.pos = chunk.length;
    return false;
  }

  /** Checks a frame header before any of its payload is buffered. */
  private readHeader(buf: Buffer, at: number): void {
    const type = buf[at + FrameField.type]!;
    const channel = buf.readUInt16BE(at + FrameField.channel);
    const size = buf.readUInt32BE(at + FrameField.size);
    if (!isKnownFrameType(type)) throw new AmqpCodecError('frame-type', `unknown frame type ${type}`, { channel });
    if (size > this.frameMaxBytes - FRAME_OVERHEAD_BYTES) {
      throw new AmqpCodecError('frame-size', `frame of ${size + FRAME_OVERHEAD_BYTES} bytes exceeds frame-max ${this.frameMaxBytes}`, { channel });
    }
    if (type === FrameType.HEARTBEAT && (channel !== 0 || size !== 0)) {
      throw new AmqpCodecError('heartbeat', `heartbeat on channel ${channel} with ${size} payload bytes`, { channel });
    }
    this.fType = type;
    this.fChannel = channel;
    this.fSize = size;
  }

  private checkEnd(): boolean {
    const end = this.fBuf[this.fStart + FRAME_HEADER_BYTES + this.fSize];
    if (end !== FRAME_END) throw new AmqpCodecError('frame-end', `frame-end octet is 0x${end!.toString(16)}, not 0xce`, { channel: this.fChannel });
    return true;
  }

  /** Runs after the frame was consumed, so a payload error leaves the stream in step. */
  private decodePayload(): AmqpFrame {
    const start = this.fStart + FRAME_HEADER_BYTES;
    const end = start + this.fSize;
    const channel = this.fChannel;
    const buf = this.fBuf;
    this.fBuf = EMPTY;
    switch (this.fType) {
      case FrameType.METHOD:
        return { kind: 'method', channel, method: decodeMethod(buf, start, end, channel, this.limits) };
      case FrameType.HEADER:
        return { kind: 'header', channel, header: decodeContentHeader(buf, start, end, channel, this.limits) };
      case FrameType.BODY:
        return { kind: 'body', channel, payload: buf.subarray(start, end) };
      default:
        return HEARTBEAT;
    }
  }
}

function checkFrameMax(n: number): number {
  if (!Number.isInteger(n) || n < FRAME_MIN_SIZE || n > FRAME_MAX_SIZE_LIMIT) {
    throw new HopperError('INVALID_ARGUMENT', `frame-max ${n} is outside ${FRAME_MIN_SIZE}..${FRAME_MAX_SIZE_LIMIT}`);
  }
  return n;
}
