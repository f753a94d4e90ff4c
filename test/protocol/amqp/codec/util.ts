/** Test helpers: hand-built frames and an allocation watcher. */
import { FRAME_END } from '../../../../src/protocol/amqp/codec/index.js';

/** A frame with any type, channel and payload, bypassing the encoders' checks. */
export function rawFrame(type: number, channel: number, payload: Buffer, end = FRAME_END): Buffer {
  const buf = Buffer.alloc(payload.length + 8);
  buf[0] = type;
  buf.writeUInt16BE(channel, 1);
  buf.writeUInt32BE(payload.length, 3);
  payload.copy(buf, 7);
  buf[buf.length - 1] = end;
  return buf;
}

/**
 * Runs `fn` and returns the sizes of every Buffer.alloc / allocUnsafe / allocUnsafeSlow it made
 * (Buffer.concat allocates through allocUnsafe, so it is seen too).
 */
export function watchAllocations(fn: () => void): number[] {
  const sizes: number[] = [];
  const { allocUnsafe, alloc, allocUnsafeSlow } = Buffer;
  Buffer.allocUnsafe = ((n: number) => (sizes.push(n), allocUnsafe(n))) as typeof Buffer.allocUnsafe;
  Buffer.alloc = ((n: number, fill?: string | Buffer | number, enc?: BufferEncoding) => (sizes.push(n), alloc(n, fill, enc))) as typeof Buffer.alloc;
  Buffer.allocUnsafeSlow = ((n: number) => (sizes.push(n), allocUnsafeSlow(n))) as typeof Buffer.allocUnsafeSlow;
  try {
    fn();
  } finally {
    Object.assign(Buffer, { allocUnsafe, alloc, allocUnsafeSlow });
  }
  return sizes;
}
