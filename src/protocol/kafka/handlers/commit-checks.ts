/** The per-partition checks OffsetCommit and TxnOffsetCommit share, as Kafka orders them. */
import { offsetMetadataMaxBytes } from '../../../core/topic/group-offsets.js';
import type { Topic } from '../../../core/topic/topic.js';
import { KafkaError } from '../codec/error-codes.js';

/** The error for committing to partition `partition` of `topic` with `metadata`, or NONE. */
export function commitPartitionError(topic: Topic | undefined, partition: number, metadata: string | null): number {
  if (!topic || partition < 0 || partition >= topic.partitionCount) return KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
  if (metadata !== null && Buffer.byteLength(metadata) > offsetMetadataMaxBytes) return KafkaError.OFFSET_METADATA_TOO_LARGE;
  return KafkaError.NONE;
}
