/**
 * Committed consumer-group offsets, kept as Kafka keeps them: records in a compacted log whose
 * key is (group, topic, partition) and whose latest value wins. A commit resolves once its
 * batch is durable; the map in memory is rebuilt from the log on open. Deleting a group writes
 * tombstones (null values), which compaction later drops.
 */
import { HopperError } from '../errors.js';
import { decodeRecords, encodeBatch, forEachBatch, type RecordInput } from '../../storage/codec/record-batch.js';
import { CRC_CHECKED, type Log } from '../../storage/types.js';

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch?: number;
  metadata?: string;
}

/** Bounds stored client metadata (Kafka's offset.metadata.max.bytes defaults to 4096). */
export const offsetMetadataMaxBytes = 4096;

const SEP = '\u0000';
const keyOf = (group: string, topic: string, partition: number): string => group + SEP + topic + SEP + partition;

// Value layout: offset i64 | leaderEpoch i32 | commitTimestamp i64 | metadata utf8 (rest).
const VALUE_FIXED_BYTES = 20;

function encodeValue(c: CommittedOffset): Buffer {
  const meta = Buffer.from(c.metadata, 'utf8');
  const buf = Buffer.allocUnsafe(VALUE_FIXED_BYTES + meta.length);
  buf.writeBigInt64BE(BigInt(c.offset), 0);
  buf.writeInt32BE(c.leaderEpoch, 8);
  buf.writeBigInt64BE(BigInt(c.commitTimestamp), 12);
  meta.copy(buf, VALUE_FIXED_BYTES);
  return buf;
}

function decodeValue(buf: Buffer): CommittedOffset | null {
  if (buf.length < VALUE_FIXED_BYTES) return null;
  return {
    offset: Number(buf.readBigInt64BE(0)),
    leaderEpoch: buf.readInt32BE(8),
    commitTimestamp: Number(buf.readBigInt64BE(12)),
    metadata: buf.toString('utf8', VALUE_FIXED_BYTES),
  };
}

export class GroupOffsets {
  /** group → "topic\0partition" → committed offset */
  private readonly groups = new Map<string, Map<string, CommittedOffset>>();

  private constructor(private readonly log: Log) {}

  static async open(log: Log): Promise<GroupOffsets> {
    const store = new GroupOffsets(log);
    let offset = log.logStartOffset;
    while (offset < log.nextOffset) {
      const { bytes } = await log.read(offset, 1024 * 1024);
      if (bytes.length === 0) break;
      let last = offset;
      forEachBatch(bytes, (header, pos) => {
        for (const rec of decodeRecords(bytes, pos)) {
          if (rec.key) store.applyRecord(rec.key.toString('utf8'), rec.value);
        }
        last = header.baseOffset + header.lastOffsetDelta + 1;
      });
      if (last <= offset) break; // a batch wider than the read: cannot happen with 1 MiB reads of small records
      offset = last;
    }
    return store;
  }

  private applyRecord(key: string, value: Buffer | null): void {
    const first = key.indexOf(SEP);
    if (first < 0) return;
    const group = key.slice(0, first);
    const rest = key.slice(first + 1);
    const decoded = value ? decodeValue(value) : null;
    let g = this.groups.get(group);
    if (decoded) {
      if (!g) this.groups.set(group, (g = new Map()));
      g.set(rest, decoded);
    } else if (g) {
      g.delete(rest);
      if (g.size === 0) this.groups.delete(group);
    }
  }

  async commit(group: string, commits: readonly OffsetCommit[], now = Date.now()): Promise<void> {
    if (commits.length === 0) return;
    const records: RecordInput[] = [];
    const entries: Array<[string, CommittedOffset]> = [];
    for (const c of commits) {
      const metadata = c.metadata ?? '';
      if (Buffer.byteLength(metadata) > offsetMetadataMaxBytes) {
        throw new HopperError('INVALID_ARGUMENT', `offset metadata over ${offsetMetadataMaxBytes} bytes`);
      }
      // Any offset, as Kafka keeps any: -2 and -1 are what kafkajs's resetOffsets commits.
      if (!Number.isSafeInteger(c.offset)) throw new HopperError('INVALID_ARGUMENT', `bad offset ${c.offset}`);
      const value: CommittedOffset = { offset: c.offset, leaderEpoch: c.leaderEpoch ?? -1, metadata, commitTimestamp: now };
      records.push({ key: Buffer.from(keyOf(group, c.topic, c.partition)), value: encodeValue(value), timestamp: now });
      entries.push([c.topic + SEP + c.partition, value]);
    }
    await this.log.append(encodeBatch(records), CRC_CHECKED);
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = new Map()));
    for (const [k, v] of entries) g.set(k, v);
  }

  fetch(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(topic + SEP + partition);
  }

  /** Every committed (topic, partition) of a group. */
  list(group: string): Array<{ topic: string; partition: number } & CommittedOffset> {
    const g = this.groups.get(group);
    if (!g) return [];
    return [...g].map(([k, v]) => {
      const i = k.lastIndexOf(SEP);
      return { topic: k.slice(0, i), partition: Number(k.slice(i + 1)), ...v };
    });
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Removes a group's offsets (Kafka DeleteGroups), durably. */
  async deleteGroup(group: string, now = Date.now()): Promise<void> {
    await this.deleteWhere(group, () => true, now);
  }

  /** Removes some of a group's committed offsets (Kafka OffsetDelete), durably. */
  async deletePartitions(group: string, partitions: readonly { topic: string; partition: number }[], now = Date.now()): Promise<void> {
    const keys = new Set(partitions.map((p) => p.topic + SEP + p.partition));
    await this.deleteWhere(group, (k) => keys.has(k), now);
  }

  /** Removes the offsets every group holds for a topic (when the topic is deleted). */
  async deleteTopic(topic: string, now = Date.now()): Promise<void> {
    for (const group of this.groupNames()) await this.deleteWhere(group, (k) => k.slice(0, k.lastIndexOf(SEP)) === topic, now);
  }

  private async deleteWhere(group: string, match: (topicPartition: string) => boolean, now: number): Promise<void> {
    const g = this.groups.get(group);
    if (!g) return;
    const keys = [...g.keys()].filter(match);
    if (keys.length === 0) return;
    await this.log.append(encodeBatch(keys.map((k) => ({ key: Buffer.from(group + SEP + k), value: null, timestamp: now }))), CRC_CHECKED);
    for (const k of keys) g.delete(k);
    if (g.size === 0) this.groups.delete(group);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
