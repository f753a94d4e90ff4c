/**
 * The Kafka RecordBatch v2 layout (protocol guide, "Record Batch"), defined once. Everything
 * that touches batch bytes (codec, log, recovery, Kafka fetch/produce) addresses fields through
 * BatchField, never with raw numbers.
 *
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 *   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
 *   producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records...
 *
 * batchLength counts the bytes after itself; the CRC-32C covers attributes through the end, so
 * baseOffset and partitionLeaderEpoch can be rewritten (offset assignment) without recomputing it.
 */
import { HopperError } from '../../core/errors.js';
import { crc32c } from './crc32c.js';

export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  records: 61,
} as const;

export const BATCH_HEADER_BYTES = 61;
/** baseOffset + batchLength: the bytes in front of what batchLength counts. */
export const LOG_OVERHEAD = 12;
/** Smallest legal batchLength: a header with no records. */
export const MIN_BATCH_LENGTH = BATCH_HEADER_BYTES - LOG_OVERHEAD;
export const MAGIC_V2 = 2;
/** The smallest record: length, attributes, timestampDelta, offsetDelta, key, value, header count. */
export const MIN_RECORD_BYTES = 7;

// Attribute bits.
export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_LOG_APPEND_TIME = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
export const ATTR_DELETE_HORIZON = 0x40;

export const compressionOf = (attributes: number): number => attributes & ATTR_COMPRESSION_MASK;
export const isLogAppendTime = (attributes: number): boolean => (attributes & ATTR_LOG_APPEND_TIME) !== 0;
export const isTransactional = (attributes: number): boolean => (attributes & ATTR_TRANSACTIONAL) !== 0;
export const isControl = (attributes: number): boolean => (attributes & ATTR_CONTROL) !== 0;
export const hasDeleteHorizon = (attributes: number): boolean => (attributes & ATTR_DELETE_HORIZON) !== 0;

export function makeAttributes(f: {
  compression?: number;
  logAppendTime?: boolean;
  transactional?: boolean;
  control?: boolean;
  deleteHorizon?: boolean;
}): number {
  return (
    ((f.compression ?? 0) & ATTR_COMPRESSION_MASK) |
    (f.logAppendTime ? ATTR_LOG_APPEND_TIME : 0) |
    (f.transactional ? ATTR_TRANSACTIONAL : 0) |
    (f.control ? ATTR_CONTROL : 0) |
    (f.deleteHorizon ? ATTR_DELETE_HORIZON : 0)
  );
}

/** All fields as numbers; int64 fields are exact (checkBatch rejects values past 2^53). */
export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

const TWO_POW_32 = 2 ** 32;

/** Big-endian int64 as a number; exact within ±2^53, rounded beyond (callers check). */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_POW_32 + buf.readUInt32BE(pos + 4);
}

export function writeInt64(buf: Buffer, pos: number, n: number): void {
  const hi = Math.floor(n / TWO_POW_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(n - hi * TWO_POW_32, pos + 4);
}

/** Reads the 61-byte header at pos; the caller guarantees the bytes are there. */
export function readBatchHeader(buf: Buffer, pos: number): BatchHeader {
  return {
    baseOffset: readInt64(buf, pos + BatchField.baseOffset),
    batchLength: buf.readInt32BE(pos + BatchField.batchLength),
    partitionLeaderEpoch: buf.readInt32BE(pos + BatchField.partitionLeaderEpoch),
    magic: buf.readInt8(pos + BatchField.magic),
    crc: buf.readUInt32BE(pos + BatchField.crc),
    attributes: buf.readInt16BE(pos + BatchField.attributes),
    lastOffsetDelta: buf.readInt32BE(pos + BatchField.lastOffsetDelta),
    baseTimestamp: readInt64(buf, pos + BatchField.baseTimestamp),
    maxTimestamp: readInt64(buf, pos + BatchField.maxTimestamp),
    producerId: readInt64(buf, pos + BatchField.producerId),
    producerEpoch: buf.readInt16BE(pos + BatchField.producerEpoch),
    baseSequence: buf.readInt32BE(pos + BatchField.baseSequence),
    recordCount: buf.readInt32BE(pos + BatchField.recordCount),
  };
}

function corrupt(what: string, pos: number): HopperError {
  return new HopperError('CORRUPT_MESSAGE', `record batch at byte ${pos}: ${what}`);
}

/**
 * Total bytes of the batch at pos (LOG_OVERHEAD + batchLength), or null if fewer than
 * LOG_OVERHEAD bytes remain. The size may exceed the bytes left: that is a partial batch.
 * A batchLength below the 49-byte minimum cannot be a batch at all and is CORRUPT_MESSAGE,
 * so a scan driven by this function always moves forward.
 */
export function batchSizeAt(buf: Buffer, pos: number): number | null {
  if (buf.length - pos < LOG_OVERHEAD) return null;
  const batchLength = buf.readInt32BE(pos + BatchField.batchLength);
  if (batchLength < MIN_BATCH_LENGTH) throw corrupt(`batchLength ${batchLength} is below ${MIN_BATCH_LENGTH}`, pos);
  return LOG_OVERHEAD + batchLength;
}

/**
 * Everything checkBatch checks except the CRC: the header is there, magic 2, batchLength within
 * [49, bytes left] and maxBatchBytes, int64 fields exact, counts consistent with the bytes.
 */
export function checkBatchStructure(buf: Buffer, pos: number, maxBatchBytes: number): BatchHeader {
  const left = buf.length - pos;
  if (left < BATCH_HEADER_BYTES) throw corrupt(`truncated: ${left} bytes, the header alone is ${BATCH_HEADER_BYTES}`, pos);
  const magic = buf.readInt8(pos + BatchField.magic);
  if (magic !== MAGIC_V2) throw corrupt(`magic ${magic}: only RecordBatch v2 (magic 2) is supported`, pos);
  const h = readBatchHeader(buf, pos);
  const size = LOG_OVERHEAD + h.batchLength;
  if (h.batchLength < MIN_BATCH_LENGTH) throw corrupt(`batchLength ${h.batchLength} is below ${MIN_BATCH_LENGTH}`, pos);
  if (size > left) throw corrupt(`truncated: batch of ${size} bytes, ${left} left`, pos);
  if (size > maxBatchBytes) {
    throw new HopperError('MESSAGE_TOO_LARGE', `record batch of ${size} bytes is over the limit of ${maxBatchBytes}`);
  }
  if (!Number.isSafeInteger(h.baseOffset) || h.baseOffset < 0) throw corrupt(`baseOffset ${h.baseOffset} is out of range`, pos);
  if (!Number.isSafeInteger(h.baseTimestamp) || !Number.isSafeInteger(h.maxTimestamp)) {
    throw corrupt('timestamps outside the safe integer range', pos);
  }
  if (!Number.isSafeInteger(h.producerId)) throw corrupt('producerId outside the safe integer range', pos);
  if (h.lastOffsetDelta < 0 || !Number.isSafeInteger(h.baseOffset + h.lastOffsetDelta)) {
    throw corrupt(`lastOffsetDelta ${h.lastOffsetDelta} is out of range`, pos);
  }
  // Offset deltas are distinct and within [0, lastOffsetDelta] (compaction leaves gaps).
  if (h.recordCount < 0 || h.recordCount > h.lastOffsetDelta + 1) {
    throw corrupt(`recordCount ${h.recordCount} does not fit lastOffsetDelta ${h.lastOffsetDelta}`, pos);
  }
  if (compressionOf(h.attributes) === 0 && h.recordCount > (size - BATCH_HEADER_BYTES) / MIN_RECORD_BYTES) {
    throw corrupt(`recordCount ${h.recordCount} cannot fit in ${size - BATCH_HEADER_BYTES} bytes`, pos);
  }
  return h;
}

/**
 * Validates the whole batch at pos (structure as above, then the CRC-32C) and returns its header.
 * CORRUPT_MESSAGE for anything malformed, MESSAGE_TOO_LARGE over maxBatchBytes.
 */
export function checkBatch(buf: Buffer, pos: number, maxBatchBytes: number): BatchHeader {
  const h = checkBatchStructure(buf, pos, maxBatchBytes);
  const actual = crc32c(buf, pos + BatchField.attributes, pos + LOG_OVERHEAD + h.batchLength);
  if (actual !== h.crc) {
    throw corrupt(`CRC mismatch: stored ${h.crc.toString(16)}, computed ${actual.toString(16)}`, pos);
  }
  return h;
}

/** Assigns the batch's base offset in place; outside the CRC, so the batch stays valid. */
export function setBaseOffset(buf: Buffer, pos: number, offset: number): void {
  writeInt64(buf, pos + BatchField.baseOffset, offset);
}

export function lastOffsetOf(h: BatchHeader): number {
  return h.baseOffset + h.lastOffsetDelta;
}

export interface ForEachBatchOptions {
  /** Check each batch's CRC (default true); skip only for bytes that were checked already. */
  verifyCrc?: boolean;
  maxBatchBytes?: number;
}

/**
 * Calls fn for each whole batch in concatenated batch bytes, in order, validating each (see
 * checkBatch). Stops cleanly at a partial trailing batch, as a size-capped read ends with, or
 * when fn returns false. Returns the position after the last batch visited, so callers such
 * as recovery know where the whole batches end.
 */
export function forEachBatch(
  bytes: Buffer,
  fn: (header: BatchHeader, pos: number) => boolean | void,
  opts: ForEachBatchOptions = {},
): number {
  const verify = opts.verifyCrc ?? true;
  const max = opts.maxBatchBytes ?? Number.MAX_SAFE_INTEGER;
  let pos = 0;
  for (;;) {
    const size = batchSizeAt(bytes, pos);
    if (size === null || size > bytes.length - pos) return pos;
    const h = verify ? checkBatch(bytes, pos, max) : checkBatchStructure(bytes, pos, max);
    const more = fn(h, pos);
    pos += size;
    if (more === false) return pos;
  }
}
