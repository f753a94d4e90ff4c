/**
 * Outgoing frames. A whole message (method frame, content header frame, body frames split at
 * frame-max) is sized first and written into one buffer: the deliver path costs one allocation
 * per message, the output itself. Callers on hot paths may reuse one method object per
 * channel or consumer; nothing here keeps a reference to it.
 */
import { HopperError } from '../../../core/errors.js';
import { type BasicProperties, contentHeaderPayloadSize, writeContentHeaderPayload } from './content-header.js';
import {
  CHANNEL_MAX_LIMIT,
  FRAME_END,
  FRAME_HEADER_BYTES,
  FRAME_MAX_SIZE_LIMIT,
  FRAME_MIN_SIZE,
  FRAME_OVERHEAD_BYTES,
  FrameType,
  payloadMaxBytes,
  writeFrameHeader,
} from './frame.js';
import { descriptorOf, methodPayloadSize, writeMethodPayload } from './method-codec.js';
import type { AmqpMethodInput } from './methods/registry.js';
import type { MethodDescriptor } from './methods/types.js';

function checkChannel(channel: number): void {
  if (!Number.isInteger(channel) || channel < 0 || channel > CHANNEL_MAX_LIMIT) throw new HopperError('INVALID_ARGUMENT', `channel ${channel} is not a uint16`);
}

function checkFits(what: string, payloadBytes: number, frameMaxBytes: number): void {
  if (frameMaxBytes !== 0 && !(Number.isInteger(frameMaxBytes) && frameMaxBytes >= FRAME_MIN_SIZE && frameMaxBytes <= FRAME_MAX_SIZE_LIMIT)) {
    throw new HopperError('INVALID_ARGUMENT', `frame-max ${frameMaxBytes} is neither 0 nor in ${FRAME_MIN_SIZE}..${FRAME_MAX_SIZE_LIMIT}`);
  }
  if (payloadBytes > payloadMaxBytes(frameMaxBytes)) {
    throw new HopperError('MESSAGE_TOO_LARGE', `${what} frame of ${payloadBytes + FRAME_OVERHEAD_BYTES} bytes exceeds frame-max ${frameMaxBytes}`);
  }
}

function endFrame(buf: Buffer, pos: number): number {
  buf[pos] = FRAME_END;
  return pos + 1;
}

/** One method frame. `frameMaxBytes` (0 = unlimited) guards methods that cannot be split. */
export function encodeMethodFrame(channel: number, method: AmqpMethodInput, frameMaxBytes = 0): Buffer {
  checkChannel(channel);
  const d = descriptorOf(method);
  const args = method as unknown as Record<string, unknown>;
  const size = methodPayloadSize(d, args);
  checkFits(d.name, size, frameMaxBytes);
  const buf = Buffer.allocUnsafe(size + FRAME_OVERHEAD_BYTES);
  writeMethodPayload(buf, writeFrameHeader(buf, 0, FrameType.METHOD, channel, size), d, args);
  endFrame(buf, FRAME_HEADER_BYTES + size);
  return buf;
}

/** One content header frame (for callers that send the body themselves). */
export function encodeContentHeaderFrame(channel: number, bodySize: number, properties: BasicProperties): Buffer {
  checkChannel(channel);
  checkBodySize(bodySize);
  const size = contentHeaderPayloadSize(properties);
  const buf = Buffer.allocUnsafe(size + FRAME_OVERHEAD_BYTES);
  writeContentHeaderPayload(buf, writeFrameHeader(buf, 0, FrameType.HEADER, channel, size), bodySize, properties);
  endFrame(buf, FRAME_HEADER_BYTES + size);
  return buf;
}

function checkBodySize(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new HopperError('INVALID_ARGUMENT', `body size ${n} is not a uint64 below 2^53`);
}

/**
 * A content-bearing method (publish, deliver, get-ok, return) with its header and body, as one
 * buffer of frames. Body frames carry at most frame-max minus 8 bytes; an empty body sends no
 * body frame (spec 4.2.6).
 */
export function encodeMessage(channel: number, method: AmqpMethodInput, properties: BasicProperties, body: Buffer, frameMaxBytes: number): Buffer {
  checkChannel(channel);
  const d = descriptorOf(method);
  if (!d.content) throw new HopperError('INVALID_ARGUMENT', `${d.name} carries no content`);
  return writeMessage(d, channel, method as unknown as Record<string, unknown>, properties, body, frameMaxBytes);
}

function writeMessage(d: MethodDescriptor, channel: number, args: Record<string, unknown>, props: BasicProperties, body: Buffer, frameMaxBytes: number): Buffer {
  const methodSize = methodPayloadSize(d, args);
  const headerSize = contentHeaderPayloadSize(props);
  checkFits(d.name, methodSize, frameMaxBytes);
  checkFits('content header', headerSize, frameMaxBytes);
  const chunk = payloadMaxBytes(frameMaxBytes);
  const bodyFrames = Math.ceil(body.length / chunk);
  const total = methodSize + headerSize + body.length + (2 + bodyFrames) * FRAME_OVERHEAD_BYTES;
  const buf = Buffer.allocUnsafe(total);

  let pos = writeFrameHeader(buf, 0, FrameType.METHOD, channel, methodSize);
  pos = endFrame(buf, writeMethodPayload(buf, pos, d, args));
  pos = writeFrameHeader(buf, pos, FrameType.HEADER, channel, headerSize);
  pos = endFrame(buf, writeContentHeaderPayload(buf, pos, body.length, props));
  for (let off = 0; off < body.length; off += chunk) {
    const n = Math.min(chunk, body.length - off);
    pos = writeFrameHeader(buf, pos, FrameType.BODY, channel, n);
    pos = endFrame(buf, pos + body.copy(buf, pos, off, off + n));
  }
  return buf;
}
