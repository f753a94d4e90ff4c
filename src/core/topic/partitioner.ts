/**
 * Kafka's default partitioner for keyed records: murmur2 of the key bytes (the Java client's
 * variant, seed 0x9747b28c) made positive by masking the sign bit, modulo the partition count.
 * Matching it bit for bit keeps key → partition the same whether a record arrives from a Kafka
 * producer (kafkajs, librdkafka's murmur2_random, the Java client) or is routed in by Hopper.
 */
import { assert } from '../errors.js';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 as a signed int32 (Java's Utils.murmur2). */
export function murmur2(buf: Uint8Array): number {
  const len = buf.length;
  let h = SEED ^ len;
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last 1-3 bytes, as the Java switch folds them in (falling through from the highest).
  const tail = len & 3;
  if (tail > 0) {
    if (tail === 3) h ^= buf[whole + 2]! << 16;
    if (tail >= 2) h ^= buf[whole + 1]! << 8;
    h ^= buf[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner picks for a non-null key. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  assert(Number.isSafeInteger(numPartitions) && numPartitions >= 1, 'numPartitions is a positive integer');
  // Kafka's toPositive(h) is h & 0x7fffffff, not Math.abs: it must stay compatible.
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}
