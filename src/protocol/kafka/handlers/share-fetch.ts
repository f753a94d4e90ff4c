/**
 * ShareFetch (KIP-932): acknowledgements first, then acquisition. The member's share session
 * lists the partitions it fetches; each is a share partition (core/share/) whose available
 * records are acquired for the member, locked for group.share.record.lock.duration.ms. The
 * answer carries the stored batches that hold them (as Kafka, whole batches: the client keeps
 * only the acquired offsets) and the acquired ranges with their delivery counts. With nothing
 * to acquire it waits up to maxWaitMs for an append or a release.
 */
import { ShareFetch, type ShareFetchResponse } from '../api/share-fetch.js';
import { KafkaError } from '../codec/error-codes.js';
import type { AcquiredRecord } from '../../../core/share/share-partition.js';
import { AckType } from '../../../core/share/share-partition.js';
import { PartitionWaiters } from '../../../core/topic/partition-waiters.js';
import { acknowledge, MAX_SESSION_PARTITIONS, sessionFor } from '../groups/share/requests.js';
import { FINAL_EPOCH } from '../groups/share/sessions.js';
import type { KafkaContext } from '../server/context.js';
import { defineHandler } from '../server/handler.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type PartitionData = Mutable<ShareFetchResponse['responses'][number]['partitions'][number]>;

/** Most bytes of records one answer carries (whatever maxBytes asks), and how often a waiting fetch looks again for released records. */
export const SHARE_FETCH_MAX_BYTES = 64 * 1024 * 1024;
const RECHECK_MS = 250;
/** Longest a ShareFetch waits, whatever maxWaitMs asks (as Fetch). */
const MAX_WAIT_CAP_MS = 30_000;
let rotation = 0;

export const shareFetchHandler = defineHandler(ShareFetch, async (req, { kafka, conn, version }) => {
  const lockMs = kafka.share.optionsFor(req.groupId ?? '').recordLockDurationMs;
  const answer = (errorCode: number, errorMessage: string | null, responses: ShareFetchResponse['responses'] = []) => ({
    throttleTimeMs: 0, errorCode, errorMessage, acquisitionLockTimeoutMs: lockMs, responses, nodeEndpoints: [],
  });
  const groupId = req.groupId;
  const memberId = req.memberId;
  if (groupId === null || groupId === '' || memberId === null || memberId === '') return answer(KafkaError.INVALID_REQUEST, 'GroupId and MemberId must be set.');
  const denied = conn.session ? topicsOf(kafka, req.topics).filter((t) => !conn.session!.mayAccessTopic(t, 'read')) : [];
  const session = sessionFor(kafka, groupId, memberId, req.shareSessionEpoch, true);
  if (!('partitions' in session)) return answer(session.errorCode, session.errorMessage);

  // Session membership: forgotten partitions out, requested ones in.
  for (const f of req.forgottenTopicsData) {
    const name = kafka.topicNameById(f.topicId);
    if (name !== undefined) for (const p of f.partitions) session.partitions.delete(`${name}\u0000${p}`);
  }
  const byKey = new Map<string, PartitionData & { topicId: string }>();
  const entry = (topicId: string, partitionIndex: number): PartitionData & { topicId: string } => {
    const k = `${topicId}\u0000${partitionIndex}`;
    let e = byKey.get(k);
    if (e === undefined) {
      e = {
        topicId, partitionIndex, errorCode: KafkaError.NONE, errorMessage: null, acknowledgeErrorCode: KafkaError.NONE, acknowledgeErrorMessage: null,
        currentLeader: { leaderId: kafka.node.nodeId, leaderEpoch: 0 }, records: null, acquiredRecords: [],
      };
      byKey.set(k, e);
    }
    return e;
  };
  const acks = [];
  for (const t of req.topics) {
    const name = kafka.topicNameById(t.topicId);
    const topic = name === undefined ? undefined : kafka.topic(name);
    for (const p of t.partitions) {
      const e = entry(t.topicId, p.partitionIndex);
      if (name === undefined || topic === undefined) e.errorCode = KafkaError.UNKNOWN_TOPIC_ID;
      else if (denied.includes(name)) e.errorCode = KafkaError.TOPIC_AUTHORIZATION_FAILED;
      else if (p.partitionIndex < 0 || p.partitionIndex >= topic.partitionCount) e.errorCode = KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
      else {
        if (req.shareSessionEpoch !== FINAL_EPOCH && session.partitions.size < MAX_SESSION_PARTITIONS) {
          session.partitions.set(`${name}\u0000${p.partitionIndex}`, { topic: name, partition: p.partitionIndex });
        }
        if (p.acknowledgementBatches.length > 0) acks.push({ topicId: t.topicId, partitionIndex: p.partitionIndex, acknowledgementBatches: p.acknowledgementBatches });
      }
    }
  }
  for (const o of await acknowledge(kafka, groupId, memberId, acks, version >= 2)) {
    const e = entry(o.topicId, o.partitionIndex);
    e.acknowledgeErrorCode = o.errorCode;
    e.acknowledgeErrorMessage = o.errorMessage;
  }
  if (req.shareSessionEpoch === FINAL_EPOCH) {
    const closed = kafka.share.sessions.close(groupId, memberId);
    if (closed !== undefined) kafka.share.endSession(closed);
    return answer(KafkaError.NONE, null, group(byKey));
  }

  // Acquire.
  const maxRecords = Math.max(0, version >= 1 ? req.maxRecords : 500);
  const parts = [...session.partitions.values()].filter((p) => kafka.topic(p.topic) !== undefined);
  if (maxRecords > 0 && parts.length > 0 && !req.isRenewAck) {
    const start = rotation++ % parts.length;
    const ordered = [...parts.slice(start), ...parts.slice(0, start)];
    const deadline = Date.now() + Math.min(Math.max(0, req.maxWaitMs), MAX_WAIT_CAP_MS);
    const got = new Map<string, { topic: string; partition: number; records: AcquiredRecord[] }>();
    for (;;) {
      let remaining = maxRecords;
      for (const p of ordered) {
        if (remaining <= 0) break;
        const sp = await kafka.share.partition(groupId, p.topic, p.partition);
        const records = await sp.acquire(memberId, remaining, lockMs);
        if (records.length === 0) continue;
        remaining -= records.length;
        got.set(`${p.topic}\u0000${p.partition}`, { topic: p.topic, partition: p.partition, records });
      }
      const now = Date.now();
      if (got.size > 0 || now >= deadline || kafka.isClosed) break;
      await kafka.untilAppend(ordered.map((p) => PartitionWaiters.key(p.topic, p.partition)), Math.min(deadline - now, RECHECK_MS));
    }
    let budget = Math.min(Math.max(req.maxBytes, 1), SHARE_FETCH_MAX_BYTES);
    for (const { topic, partition, records } of got.values()) {
      const e = entry(kafka.topicId(topic), partition);
      records.sort((a, b) => a.offset - b.offset);
      const read = await readCovering(kafka, topic, partition, records, budget);
      budget = Math.max(0, budget - read.bytes.length);
      // Records past what fits are given back at once (as released: available again).
      const sp = await kafka.share.partition(groupId, topic, partition);
      for (const r of records) if (r.offset > read.lastOffset) sp.acknowledge(memberId, r.offset, r.offset, AckType.release);
      const kept = records.filter((r) => r.offset <= read.lastOffset);
      if (kept.length === 0) continue;
      e.records = read.bytes;
      e.acquiredRecords = ranges(kept);
    }
  }
  return answer(KafkaError.NONE, null, group(byKey));
}, { releasesRequest: true });

function topicsOf(kafka: KafkaContext, topics: readonly { topicId: string }[]): string[] {
  const out: string[] = [];
  for (const t of topics) {
    const n = kafka.topicNameById(t.topicId);
    if (n !== undefined) out.push(n);
  }
  return out;
}

function group(byKey: Map<string, PartitionData & { topicId: string }>): ShareFetchResponse['responses'] {
  const topics = new Map<string, PartitionData[]>();
  for (const e of byKey.values()) {
    const { topicId, ...p } = e;
    let list = topics.get(topicId);
    if (list === undefined) topics.set(topicId, (list = []));
    list.push(p);
  }
  return [...topics].map(([topicId, partitions]) => ({ topicId, partitions }));
}

/** Consecutive offsets with one delivery count form one range. */
function ranges(records: readonly AcquiredRecord[]): { firstOffset: number; lastOffset: number; deliveryCount: number }[] {
  const out: { firstOffset: number; lastOffset: number; deliveryCount: number }[] = [];
  for (const r of records) {
    const last = out[out.length - 1];
    if (last !== undefined && last.lastOffset + 1 === r.offset && last.deliveryCount === r.deliveryCount) last.lastOffset = r.offset;
    else out.push({ firstOffset: r.offset, lastOffset: r.offset, deliveryCount: Math.min(r.deliveryCount, 0x7fff) });
  }
  return out;
}

/**
 * The stored batches from the first acquired offset through the last, within `budget` bytes
 * (at least one batch); lastOffset: the last offset the bytes cover.
 */
async function readCovering(kafka: KafkaContext, topic: string, partition: number, records: readonly AcquiredRecord[], budget: number): Promise<{ bytes: Buffer; lastOffset: number }> {
  const log = kafka.topic(topic)!.partition(partition);
  const want = records[records.length - 1]!.offset;
  const chunks: Buffer[] = [];
  let total = 0;
  let pos = records[0]!.offset;
  let covered = pos - 1;
  while (pos <= want) {
    const r = await log.read(pos, Math.max(1, budget - total), chunks.length === 0);
    if (r.bytes.length === 0) break;
    chunks.push(r.bytes);
    total += r.bytes.length;
    covered = lastOffsetIn(r.bytes);
    if (covered < pos) break;
    pos = covered + 1;
    if (total >= budget) break;
  }
  return { bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), lastOffset: covered };
}

/** The last offset of the last whole batch in `bytes`. */
function lastOffsetIn(bytes: Buffer): number {
  let pos = 0;
  let last = -1;
  while (pos + 12 <= bytes.length) {
    const base = Number(bytes.readBigInt64BE(pos));
    const len = bytes.readInt32BE(pos + 8);
    if (pos + 12 + len > bytes.length || len < 49) break;
    last = base + bytes.readInt32BE(pos + 23);
    pos += 12 + len;
  }
  return last;
}
