/**
 * Reading and writing a segment's .snapshot of the producer state (layout: ProducerSnapshotHeader
 * in layout.ts, in the envelope of state-file.ts). Only a hint: one that is missing, fails its
 * CRC or does not fit its segment is passed over, and the state is replayed from an earlier
 * one, or from the .log (producer-recovery.ts).
 */
import { readInt64, writeInt64 } from '../codec/batch-layout.js';
import type { StorageFs } from '../fs/types.js';
import { PRODUCER_BATCHES_KEPT, PRODUCER_SNAPSHOT_VERSION, ProducerSnapshotBatch, ProducerSnapshotEntry as EntryLayout, ProducerSnapshotHeader } from './layout.js';
import { ProducerEntry, ProducerStates, SEQUENCE_MOD } from './producer-state.js';
import type { Segment } from './segment.js';
import { newStateFile, offsetLike, openStateFile, readSegmentFile, sealStateFile, writeSegmentFile } from './state-file.js';

export interface ProducerSnapshot {
  /** The offset the state is as of. */
  offset: number;
  producers: ProducerStates;
}

/** The state as of `offset` (the caller has applied every batch below it and none after). */
export function encodeProducerSnapshot(offset: number, states: ProducerStates): Buffer {
  let size = ProducerSnapshotHeader.bytes;
  for (const e of states.entries.values()) size += EntryLayout.bytes + e.count * ProducerSnapshotBatch.bytes;
  const out = newStateFile(PRODUCER_SNAPSHOT_VERSION, offset, size);
  out.writeUInt32BE(states.entries.size, ProducerSnapshotHeader.producerCount);
  let at = ProducerSnapshotHeader.bytes;
  for (const [pid, e] of states.entries) {
    writeInt64(out, at + EntryLayout.producerId, pid);
    out.writeInt16BE(e.epoch, at + EntryLayout.epoch);
    writeInt64(out, at + EntryLayout.lastTimestamp, e.lastTimestamp);
    out.writeUInt8(e.count, at + EntryLayout.batchCount);
    at += EntryLayout.bytes;
    for (let i = 0; i < e.count; i++, at += ProducerSnapshotBatch.bytes) {
      out.writeInt32BE(e.firstSeq(i), at + ProducerSnapshotBatch.firstSequence);
      out.writeInt32BE(e.lastSeq(i), at + ProducerSnapshotBatch.lastSequence);
      writeInt64(out, at + ProducerSnapshotBatch.lastOffset, e.lastOffset(i));
    }
  }
  return sealStateFile(out);
}

const sequenceLike = (n: number): boolean => n >= 0 && n < SEQUENCE_MOD;

/**
 * Parses a .snapshot of the segment at `base`; null unless the CRC, the sizes and every entry
 * are right and its offset is at or after `base` (the caller checks it against the segment's end).
 */
export function parseProducerSnapshot(bytes: Buffer, base: number): ProducerSnapshot | null {
  const file = openStateFile(bytes, PRODUCER_SNAPSHOT_VERSION, ProducerSnapshotHeader.bytes);
  if (file === null || file.offset < base) return null;
  const { offset, bodyEnd } = file;
  const count = bytes.readUInt32BE(ProducerSnapshotHeader.producerCount);
  const producers = new ProducerStates();
  let at = ProducerSnapshotHeader.bytes;
  for (let p = 0; p < count; p++) {
    if (at + EntryLayout.bytes > bodyEnd) return null;
    const pid = readInt64(bytes, at + EntryLayout.producerId);
    const epoch = bytes.readInt16BE(at + EntryLayout.epoch);
    const lastTimestamp = readInt64(bytes, at + EntryLayout.lastTimestamp);
    const batches = bytes.readUInt8(at + EntryLayout.batchCount);
    at += EntryLayout.bytes;
    if (!offsetLike(pid) || epoch < 0 || batches > PRODUCER_BATCHES_KEPT || producers.entries.has(pid)) return null;
    if (at + batches * ProducerSnapshotBatch.bytes > bodyEnd) return null;
    const e = new ProducerEntry(epoch, lastTimestamp);
    let prevLast = -1;
    for (let i = 0; i < batches; i++, at += ProducerSnapshotBatch.bytes) {
      const firstSeq = bytes.readInt32BE(at + ProducerSnapshotBatch.firstSequence);
      const lastSeq = bytes.readInt32BE(at + ProducerSnapshotBatch.lastSequence);
      const lastOffset = readInt64(bytes, at + ProducerSnapshotBatch.lastOffset);
      if (!sequenceLike(firstSeq) || !sequenceLike(lastSeq) || !offsetLike(lastOffset) || lastOffset <= prevLast || lastOffset >= offset) return null;
      e.push(firstSeq, lastSeq, lastOffset);
      prevLast = lastOffset;
    }
    producers.restore(pid, e);
  }
  return at === bodyEnd ? { offset, producers } : null;
}

/** The segment's .snapshot parsed, or null when it is missing or malformed. */
export async function readProducerSnapshot(fs: StorageFs, seg: Segment): Promise<ProducerSnapshot | null> {
  const bytes = await readSegmentFile(fs, seg, 'snapshot');
  return bytes === null ? null : parseProducerSnapshot(bytes, seg.base);
}

/** `snapshot` as encodeProducerSnapshot made it. */
export function writeProducerSnapshot(fs: StorageFs, seg: Segment, snapshot: Buffer): Promise<void> {
  return writeSegmentFile(fs, seg, 'snapshot', snapshot);
}
