/**
 * The record codec's public face: Kafka RecordBatch v2 layout, checks, encoding and decoding.
 * The pieces live in batch-layout.ts (layout and header checks), record-encode.ts and
 * record-decode.ts; import from here.
 */
export {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_DELETE_HORIZON,
  ATTR_LOG_APPEND_TIME,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_BYTES,
  type BatchHeader,
  BatchField,
  batchSizeAt,
  checkBatch,
  checkBatchStructure,
  compressionOf,
  forEachBatch,
  type ForEachBatchOptions,
  hasDeleteHorizon,
  isControl,
  isLogAppendTime,
  isTransactional,
  lastOffsetOf,
  LOG_OVERHEAD,
  MAGIC_V2,
  makeAttributes,
  MIN_BATCH_LENGTH,
  MIN_RECORD_BYTES,
  readBatchHeader,
  readInt64,
  setBaseOffset,
  writeInt64,
} from './batch-layout.js';
export { type EncodeBatchOptions, encodeBatch, type RecordHeaderInput, type RecordInput } from './record-encode.js';
export { decodeBatchRecords, type DecodedRecord, type DecodeRecordsOptions, decodeRecords } from './record-decode.js';
export { CONTROL_ABORT, CONTROL_COMMIT, controlKey, controlTypeOf, controlValue } from './control-record.js';
