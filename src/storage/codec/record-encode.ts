/**
 * Encodes records into one RecordBatch v2. The exact size is computed first so the batch is
 * allocated once and written front to back; the CRC is filled in last.
 *
 * Record (protocol guide): length varint | attributes int8 | timestampDelta varlong |
 * offsetDelta varint | keyLength varint | key | valueLength varint | value |
 * headerCount varint | [headerKeyLength varint | headerKey | headerValueLength varint | value].
 * A length of -1 means null.
 */
import { assert, HopperError } from '../../core/errors.js';
import {
  BATCH_HEADER_BYTES,
  BatchField,
  LOG_OVERHEAD,
  MAGIC_V2,
  makeAttributes,
  writeInt64,
} from './batch-layout.js';
import { codecByName, CompressionId, type CompressionName } from './compression.js';
import { crc32c } from './crc32c.js';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js';

/**
 * A header to encode. A string value is written as its UTF-8 bytes without an intermediate
 * Buffer (reserved Hopper headers); core `Header` objects fit this shape as they are.
 */
export interface RecordHeaderInput {
  readonly key: string;
  readonly value: Buffer | string | null;
}

export interface RecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeaderInput[];
  /** ms since epoch; defaults to opts.baseTimestamp, else the time of encoding. */
  timestamp?: number;
}

export interface EncodeBatchOptions {
  baseOffset?: number;
  /** Defaults to the smallest record timestamp, so deltas are small and non-negative. */
  baseTimestamp?: number;
  /** -1 (Kafka's NO_PRODUCER_ID) unless idempotent. */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  compression?: CompressionName;
  partitionLeaderEpoch?: number;
}

/** Largest batchLength an int32 can carry. */
const MAX_BATCH_LENGTH = 0x7fffffff;

// Per-record body sizes from the sizing pass, reused across calls (encoding is synchronous);
// a rare huge batch gets its own array so the shared one stays small.
const SHARED_SIZES = 4096;
const sharedSizes = new Int32Array(SHARED_SIZES);

function sizeOfBytesField(b: Buffer | null): number {
  return b === null ? 1 : sizeOfVarint(b.length) + b.length;
}

function sizeOfHeaders(headers: readonly RecordHeaderInput[] | undefined): number {
  if (headers === undefined) return 1;
  let size = sizeOfVarint(headers.length);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    const k = Buffer.byteLength(h.key, 'utf8');
    size += sizeOfVarint(k) + k;
    const v = h.value;
    if (v === null) size += 1;
    else {
      const n = typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;
      size += sizeOfVarint(n) + n;
    }
  }
  return size;
}

function writeBytesField(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  buf.set(b, pos);
  return pos + b.length;
}

function writeString(buf: Buffer, pos: number, s: string): number {
  pos = writeVarint(buf, pos, Buffer.byteLength(s, 'utf8'));
  return pos + buf.write(s, pos, 'utf8');
}

function writeHeaders(buf: Buffer, pos: number, headers: readonly RecordHeaderInput[] | undefined): number {
  if (headers === undefined) return writeVarint(buf, pos, 0);
  pos = writeVarint(buf, pos, headers.length);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    pos = writeString(buf, pos, h.key);
    const v = h.value;
    if (typeof v === 'string') pos = writeString(buf, pos, v);
    else pos = writeBytesField(buf, pos, v);
  }
  return pos;
}

function invalid(what: string): HopperError {
  return new HopperError('INVALID_ARGUMENT', what);
}

function checkInt(name: string, v: number | undefined, min: number, max: number): void {
  if (v !== undefined && !(Number.isSafeInteger(v) && v >= min && v <= max)) {
    throw invalid(`${name} ${v} is not an integer in [${min}, ${max}]`);
  }
}

function checkOptions(o: EncodeBatchOptions): void {
  checkInt('baseOffset', o.baseOffset, 0, Number.MAX_SAFE_INTEGER);
  checkInt('producerId', o.producerId, -1, Number.MAX_SAFE_INTEGER);
  checkInt('producerEpoch', o.producerEpoch, -1, 0x7fff);
  checkInt('baseSequence', o.baseSequence, -1, 0x7fffffff);
  checkInt('partitionLeaderEpoch', o.partitionLeaderEpoch, -1, 0x7fffffff);
}

/** Encodes records (at least one) as one RecordBatch v2 with offset deltas 0..n-1. */
export function encodeBatch(records: readonly RecordInput[], opts: EncodeBatchOptions = {}): Buffer {
  const n = records.length;
  if (n === 0) throw invalid('a record batch needs at least one record');
  let fallbackTs = opts.baseTimestamp;
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = records[i]!.timestamp ?? (fallbackTs ??= Date.now());
    if (!Number.isSafeInteger(t)) throw invalid(`record ${i} has timestamp ${t}, not an integer of ms`);
    if (t < minTs) minTs = t;
    if (t > maxTs) maxTs = t;
  }
  const baseTs = opts.baseTimestamp ?? minTs;
  if (!Number.isSafeInteger(baseTs) || !Number.isSafeInteger(maxTs - baseTs) || !Number.isSafeInteger(minTs - baseTs)) {
    throw invalid(`timestamps ${minTs}..${maxTs} are too far from baseTimestamp ${baseTs}`);
  }
  checkOptions(opts);

  // Sizing pass.
  const bodySizes = n <= SHARED_SIZES ? sharedSizes : new Int32Array(n);
  let recordsBytes = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const body =
      1 +
      sizeOfVarlong((r.timestamp ?? fallbackTs!) - baseTs) +
      sizeOfVarint(i) +
      sizeOfBytesField(r.key) +
      sizeOfBytesField(r.value) +
      sizeOfHeaders(r.headers);
    if (body > MAX_BATCH_LENGTH) throw new HopperError('MESSAGE_TOO_LARGE', `record ${i} is ${body} bytes`);
    bodySizes[i] = body;
    recordsBytes += sizeOfVarint(body) + body;
  }

  if (recordsBytes > MAX_BATCH_LENGTH) {
    throw new HopperError('MESSAGE_TOO_LARGE', `records of ${recordsBytes} bytes do not fit a batchLength`);
  }
  const compression = opts.compression ?? 'none';
  let payload: Buffer | null = null;
  if (compression !== 'none') {
    const codec = codecByName(compression);
    const plain = Buffer.allocUnsafe(recordsBytes);
    const end = writeRecords(plain, 0, records, bodySizes, baseTs, fallbackTs);
    assert(end === recordsBytes, 'records fill exactly the size computed for them');
    payload = codec.compress(plain);
  }
  const total = BATCH_HEADER_BYTES + (payload === null ? recordsBytes : payload.length);
  if (total - LOG_OVERHEAD > MAX_BATCH_LENGTH) {
    throw new HopperError('MESSAGE_TOO_LARGE', `record batch of ${total} bytes does not fit a batchLength`);
  }

  // allocUnsafe is safe here: every byte below is written.
  const buf = Buffer.allocUnsafe(total);
  writeInt64(buf, BatchField.baseOffset, opts.baseOffset ?? 0);
  buf.writeInt32BE(total - LOG_OVERHEAD, BatchField.batchLength);
  buf.writeInt32BE(opts.partitionLeaderEpoch ?? -1, BatchField.partitionLeaderEpoch);
  buf.writeInt8(MAGIC_V2, BatchField.magic);
  const attributes = makeAttributes({
    compression: CompressionId[compression],
    transactional: opts.transactional ?? false,
    control: opts.control ?? false,
  });
  buf.writeInt16BE(attributes, BatchField.attributes);
  buf.writeInt32BE(n - 1, BatchField.lastOffsetDelta);
  writeInt64(buf, BatchField.baseTimestamp, baseTs);
  writeInt64(buf, BatchField.maxTimestamp, maxTs);
  writeInt64(buf, BatchField.producerId, opts.producerId ?? -1);
  buf.writeInt16BE(opts.producerEpoch ?? -1, BatchField.producerEpoch);
  buf.writeInt32BE(opts.baseSequence ?? -1, BatchField.baseSequence);
  buf.writeInt32BE(n, BatchField.recordCount);
  if (payload === null) {
    // Also guarantees no byte of the unzeroed allocation is left unwritten.
    const end = writeRecords(buf, BatchField.records, records, bodySizes, baseTs, fallbackTs);
    assert(end === total, 'records fill exactly the size computed for them');
  } else {
    buf.set(payload, BatchField.records);
  }
  buf.writeUInt32BE(crc32c(buf, BatchField.attributes, total), BatchField.crc);
  return buf;
}

function writeRecords(
  buf: Buffer,
  pos: number,
  records: readonly RecordInput[],
  bodySizes: Int32Array,
  baseTs: number,
  fallbackTs: number | undefined,
): number {
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    pos = writeVarint(buf, pos, bodySizes[i]!);
    buf[pos++] = 0; // record attributes: unused in v2
    pos = writeVarlong(buf, pos, (r.timestamp ?? fallbackTs!) - baseTs);
    pos = writeVarint(buf, pos, i);
    pos = writeBytesField(buf, pos, r.key);
    pos = writeBytesField(buf, pos, r.value);
    pos = writeHeaders(buf, pos, r.headers);
  }
  return pos;
}
