/**
 * Fetch: whole stored batches are served as they are on disk (no re-encoding). A fetch that
 * finds fewer than minBytes waits up to maxWaitMs and is woken by appends to any partition it
 * reads, whichever protocol made them (the topic notifies the vhost's PartitionWaiters).
 * Topic ids from v13. Fetch sessions (KIP-227) are not kept: every answer carries
 * session id 0 (sessionless) and lists every requested partition, which clients accept.
 * read_committed (isolation level 1) is served up to the partition's last stable offset (the
 * first offset of its earliest ongoing transaction, else the high watermark) and lists the
 * aborted transactions overlapping the records served, so the client drops their records
 * (the partition log's transaction index, Log.transactions). read_uncommitted is served up to
 * the high watermark.
 */
import { Fetch } from '../api/fetch.js';
import { KafkaError } from '../codec/error-codes.js';
import { ZERO_UUID } from '../codec/schema.js';
import { defineHandler, type RequestContext } from '../server/handler.js';
import { kafkaCode, type KafkaContext } from '../server/context.js';
import { PartitionWaiters } from '../../../core/topic/partition-waiters.js';
import { batchesBefore, committedEnd } from '../../../core/topic/committed-read.js';
import { transactions } from '../txn/service.js';

const EMPTY_RECORDS = Buffer.alloc(0);

/** Longest wait honoured, whatever the client asks. */
const MAX_WAIT_CAP_MS = 30_000;

/**
 * Where the data a fetch may return ends now, per wanted partition: the acknowledged end, or
 * for read_committed the lower of it and the last stable offset.
 */
function readableEnds(kafka: KafkaContext, wanted: readonly Wanted[], readCommitted: boolean): number[] {
  const out: number[] = [];
  for (const t of wanted) {
    const topic = t.name === null ? undefined : kafka.topic(t.name);
    for (const p of t.partitions) {
      if (!topic || p.partition < 0 || p.partition >= topic.partitionCount) {
        out.push(-1);
        continue;
      }
      const log = topic.partition(p.partition);
      out.push(readCommitted ? committedEnd(log) : log.ackedOffset);
    }
  }
  return out;
}

function sameEnds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface Wanted {
  name: string | null;
  topicId: string;
  partitions: { partition: number; fetchOffset: number; partitionMaxBytes: number }[];
}

interface PartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: { producerId: number; firstOffset: number }[] | null;
  preferredReadReplica: number;
  records: Buffer | null;
}

async function readAll(kafka: KafkaContext, wanted: readonly Wanted[], maxBytes: number, rc: RequestContext, readCommitted: boolean) {
  let total = 0;
  const responses = [];
  for (const t of wanted) {
    const topic = t.name === null ? undefined : kafka.topic(t.name);
    const denied = topic !== undefined && rc.conn.session?.mayAccessTopic(topic.name, 'read') === false;
    const partitions: PartitionData[] = [];
    for (const p of t.partitions) {
      const out: PartitionData = {
        partitionIndex: p.partition, errorCode: KafkaError.NONE, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1,
        // An empty record set, not null: librdkafka refuses a null one (MessageSetSize -1) and never
        // reports end of partition.
        abortedTransactions: null, preferredReadReplica: -1, records: EMPTY_RECORDS,
      };
      partitions.push(out);
      if (denied) {
        out.errorCode = KafkaError.TOPIC_AUTHORIZATION_FAILED;
        continue;
      }
      if (!topic || p.partition < 0 || p.partition >= topic.partitionCount) {
        out.errorCode = t.name === null ? KafkaError.UNKNOWN_TOPIC_ID : KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
        continue;
      }
      const log = topic.partition(p.partition);
      out.highWatermark = log.nextOffset;
      out.lastStableOffset = log.nextOffset;
      out.logStartOffset = log.logStartOffset;
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.nextOffset) {
        out.errorCode = KafkaError.OFFSET_OUT_OF_RANGE;
        continue;
      }
      const txns = readCommitted ? log.transactions : null;
      const stable = txns ? txns.lastStableOffset() : log.nextOffset;
      out.lastStableOffset = stable;
      if (p.fetchOffset >= stable) continue;
      // The first partition with data may exceed maxBytes by one batch, as Kafka allows.
      const budget = Math.min(p.partitionMaxBytes, Math.max(maxBytes - total, 0));
      if (budget <= 0 && total > 0) continue;
      try {
        const r = await log.read(p.fetchOffset, Math.max(budget, 1));
        out.highWatermark = r.nextOffset;
        out.logStartOffset = r.logStartOffset;
        let bytes = r.bytes;
        if (txns) {
          // The LSO as of now (appends during the read may have begun transactions).
          const lso = txns.lastStableOffset();
          out.lastStableOffset = lso;
          const kept = batchesBefore(bytes, lso);
          bytes = kept.bytes;
          out.abortedTransactions = kept.lastOffset < 0 ? [] : txns.abortedIn(p.fetchOffset, kept.lastOffset).map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
        } else {
          out.lastStableOffset = r.nextOffset;
        }
        if (bytes.length > 0) {
          out.records = bytes;
          total += bytes.length;
        }
      } catch (e) {
        out.errorCode = kafkaCode(e);
      }
    }
    responses.push({ topic: t.name ?? '', topicId: t.topicId, partitions });
  }
  const errors = responses.some((t) => t.partitions.some((p) => p.errorCode !== KafkaError.NONE));
  return { responses, total, errors };
}

export const fetchHandler = defineHandler(Fetch, async (req, rc) => {
  const { kafka, version } = rc;
  const wanted: Wanted[] = req.topics.map((t) => {
    const name = version >= 13 ? kafka.topicNameById(t.topicId) ?? null : t.topic;
    return {
      name,
      topicId: version >= 13 ? t.topicId : name === null ? ZERO_UUID : kafka.topicId(name),
      partitions: t.partitions.map((p) => ({ partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes })),
    };
  });
  const maxBytes = fetchMaxBytes(req, kafka);
  const readCommitted = req.isolationLevel === 1;
  // Starts the transaction coordinator (and its timeout of transactions left open before a restart).
  if (readCommitted) await transactions(kafka).catch(() => undefined);
  let ends = readableEnds(kafka, wanted, readCommitted);
  let result = await readAll(kafka, wanted, maxBytes, rc, readCommitted);
  const deadline = Date.now() + Math.min(Math.max(req.maxWaitMs, 0), MAX_WAIT_CAP_MS);
  // As Kafka, an error in any partition is answered at once rather than after the wait.
  while (result.total < Math.max(req.minBytes, 1) && !result.errors && Date.now() < deadline && !kafka.isClosed) {
    const keys: string[] = [];
    for (const t of wanted) if (t.name !== null) for (const p of t.partitions) keys.push(PartitionWaiters.key(t.name, p.partition));
    if (keys.length === 0) break;
    // An append that became readable while readAll ran was notified before this fetch waited:
    // read again instead. The check and the wait's registration are one synchronous step.
    if (sameEnds(readableEnds(kafka, wanted, readCommitted), ends)) await kafka.untilAppend(keys, deadline - Date.now());
    ends = readableEnds(kafka, wanted, readCommitted);
    result = await readAll(kafka, wanted, maxBytes, rc, readCommitted);
  }
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, sessionId: 0, responses: result.responses };
}, { responseBytes: fetchMaxBytes });

/** The request's maxBytes within the broker's fetchMaxBytes (Kafka's fetch.max.bytes). */
function fetchMaxBytes(req: { maxBytes: number }, kafka: KafkaContext): number {
  return Math.min(Math.max(req.maxBytes, 1), kafka.options.fetchMaxBytes);
}
