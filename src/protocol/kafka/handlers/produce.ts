/**
 * Produce: each partition's record batches are checked (checkBatch: magic 2, lengths, CRC,
 * size limit) and appended as received, without re-encoding. acks=1 and acks=-1 are answered
 * once the append promise resolves (fsynced under the default policy); acks=0 gets no answer.
 * Appends wake long-polling fetches of the partition. Batches of idempotent producers are
 * checked against the partition log's producer state first (Log.producers): a retried batch is
 * answered with its original offset, once that is acknowledged, without a second append; a gap
 * is OUT_OF_ORDER_SEQUENCE_NUMBER, an older epoch INVALID_PRODUCER_EPOCH. Transactional
 * batches are accepted only from the current epoch of a producer whose ongoing transaction
 * includes the partition (else INVALID_PRODUCER_EPOCH / INVALID_TXN_STATE); the partition's log
 * notes where each producer's transaction begins as it assigns the offset (Log.transactions).
 * Control batches (transaction markers) are written by the coordinator only: a client's is
 * INVALID_RECORD, as in Kafka.
 */
import { Produce } from '../api/produce.js';
import { KafkaError } from '../codec/error-codes.js';
import { type BatchHeader, BatchField, batchSizeAt, checkBatch, isControl, isTransactional, readBatchHeader } from '../../../storage/codec/record-batch.js';
import { CRC_CHECKED, ProducerCheck } from '../../../storage/types.js';
import { defineHandler } from '../server/handler.js';
import { errorMessage, kafkaCode, type KafkaContext } from '../server/context.js';
import type { Topic } from '../../../core/topic/topic.js';
import type { Alarms } from '../../../core/broker/alarms.js';
import type { Session } from '../../../core/broker/session.js';
import { transactions, type TxnService } from '../txn/service.js';
import { checkAcks, checkTimestamps, prepareBatch, producePolicy } from '../configs/produce-policy.js';

interface PartitionAnswer {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
  errorMessage: string | null;
}

/** Splits a records field into whole, checked batches; throws CORRUPT_MESSAGE / MESSAGE_TOO_LARGE. */
export function splitBatches(records: Buffer, maxBatchBytes: number): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < records.length) {
    const size = batchSizeAt(records, pos);
    if (size === null) {
      checkBatch(records, pos, maxBatchBytes); // throws the precise reason
      break;
    }
    checkBatch(records, pos, maxBatchBytes);
    out.push(records.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

async function producePartition(kafka: KafkaContext, topic: Topic, index: number, records: Buffer | null, txn: TxnService | null, acks: number): Promise<PartitionAnswer> {
  const answer: PartitionAnswer = { index, errorCode: KafkaError.NONE, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null };
  if (index < 0 || index >= topic.partitionCount) {
    answer.errorCode = KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
    return answer;
  }
  const log = topic.partition(index);
  try {
    if (records === null || records.length === 0) throw new Error('no records');
    const batches = splitBatches(records, topic.config.maxBatchBytes);
    if (batches.length === 0) throw new Error('no record batch');
    if (batches.some((b) => isControl(b.readInt16BE(BatchField.attributes)))) {
      answer.errorCode = KafkaError.INVALID_RECORD;
      answer.errorMessage = 'clients may not write control batches';
      return answer;
    }
    // The topic's configs: min.insync.replicas, timestamp bounds, LogAppendTime, compression.type.
    const policy = producePolicy(kafka, topic.name);
    const now = kafka.broker.ctx.clock.now();
    const refused = checkAcks(policy, acks, topic.name, index, kafka.node.nodeId) ?? checkTimestamps(policy, batches, now);
    if (refused) {
      answer.errorCode = refused.errorCode;
      answer.errorMessage = refused.errorMessage;
      return answer;
    }
    if (policy.timestampType === 'LogAppendTime') answer.logAppendTimeMs = now;
    const offsets: Promise<number>[] = [];
    for (const original of batches) {
      const first = readBatchHeader(original, 0);
      const b = prepareBatch(policy, original, first, now);
      const h = b === original ? first : readBatchHeader(b, 0);
      if (h.producerId < 0) {
        offsets.push(topic.appendBatch(index, b, CRC_CHECKED).then((r) => r.baseOffset));
        continue;
      }
      const transactional = isTransactional(h.attributes);
      if (transactional) {
        const code = txn ? txn.coordinator.checkProduce(h.producerId, h.producerEpoch, topic.name, index) : KafkaError.INVALID_TXN_STATE;
        if (code !== KafkaError.NONE) {
          answer.errorCode = code;
          if (offsets.length > 0) await Promise.allSettled(offsets);
          return answer;
        }
      }
      // The check and the append (which records the batch in the producer state) are one
      // synchronous step, so the next batch, in this request or a pipelined one, is judged after it.
      const c = log.producers === null ? ProducerCheck.OK : log.producers.check(h.producerId, h.producerEpoch, h.baseSequence, h.lastOffsetDelta + 1);
      if (c >= 0) {
        offsets.push(duplicateOf(topic, index, c, h));
        continue;
      }
      if (c !== ProducerCheck.OK) {
        answer.errorCode = c === ProducerCheck.FENCED ? KafkaError.INVALID_PRODUCER_EPOCH : KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER;
        if (offsets.length > 0) await Promise.allSettled(offsets);
        return answer;
      }
      offsets.push(topic.appendBatch(index, b, CRC_CHECKED).then((r) => r.baseOffset));
    }
    // allSettled, not all: the answer (and the release of the request's bytes) waits for every append.
    const settled = await Promise.allSettled(offsets);
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    answer.baseOffset = (settled[0] as PromiseFulfilledResult<number>).value;
    answer.logStartOffset = log.logStartOffset;
  } catch (e) {
    answer.errorCode = e instanceof Error && e.message.startsWith('no record') ? KafkaError.CORRUPT_MESSAGE : kafkaCode(e);
    answer.errorMessage = errorMessage(e);
  }
  return answer;
}

/**
 * A duplicate is answered with the original batch's base offset once that batch is acknowledged:
 * at once when it is (a retry after a timeout or a restart), else after a flush of the log,
 * which resolves once everything appended so far, the original included, is durable, and
 * rejects if the log failed (the original was then never acknowledged either). Its records go
 * to the queues bound to the topic again (Topic.forwardAgain), as the original's may not have.
 */
async function duplicateOf(topic: Topic, index: number, baseOffset: number, h: BatchHeader): Promise<number> {
  const log = topic.partition(index);
  if (baseOffset + h.lastOffsetDelta >= log.ackedOffset) await log.flush();
  // Transactional records are forwarded when their transaction commits.
  if (!isTransactional(h.attributes)) await topic.forwardAgain(index, baseOffset);
  return baseOffset;
}

/** Resolves true once no alarm is raised, or false after timeoutMs with one still raised. */
function alarmsClear(alarms: Alarms, timeoutMs: number): Promise<boolean> {
  if (!alarms.blocking) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(!alarms.blocking);
    }, timeoutMs);
    const unsubscribe = alarms.subscribe(() => {
      if (alarms.blocking) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(true);
    });
  });
}

function authorize(session: Session | null, name: string): number {
  if (!session) return KafkaError.NONE;
  try {
    session.checkTopic(name, 'write');
    return KafkaError.NONE;
  } catch {
    return KafkaError.TOPIC_AUTHORIZATION_FAILED;
  }
}

/**
 * releasesRequest: the batches are subarrays of the request frame, and nothing keeps them once
 * the appends have settled (Topic.appendBatch and Log.append promise as much), so a pooled
 * frame can be reused for the next request.
 */
export const produceHandler = defineHandler(Produce, async (req, { kafka, conn }) => {
  const acks = req.acks;
  const failAll = (errorCode: number) => ({
    responses: req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1, recordErrors: [], errorMessage: null })),
    })),
    throttleTimeMs: 0,
  });
  if (acks !== 0 && acks !== 1 && acks !== -1) return failAll(KafkaError.INVALID_REQUIRED_ACKS);
  let txn: TxnService | null = null;
  if (req.transactionalId !== null) {
    try {
      txn = await transactions(kafka);
    } catch (e) {
      return acks === 0 ? null : failAll(kafkaCode(e));
    }
  }
  // A memory or disk alarm blocks publishers: the request waits (and, through the in-flight
  // cap, so does the connection) until the alarm clears or the request's timeout passes.
  if (!(await alarmsClear(kafka.broker.alarms, Math.max(req.timeoutMs, 0)))) {
    return acks === 0 ? null : failAll(KafkaError.REQUEST_TIMED_OUT);
  }
  const responses = await Promise.all(req.topicData.map(async (t) => {
    const denied = authorize(conn.session, t.name);
    const topic = denied === KafkaError.NONE ? await kafka.topicOrCreate(t.name, true) : denied;
    const partitionResponses = await Promise.all(t.partitionData.map((p) =>
      typeof topic === 'number'
        ? { index: p.index, errorCode: topic, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null }
        : producePartition(kafka, topic, p.index, p.records, txn, acks)));
    return { name: t.name, partitionResponses };
  }));
  if (acks === 0) return null;
  return { responses, throttleTimeMs: 0 };
}, { releasesRequest: true });
