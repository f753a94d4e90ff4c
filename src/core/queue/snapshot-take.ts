/**
 * Collects a checkpoint from the queue's live structures (format in snapshot.ts). Runs
 * synchronously, between two journal appends, so it sees exactly the events numbered <= seq.
 * Leases and dead letters in progress are written as ready entries with their delivery
 * counts: a restart makes them ready again. Messages at or past the header's logEnd are left
 * out whatever their state: their appends are not durable yet (recovery finds them in the log
 * tail if they survive a crash), and no journaled event names them yet.
 */
import type { DedupWindow } from './dedup.js';
import type { DeadLetterJob } from './dead-letterer.js';
import type { DelayHeap } from './delay-heap.js';
import type { LeaseTable } from './lease.js';
import type { ReadySet } from './ready-set.js';
import { SnapshotWriter, type SnapshotHeader } from './snapshot.js';

export interface SnapshotSources {
  ready: ReadySet;
  delayed: DelayHeap;
  leases: LeaseTable;
  deadLetters: ReadonlySet<DeadLetterJob>;
  /** Counts of unsettled messages that are not leased. */
  deliveryCounts: ReadonlyMap<number, number>;
  dedup: DedupWindow;
}

export function takeSnapshot(h: SnapshotHeader, s: SnapshotSources, now: number): Buffer {
  const w = new SnapshotWriter(h);
  const end = h.logEnd;
  s.ready.forEachRun((start, count, size, expiresAt, level, group) => {
    if (start < end) w.entry(start, Math.min(count, end - start), size, expiresAt, 0, level, group);
  });
  s.delayed.forEach((e) => {
    if (e.offset < end) w.entry(e.offset, 1, e.size, e.expiresAt, e.dueAt, e.level, e.groupId);
  });
  for (const l of s.leases.values()) if (l.offset < end) w.entry(l.offset, 1, l.size, l.expiresAt, 0, l.level, l.group?.id ?? null);
  for (const j of s.deadLetters) if (j.offset < end) w.entry(j.offset, 1, j.size, j.expiresAt, 0, j.level, j.groupId);
  for (const [offset, count] of s.deliveryCounts) if (offset < end) w.deliveryCount(offset, count);
  for (const l of s.leases.values()) if (l.offset < end) w.deliveryCount(l.offset, l.deliveryCount);
  for (const j of s.deadLetters) if (j.deliveryCount > 0 && j.offset < end) w.deliveryCount(j.offset, j.deliveryCount);
  s.dedup.forEach((id, e) => {
    if (e.expiresAt > now && e.offset < end) w.dedup(id, e.offset, e.expiresAt);
  });
  return w.finish();
}
