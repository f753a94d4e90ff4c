/**
 * Rebuilds a queue's consumption state on open from (1) the last complete checkpoint in the
 * state log, (2) the messages published after it (a scan of the message log's tail), and
 * (3) the state events after it. What must hold afterwards:
 *
 * - a message whose settle event was durable is not there (never redelivered);
 * - every other stored message is, ready (or delayed if not yet due), with its delivery count;
 * - within a lane, messages are in offset order (leases in flight at the stop are back in
 *   place, not at the front: a restart cannot know the order requeues would have had);
 * - the state agrees with the message log actually found: a message whose record is gone (the
 *   log lost its tail, see Log.lost, or recovery found it damaged, Log.damage) is dropped and
 *   counted in `lost`, not left listed where no read can ever deliver it.
 */
import type { Log } from '../../storage/types.js';
import { decodeMessages } from '../../storage/codec/message-codec.js';
import type { Message } from '../message.js';
import { RecordKind, replayEvents, type EventSink } from './journal-format.js';
import { takeQueueMeta, type QueueMeta } from './queue-header.js';
import { decodeSnapshot, EntryList, type DecodedSnapshot } from './snapshot.js';
import { SettledSet } from './settled-set.js';
import type { MessageInfo } from './message-info.js';
import { emptyInfo } from './message-info.js';

const READ_CHUNK_BYTES = 1024 * 1024;

export interface Recovered {
  /** Last event number used; the journal continues after it. */
  lastSeq: number;
  /** The previous run did not close cleanly. */
  unclean: boolean;
  suspectBelow: number;
  /** The message log's end: everything below is accounted for. */
  logEnd: number;
  /** The checkpoint's logEnd (message log records at or above it are needed on restart). */
  checkpointLogEnd: number;
  /** Unsettled messages as maximal runs sorted by offset. */
  entries: EntryList;
  deliveryCounts: Map<number, number>;
  dedup: Map<string, { offset: number; expiresAt: number }>;
  settled: SettledSet;
  messagesScanned: number;
  eventsReplayed: number;
  /** Unsettled messages whose records the message log no longer has (null when none). */
  lost: { count: number; fromOffset: number; toOffset: number } | null;
}

/** Describes one stored message for indexing; meta is its queue header (or null). */
export type Describe = (m: Message, meta: QueueMeta | null, out: MessageInfo) => { info: MessageInfo; dedupExpiresAt: number };

async function readState(state: Log): Promise<{ cp: DecodedSnapshot | null; events: Buffer[]; maxSeq: number }> {
  let cp: DecodedSnapshot | null = null;
  let events: Buffer[] = [];
  let maxSeq = 0;
  let parts: { seq: number; count: number; chunks: Buffer[] } | null = null;
  let pos = state.logStartOffset;
  while (pos < state.nextOffset) {
    const r = await state.read(pos, READ_CHUNK_BYTES);
    const records = decodeMessages(r.bytes, pos);
    if (records.length === 0) break;
    for (const { offset, message } of records) {
      pos = offset + 1;
      const v = message.value;
      if (v === null || v.length === 0) continue;
      if (v[0] === RecordKind.events) {
        events.push(v);
        maxSeq = Math.max(maxSeq, v.readDoubleBE(1) + v.readUInt32BE(9) - 1);
      } else if (v[0] === RecordKind.checkpoint) {
        const seq = v.readDoubleBE(1);
        const idx = v.readUInt32BE(9);
        const count = v.readUInt32BE(13);
        const chunk = v.subarray(17);
        if (idx === 0) parts = { seq, count, chunks: [chunk] };
        else if (parts !== null && parts.seq === seq && idx === parts.chunks.length) parts.chunks.push(chunk);
        else parts = null;
        if (parts !== null && parts.chunks.length === parts.count) {
          cp = decodeSnapshot(Buffer.concat(parts.chunks));
          maxSeq = Math.max(maxSeq, cp.seq);
          events = []; // every event before a checkpoint's parts is covered by it
          parts = null;
        }
      }
    }
  }
  return { cp, events, maxSeq };
}

/**
 * `uniform`: every message is described alike whatever it holds (a follower queue's), so the
 * message-log tail after the checkpoint is one run, taken without reading it: a share
 * partition's topic may have grown by gigabytes since.
 */
export async function recoverQueueState(messages: Log, state: Log, describe: Describe, now: number, uniform: MessageInfo | null = null): Promise<Recovered> {
  const { cp, events, maxSeq } = await readState(state);
  const afterSeq = cp?.seq ?? 0;
  const all = cp?.entries ?? new EntryList();
  const deliveryCounts = cp?.deliveryCounts ?? new Map<number, number>();
  const dedup = new Map<string, { offset: number; expiresAt: number }>();
  const logStart = messages.logStartOffset;
  const logEnd = messages.nextOffset;
  const gone = goneRecords(messages);
  for (const d of cp?.dedup ?? []) if (d.expiresAt > now && !gone(d.offset)) dedup.set(d.id, { offset: d.offset, expiresAt: d.expiresAt });

  // Messages published after the checkpoint.
  let pos = Math.max(cp?.logEnd ?? 0, logStart);
  let scanned = 0;
  const info = emptyInfo();
  if (uniform !== null && pos < logEnd) {
    all.add(pos, logEnd - pos, uniform.size, uniform.expiresAt, uniform.dueAt, uniform.level, uniform.groupId);
    pos = logEnd;
  }
  while (pos < logEnd) {
    const r = await messages.read(pos, READ_CHUNK_BYTES);
    const records = decodeMessages(r.bytes, pos);
    if (records.length === 0) break;
    for (const { offset, message } of records) {
      pos = offset + 1;
      scanned++;
      const meta = takeQueueMeta(message);
      const d = describe(message, meta, info);
      const i = d.info;
      all.add(offset, 1, i.size, i.expiresAt, i.dueAt, i.level, i.groupId);
      if (i.dedupId !== null && d.dedupExpiresAt > now) dedup.set(i.dedupId, { offset, expiresAt: d.dedupExpiresAt });
    }
  }

  // Events after the checkpoint.
  const settledByEvent = new SettledSet(0);
  let opened = false;
  let replayed = 0;
  const sink: EventSink = {
    settle: (o) => (settledByEvent.add(o), replayed++),
    settleRange: (s, c) => (settledByEvent.addRange(s, s + c), replayed++),
    delivered: (o) => (deliveryCounts.set(o, (deliveryCounts.get(o) ?? 0) + 1), replayed++),
    opened: () => ((opened = true), replayed++),
    undelivered: (o) => {
      const n = (deliveryCounts.get(o) ?? 0) - 1;
      if (n > 0) deliveryCounts.set(o, n);
      else deliveryCounts.delete(o);
      replayed++;
    },
  };
  for (const v of events) replayEvents(v, afterSeq, sink);

  // Unsettled runs in offset order, minus what events settled and what the log no longer has.
  const order = Array.from({ length: all.length }, (_, k) => k).sort((a, b) => all.starts[a]! - all.starts[b]!);
  const entries = new EntryList();
  const settled = new SettledSet(logStart);
  let covered = logStart; // offsets below are either listed or settled
  let lost: Recovered['lost'] = null;
  for (const k of order) {
    const start = all.starts[k]!;
    const end = start + all.counts[k]!;
    for (let o = Math.max(start, logStart); o < end; o++) {
      if (settledByEvent.has(o)) continue;
      if (gone(o)) {
        // Left out of the entries, so settled with the gap it leaves: the floor can pass it.
        if (lost === null) lost = { count: 0, fromOffset: o, toOffset: o + 1 };
        lost.count++;
        lost.fromOffset = Math.min(lost.fromOffset, o);
        lost.toOffset = Math.max(lost.toOffset, o + 1);
        continue;
      }
      // Extend the previous run when contiguous and alike.
      const n = entries.length - 1;
      if (
        n >= 0 &&
        entries.starts[n]! + entries.counts[n]! === o &&
        entries.sizes[n] === all.sizes[k] &&
        entries.expiries[n] === all.expiries[k] &&
        entries.dues[n] === all.dues[k] &&
        entries.levels[n] === all.levels[k] &&
        entries.groups[n] === all.groups[k]
      ) {
        entries.counts[n]!++;
      } else {
        entries.add(o, 1, all.sizes[k]!, all.expiries[k]!, all.dues[k]!, all.levels[k]!, all.groups[k]!);
      }
      if (o > covered) settled.addRange(covered, o);
      covered = o + 1;
    }
  }
  if (logEnd > covered) settled.addRange(covered, logEnd);
  for (const o of [...deliveryCounts.keys()]) if (settled.has(o) || gone(o)) deliveryCounts.delete(o);

  const unclean = cp === null ? events.length > 0 || logEnd > logStart : !cp.clean || opened || replayed > 0;
  const suspectBelow = Math.max(cp?.suspectBelow ?? 0, unclean ? logEnd : 0);
  return {
    lastSeq: maxSeq,
    unclean,
    suspectBelow,
    logEnd,
    // Never past the log's end (a log opened without its high-water mark may end before it).
    checkpointLogEnd: Math.min(cp?.logEnd ?? logStart, logEnd),
    entries,
    deliveryCounts,
    dedup,
    settled,
    messagesScanned: scanned,
    eventsReplayed: replayed,
    lost,
  };
}

/**
 * Whether the message log has no record at an offset the checkpoint may list: at or past its
 * end (a log that lost its tail and had no high-water mark to go on from), in the range it
 * skipped at recovery (Log.lost), or in a range recovery found damaged (Log.damage).
 */
function goneRecords(messages: Log): (offset: number) => boolean {
  const end = messages.nextOffset;
  const ranges: { from: number; to: number }[] = [];
  if (messages.lost !== null) ranges.push(messages.lost);
  for (const d of messages.damage) ranges.push({ from: d.fromOffset, to: d.toOffset });
  return (o) => {
    if (o >= end) return true;
    for (let i = 0; i < ranges.length; i++) if (o >= ranges[i]!.from && o < ranges[i]!.to) return true;
    return false;
  };
}

/** What restore() fills: the queue's indexes. */
export interface RestoreTargets {
  ready: { pushRun(start: number, count: number, size: number, expiresAt: number, level: number, groupId: string | null): void };
  delayed: { push(dueAt: number, offset: number, size: number, expiresAt: number, level: number, groupId: string | null): void };
  dedup: { commit(id: string, offset: number, expiresAt: number): void };
}

/**
 * Puts recovered messages into the indexes: due ones ready (in offset order), the rest back in
 * the delay heap. Returns whether any message can expire (the queue then watches lane heads).
 */
export function restore(rec: Recovered, t: RestoreTargets, now: number): boolean {
  let expiring = false;
  const e = rec.entries;
  for (let k = 0; k < e.length; k++) {
    const start = e.starts[k]!;
    const count = e.counts[k]!;
    const due = e.dues[k]!;
    const exp = e.expiries[k]!;
    if (exp !== Infinity) expiring = true;
    if (due > now) {
      for (let o = start; o < start + count; o++) t.delayed.push(due, o, e.sizes[k]!, exp, e.levels[k]!, e.groups[k]!);
    } else t.ready.pushRun(start, count, e.sizes[k]!, exp, e.levels[k]!, e.groups[k]!);
  }
  for (const [id, d] of rec.dedup) t.dedup.commit(id, d.offset, d.expiresAt);
  return expiring;
}
