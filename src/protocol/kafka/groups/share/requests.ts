/**
 * What ShareFetch and ShareAcknowledge have in common: the share session check (epoch 0 opens,
 * -1 closes, otherwise the next epoch) and the acknowledgements they carry, applied and made
 * durable before the answer (an acknowledgement answered is fsynced, as a queue ack is).
 */
import type { SharePartition } from '../../../../core/share/share-partition.js';
import { KafkaError } from '../../codec/error-codes.js';
import type { KafkaContext } from '../../server/context.js';
import { applyBatches, checkBatches, type AcknowledgementBatch } from './acknowledgements.js';
import { FINAL_EPOCH, INITIAL_EPOCH, nextEpoch, type ShareSession } from './sessions.js';

/** Most partitions one share session may fetch. */
export const MAX_SESSION_PARTITIONS = 10_000;

export interface AckPartition {
  topicId: string;
  partitionIndex: number;
  acknowledgementBatches: AcknowledgementBatch[];
}

export interface PartitionOutcome {
  topicId: string;
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}

/**
 * Finds or opens the member's session per the epoch; a top-level error code and message
 * otherwise. `opens`: whether epoch 0 may open one (ShareFetch yes, ShareAcknowledge no).
 */
export function sessionFor(kafka: KafkaContext, groupId: string, memberId: string, epoch: number, opens: boolean): ShareSession | { errorCode: number; errorMessage: string } {
  const share = kafka.share;
  if (epoch === INITIAL_EPOCH) {
    if (!opens) return { errorCode: KafkaError.INVALID_SHARE_SESSION_EPOCH, errorMessage: 'ShareAcknowledge cannot open a share session.' };
    // Only members open sessions: share-partition state is created for groups that exist.
    if (!share.isMember(groupId, memberId)) return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `Member ${memberId} is not a member of share group ${groupId}.` };
    const { session, ended } = share.sessions.open(groupId, memberId, Date.now());
    for (const s of ended) share.endSession(s);
    return session;
  }
  const session = share.sessions.get(groupId, memberId);
  if (session === undefined) return { errorCode: KafkaError.SHARE_SESSION_NOT_FOUND, errorMessage: `No share session for member ${memberId}.` };
  if (epoch !== FINAL_EPOCH && epoch !== session.epoch) {
    return { errorCode: KafkaError.INVALID_SHARE_SESSION_EPOCH, errorMessage: `Expected share session epoch ${session.epoch}, got ${epoch}.` };
  }
  session.lastUsedAt = Date.now();
  if (epoch !== FINAL_EPOCH) session.epoch = nextEpoch(epoch);
  return session;
}

/** Applies each partition's acknowledgements; the outcome per partition, once durable. */
export async function acknowledge(kafka: KafkaContext, groupId: string, memberId: string, parts: readonly AckPartition[], renewAllowed: boolean): Promise<PartitionOutcome[]> {
  const out: PartitionOutcome[] = [];
  const touched = new Set<SharePartition>();
  const lockMs = kafka.share.optionsFor(groupId).recordLockDurationMs;
  for (const p of parts) {
    const o: PartitionOutcome = { topicId: p.topicId, partitionIndex: p.partitionIndex, errorCode: KafkaError.NONE, errorMessage: null };
    out.push(o);
    const topic = kafka.topicNameById(p.topicId);
    const t = topic === undefined ? undefined : kafka.topic(topic);
    if (topic === undefined || t === undefined) {
      o.errorCode = KafkaError.UNKNOWN_TOPIC_ID;
      continue;
    }
    if (p.partitionIndex < 0 || p.partitionIndex >= t.partitionCount) {
      o.errorCode = KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
      continue;
    }
    if (p.acknowledgementBatches.length === 0) continue;
    const bad = checkBatches(p.acknowledgementBatches, renewAllowed);
    if (bad !== null) {
      o.errorCode = KafkaError.INVALID_REQUEST;
      o.errorMessage = bad;
      continue;
    }
    const sp = await kafka.share.partition(groupId, topic, p.partitionIndex);
    o.errorCode = applyBatches(sp, memberId, p.acknowledgementBatches, lockMs);
    touched.add(sp);
  }
  try {
    await Promise.all([...touched].map((sp) => sp.flush()));
  } catch {
    for (const o of out) if (o.errorCode === KafkaError.NONE) o.errorCode = KafkaError.KAFKA_STORAGE_ERROR;
  }
  return out;
}
