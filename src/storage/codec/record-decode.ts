/**
 * Decodes the records of one RecordBatch v2. Every length is checked against the bytes left
 * (and the record count against the smallest possible record) before anything is allocated;
 * whatever does not add up is CORRUPT_MESSAGE, never a RangeError. Keys, values and header
 * values are subarrays of the input (or of the decompressed payload): no copies, so callers
 * must not reuse the input buffer while records are alive.
 */
import type { Header } from '../../core/message.js';
import { HopperError } from '../../core/errors.js';
import {
  BATCH_HEADER_BYTES,
  type BatchHeader,
  checkBatch,
  checkBatchStructure,
  compressionOf,
  isLogAppendTime,
  LOG_OVERHEAD,
  MIN_RECORD_BYTES,
} from './batch-layout.js';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decompress } from './compression.js';
import { type Cursor, readVarint, readVarlong } from './varint.js';

export interface DecodedRecord {
  /** Absolute offset: baseOffset + offsetDelta. */
  offset: number;
  /** Absolute ms: baseTimestamp + timestampDelta, or maxTimestamp under LogAppendTime. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Header[];
}

export interface DecodeRecordsOptions {
  /** Check the CRC first (default false: log reads are checked already). */
  verifyCrc?: boolean;
  /** Cap on a compressed payload's decompressed size (decompression bombs). */
  maxDecompressedBytes?: number;
}

/** A record body (after its length) holds at least attributes and five 1-byte varints. */
const MIN_RECORD_BODY = MIN_RECORD_BYTES - 1;
/** A header holds at least a key length and a value length. */
const MIN_HEADER_BYTES = 2;

function corrupt(what: string, pos: number): HopperError {
  return new HopperError('CORRUPT_MESSAGE', `record at byte ${pos}: ${what}`);
}

/**
 * Decodes every record of the batch at pos, after checking its header (checkBatchStructure, and
 * the CRC with verifyCrc). A partial or malformed batch is CORRUPT_MESSAGE.
 */
export function decodeRecords(buf: Buffer, pos = 0, opts: DecodeRecordsOptions = {}): DecodedRecord[] {
  const h = opts.verifyCrc
    ? checkBatch(buf, pos, Number.MAX_SAFE_INTEGER)
    : checkBatchStructure(buf, pos, Number.MAX_SAFE_INTEGER);
  return decodeBatchRecords(buf, pos, h, opts.maxDecompressedBytes);
}

/**
 * decodeRecords for a caller that holds the header checkBatch or checkBatchStructure returned
 * for this very batch (forEachBatch hands one out); saves reading the header twice. The bounds
 * guarantees rest on that check: never pass a header from readBatchHeader alone.
 */
export function decodeBatchRecords(
  buf: Buffer,
  pos: number,
  h: BatchHeader,
  maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
): DecodedRecord[] {
  let data = buf;
  let start = pos + BATCH_HEADER_BYTES;
  let end = pos + LOG_OVERHEAD + h.batchLength;
  const codec = compressionOf(h.attributes);
  if (codec !== 0) {
    data = decompress(codec, buf.subarray(start, end), maxDecompressedBytes);
    start = 0;
    end = data.length;
    if (h.recordCount > data.length / MIN_RECORD_BYTES) {
      throw corrupt(`recordCount ${h.recordCount} cannot fit in ${data.length} decompressed bytes`, pos);
    }
  }
  const out = new Array<DecodedRecord>(h.recordCount);
  const cur: Cursor = { pos: start };
  let prevDelta = -1;
  for (let i = 0; i < h.recordCount; i++) {
    const rec = readRecord(data, cur, end, h, prevDelta);
    prevDelta = rec.offset - h.baseOffset;
    out[i] = rec;
  }
  if (cur.pos !== end) throw corrupt(`${end - cur.pos} bytes left after ${h.recordCount} records`, cur.pos);
  return out;
}

function readRecord(data: Buffer, cur: Cursor, end: number, h: BatchHeader, prevDelta: number): DecodedRecord {
  const at = cur.pos;
  const len = readVarint(data, cur.pos, cur, end);
  if (len < MIN_RECORD_BODY || len > end - cur.pos) throw corrupt(`length ${len} with ${end - cur.pos} bytes left`, at);
  const recEnd = cur.pos + len;
  cur.pos++; // record attributes: unused in v2
  const tsDelta = readVarlong(data, cur.pos, cur, recEnd);
  const offsetDelta = readVarint(data, cur.pos, cur, recEnd);
  // Offsets only grow within a batch and stay within the header's range.
  if (offsetDelta <= prevDelta || offsetDelta > h.lastOffsetDelta) {
    throw corrupt(`offsetDelta ${offsetDelta} after ${prevDelta}, last is ${h.lastOffsetDelta}`, at);
  }
  const timestamp = isLogAppendTime(h.attributes) ? h.maxTimestamp : h.baseTimestamp + tsDelta;
  if (!Number.isSafeInteger(timestamp)) throw corrupt('timestamp outside the safe integer range', at);
  const key = readBytes(data, cur, recEnd);
  const value = readBytes(data, cur, recEnd);
  const count = readVarint(data, cur.pos, cur, recEnd);
  if (count < 0 || count > (recEnd - cur.pos) / MIN_HEADER_BYTES) throw corrupt(`header count ${count}`, at);
  const headers = count === 0 ? [] : new Array<Header>(count);
  for (let j = 0; j < count; j++) {
    const klen = readVarint(data, cur.pos, cur, recEnd);
    if (klen < 0 || klen > recEnd - cur.pos) throw corrupt(`header key length ${klen}`, at);
    const hkey = data.toString('utf8', cur.pos, cur.pos + klen);
    cur.pos += klen;
    headers[j] = { key: hkey, value: readBytes(data, cur, recEnd) };
  }
  if (cur.pos !== recEnd) throw corrupt(`${recEnd - cur.pos} bytes left inside the record`, at);
  return { offset: h.baseOffset + offsetDelta, timestamp, key, value, headers };
}

/** A varint length then that many bytes; -1 is null, other negatives and overruns are corrupt. */
function readBytes(data: Buffer, cur: Cursor, end: number): Buffer | null {
  const at = cur.pos;
  const len = readVarint(data, cur.pos, cur, end);
  if (len === -1) return null;
  if (len < 0 || len > end - cur.pos) throw corrupt(`byte field length ${len} with ${end - cur.pos} bytes left`, at);
  const b = data.subarray(cur.pos, cur.pos + len);
  cur.pos += len;
  return b;
}
