/**
 * ListOffsets: -2 earliest (log start; -4, the earliest local offset, is the same on one tier),
 * -1 latest (log end), -3 the record with the largest timestamp (looked for in the last batch,
 * where it is unless producers set timestamps out of order), and any other value: the first
 * offset whose timestamp is >= it. When no record qualifies (an empty partition, or every
 * record older), the answer is offset -1 and timestamp -1, as Kafka's. With read_committed
 * (isolation level 1) latest is the last stable offset.
 */
import { ListOffsets } from '../api/list-offsets.js';
import { KafkaError } from '../codec/error-codes.js';
import { decodeRecords } from '../../../storage/codec/record-batch.js';
import type { Log } from '../../../storage/types.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';
import { Slices } from '../server/slices.js';

const EARLIEST = -2;
const LATEST = -1;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const NOT_FOUND = { offset: -1, timestamp: -1 };

/** The timestamp of the record at `offset`, from the batch that holds it. */
async function recordAt(log: Log, offset: number, pick: 'exact' | 'max'): Promise<{ offset: number; timestamp: number }> {
  const r = await log.read(offset, 1);
  if (r.bytes.length === 0) return { offset, timestamp: -1 };
  const records = decodeRecords(r.bytes, 0);
  if (pick === 'exact') {
    const rec = records.find((x) => x.offset >= offset);
    return { offset, timestamp: rec?.timestamp ?? -1 };
  }
  let best = records[0];
  for (const x of records) if (best === undefined || x.timestamp > best.timestamp) best = x;
  return best ? { offset: best.offset, timestamp: best.timestamp } : { offset: -1, timestamp: -1 };
}

async function lookup(log: Log, timestamp: number): Promise<{ offset: number; timestamp: number }> {
  if (timestamp === EARLIEST || timestamp === EARLIEST_LOCAL) return { offset: log.logStartOffset, timestamp: -1 };
  if (timestamp === LATEST) return { offset: log.nextOffset, timestamp: -1 };
  if (log.nextOffset === log.logStartOffset) return NOT_FOUND;
  if (timestamp === MAX_TIMESTAMP) return recordAt(log, log.nextOffset - 1, 'max');
  const offset = await log.offsetForTimestamp(timestamp);
  if (offset === null) return NOT_FOUND;
  return recordAt(log, offset, 'exact');
}

export const listOffsetsHandler = defineHandler(ListOffsets, async (req, { kafka }) => {
  const topics = [];
  const slices = new Slices();
  for (const t of req.topics) {
    const topic = kafka.topic(t.name);
    const partitions = [];
    for (const p of t.partitions) {
      if (slices.due()) await slices.turn();
      const out = { partitionIndex: p.partitionIndex, errorCode: KafkaError.NONE as number, timestamp: -1, offset: -1, leaderEpoch: 0 };
      partitions.push(out);
      if (!topic || p.partitionIndex < 0 || p.partitionIndex >= topic.partitionCount) {
        out.errorCode = KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
        out.leaderEpoch = -1;
        continue;
      }
      try {
        const log = topic.partition(p.partitionIndex);
        const found = p.timestamp === LATEST && req.isolationLevel === 1
          ? { offset: log.transactions?.lastStableOffset() ?? log.nextOffset, timestamp: -1 }
          : await lookup(log, p.timestamp);
        out.offset = found.offset;
        out.timestamp = found.timestamp;
      } catch (e) {
        out.errorCode = kafkaCode(e);
      }
    }
    topics.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
});
