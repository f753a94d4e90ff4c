/**
 * What a topic's configs make Produce do, as Kafka's log validator does: refuse acks=all when
 * min.insync.replicas exceeds the one replica a node holds, refuse CreateTime timestamps outside
 * message.timestamp.before/after.max.ms, stamp batches with the broker's clock under
 * LogAppendTime, and recompress batches whose codec is not the topic's compression.type.
 * The policy of a topic is parsed once per change of its configs (or of the broker's defaults).
 */
import { gzipSync } from 'node:zlib';
import { defaultProducePolicy, type ProducePolicy, producePolicyOf, type TopicCompression } from '../../../core/topic/config.js';
import type { TopicDef } from '../../../core/catalogue/types.js';
import { codecFor, CompressionId, decompress } from '../../../storage/codec/compression.js';
import { crc32c } from '../../../storage/codec/crc32c.js';
import { HopperError } from '../../../core/errors.js';
import { ATTR_COMPRESSION_MASK, ATTR_LOG_APPEND_TIME, BATCH_HEADER_BYTES, type BatchHeader, BatchField, compressionOf, isControl, LOG_OVERHEAD, readInt64, writeInt64 } from '../../../storage/codec/record-batch.js';
import { zstdCompress } from '../../../storage/codec/zstd.js';
import { KafkaError } from '../codec/error-codes.js';
import type { KafkaContext } from '../server/context.js';

const cache = new WeakMap<TopicDef, { defaults: object; policy: ProducePolicy }>();

/** The produce policy of a topic from its configs over the broker's defaults (cached per catalogue record). */
export function producePolicy(kafka: KafkaContext, topic: string): ProducePolicy {
  const def = kafka.broker.catalogue.topic(kafka.options.vhost, topic);
  const defaults = kafka.broker.ctx.topicDefaults;
  if (def === undefined) return defaultProducePolicy;
  const hit = cache.get(def);
  if (hit !== undefined && hit.defaults === defaults) return hit.policy;
  const policy = producePolicyOf({ ...defaults, ...def.config });
  cache.set(def, { defaults, policy });
  return policy;
}

export interface PolicyRefusal {
  errorCode: number;
  errorMessage: string;
}

/** NOT_ENOUGH_REPLICAS for acks=all when the topic wants more in-sync replicas than one node has. */
export function checkAcks(policy: ProducePolicy, acks: number, topic: string, partition: number, nodeId: number): PolicyRefusal | null {
  if (acks !== -1 || policy.minInsyncReplicas <= 1) return null;
  return {
    errorCode: KafkaError.NOT_ENOUGH_REPLICAS,
    errorMessage: `The size of the current ISR Set(${nodeId}) is insufficient to satisfy the min.isr requirement of ${policy.minInsyncReplicas} for partition ${topic}-${partition}`,
  };
}

/**
 * INVALID_TIMESTAMP when a CreateTime batch's first or newest timestamp lies outside the topic's
 * bounds around the broker's clock (Kafka checks each record; a batch's records lie between its
 * base timestamp and its max timestamp, as clients write them).
 */
export function checkTimestamps(policy: ProducePolicy, batches: readonly Buffer[], nowMs: number): PolicyRefusal | null {
  if (policy.timestampType === 'LogAppendTime' || (policy.timestampBeforeMaxMs === Infinity && policy.timestampAfterMaxMs === Infinity)) return null;
  const low = nowMs - policy.timestampBeforeMaxMs;
  const high = nowMs + policy.timestampAfterMaxMs;
  const outside = (t: number): boolean => t < low || t > high;
  let bad: number | null = null;
  for (const b of batches) {
    const first = readInt64(b, BatchField.baseTimestamp);
    const max = readInt64(b, BatchField.maxTimestamp);
    bad = outside(first) ? first : outside(max) ? max : null;
    if (bad !== null) break;
  }
  if (bad === null) return null;
  return {
    errorCode: KafkaError.INVALID_TIMESTAMP,
    errorMessage: `Timestamp ${bad} of message with offset 0 is out of range. The timestamp should be within [${low}, ${high}]`,
  };
}

const codecIds: Record<Exclude<TopicCompression, 'producer'>, number> = {
  uncompressed: CompressionId.none, gzip: CompressionId.gzip, snappy: CompressionId.snappy, lz4: CompressionId.lz4, zstd: CompressionId.zstd,
};

function compress(policy: ProducePolicy, id: number, raw: Buffer): Buffer {
  if (id === CompressionId.gzip) return gzipSync(raw, policy.gzipLevel === -1 ? {} : { level: policy.gzipLevel });
  if (id === CompressionId.zstd) return zstdCompress(raw, policy.zstdLevel);
  return codecFor(id).compress(raw);
}

/**
 * The batch to append: the producer's own when the topic keeps its codec and timestamps, else a
 * copy recompressed (the records' bytes are the same in every codec, only the payload's
 * compression changes) and/or stamped with the append time, with its CRC recomputed. The
 * batch must have passed checkBatch. Throws CORRUPT_MESSAGE for a payload that does not inflate.
 */
export function prepareBatch(policy: ProducePolicy, batch: Buffer, h: BatchHeader, nowMs: number): Buffer {
  const logAppendTime = policy.timestampType === 'LogAppendTime';
  const from = compressionOf(h.attributes);
  const to = policy.compression === 'producer' || isControl(h.attributes) ? from : codecIds[policy.compression];
  if (to === from && !logAppendTime) return batch;
  let out = batch;
  if (to !== from) {
    const size = LOG_OVERHEAD + h.batchLength;
    const payload = batch.subarray(BATCH_HEADER_BYTES, size);
    let raw: Buffer;
    try {
      raw = from === CompressionId.none ? payload : decompress(from, payload);
    } catch (e) {
      throw new HopperError('CORRUPT_MESSAGE', `batch payload does not decompress: ${(e as Error).message}`);
    }
    const packed = to === CompressionId.none ? raw : compress(policy, to, raw);
    out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + packed.length);
    batch.copy(out, 0, 0, BATCH_HEADER_BYTES);
    packed.copy(out, BATCH_HEADER_BYTES);
    out.writeInt32BE(out.length - LOG_OVERHEAD, BatchField.batchLength);
    out.writeInt16BE((h.attributes & ~ATTR_COMPRESSION_MASK) | to, BatchField.attributes);
  }
  if (logAppendTime) {
    out.writeInt16BE(out.readInt16BE(BatchField.attributes) | ATTR_LOG_APPEND_TIME, BatchField.attributes);
    writeInt64(out, BatchField.maxTimestamp, nowMs);
  }
  out.writeUInt32BE(crc32c(out, BatchField.attributes), BatchField.crc);
  return out;
}
