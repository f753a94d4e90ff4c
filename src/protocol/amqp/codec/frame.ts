/**
 * The AMQP 0-9-1 frame layout, defined once (spec 2.3.5 / 4.2.3):
 *
 *   0      1         3         7                  7+size   8+size
 *   +------+---------+---------+ +--------------+ +-------+
 *   | type | channel |  size   | |   payload    | |  0xCE |
 *   +------+---------+---------+ +--------------+ +-------+
 *    octet   uint16    uint32       size octets     frame-end
 *
 * frame-max, as negotiated by connection.tune, counts the whole frame: header, payload and
 * frame-end (spec: "including frame header and end-byte").
 */

export const FrameType = {
  METHOD: 1,
  HEADER: 2,
  BODY: 3,
  HEARTBEAT: 8,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const FrameField = {
  type: 0,
  channel: 1,
  size: 3,
  payload: 7,
} as const;

export const FRAME_HEADER_BYTES = 7;
export const FRAME_END_BYTES = 1;
/** Header plus frame-end: what a frame costs beyond its payload. */
export const FRAME_OVERHEAD_BYTES = FRAME_HEADER_BYTES + FRAME_END_BYTES;
export const FRAME_END = 0xce;
/** Until tune, both peers must accept frames of this size; it is also the smallest frame-max. */
export const FRAME_MIN_SIZE = 4096;
/**
 * What we accept before tune. Above the spec's floor because SASL responses carrying JWTs run
 * past 4 KiB: RabbitMQ 4.1 raised its own pre-auth limit to 8192 (rabbitmq-server#13541).
 */
export const PRE_TUNE_FRAME_MAX_BYTES = 8192;
/** The size field is a uint32. */
export const FRAME_MAX_SIZE_LIMIT = 0xffff_ffff;
/** Channel numbers are uint16; channel 0 is the connection itself. */
export const CHANNEL_MAX_LIMIT = 0xffff;

/** `AMQP` 0 0 9 1: protocol id, then major 0, minor 9, revision 1 (spec 4.2.2). */
export const PROTOCOL_HEADER: Readonly<Buffer> = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);
export const PROTOCOL_HEADER_BYTES = 8;

export function isKnownFrameType(t: number): t is FrameType {
  return t === FrameType.METHOD || t === FrameType.HEADER || t === FrameType.BODY || t === FrameType.HEARTBEAT;
}

/** Writes the 7-octet frame header at `pos`; returns the payload position. */
export function writeFrameHeader(buf: Buffer, pos: number, type: FrameType, channel: number, size: number): number {
  buf[pos] = type;
  buf.writeUInt16BE(channel, pos + FrameField.channel);
  buf.writeUInt32BE(size, pos + FrameField.size);
  return pos + FRAME_HEADER_BYTES;
}

/** Largest payload a frame may carry under a negotiated frame-max (0 = no limit). */
export function payloadMaxBytes(frameMaxBytes: number): number {
  return frameMaxBytes === 0 ? FRAME_MAX_SIZE_LIMIT : frameMaxBytes - FRAME_OVERHEAD_BYTES;
}

/** A heartbeat frame: type 8, channel 0, empty payload. */
export function encodeHeartbeat(): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_OVERHEAD_BYTES);
  writeFrameHeader(buf, 0, FrameType.HEARTBEAT, 0, 0);
  buf[FRAME_HEADER_BYTES] = FRAME_END;
  return buf;
}
