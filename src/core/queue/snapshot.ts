/**
 * A checkpoint: the whole consumption state of a queue, so a restart replays only the events
 * after it and scans only the messages published after it. Every unsettled message appears in
 * exactly one entry (ready runs, delayed messages, and in-flight leases, which a restart makes
 * ready again); settled offsets are implied (everything in [logStart, logEnd) not listed).
 *
 *   magic u32 "HQS1" | seq f64 | logEnd f64 | suspectBelow f64 | clean u8
 *   entries u32 × (start f64 | count f64 | size f64 | expiresAt f64 | dueAt f64 | level u8 | group i32)
 *   deliveryCounts u32 × (offset f64 | count u32)
 *   dedup u32 × (id str | offset f64 | expiresAt f64)
 *   groups u32 × (id str)                  -- entries' `group` indexes this table (-1: none)
 *
 * dueAt is 0 for a ready entry. str = u32 byte length + UTF-8.
 */
import { BinaryReader, BinaryWriter } from './binary.js';

const MAGIC = 0x48515331; // "HQS1"

export interface SnapshotHeader {
  /** Events numbered <= seq are reflected. */
  seq: number;
  /** Messages below logEnd are reflected; recovery scans the message log from here. */
  logEnd: number;
  /** Messages below this may have been delivered before an unclean stop (redelivered flag). */
  suspectBelow: number;
  /** Written by close(): nothing happened after it. */
  clean: boolean;
}

export class SnapshotWriter {
  private readonly w = new BinaryWriter(64 * 1024);
  private readonly groupIndex = new Map<string, number>();
  private section: (v: number) => void;
  private n = 0;
  private stage = 0;

  constructor(h: SnapshotHeader) {
    this.w.u32(MAGIC).f64(h.seq).f64(h.logEnd).f64(h.suspectBelow).u8(h.clean ? 1 : 0);
    this.section = this.w.u32Later();
  }

  private advance(to: number): void {
    while (this.stage < to) {
      this.section(this.n);
      this.n = 0;
      this.stage++;
      if (this.stage < 3) this.section = this.w.u32Later();
    }
  }

  entry(start: number, count: number, size: number, expiresAt: number, dueAt: number, level: number, groupId: string | null): void {
    let g = -1;
    if (groupId !== null) {
      g = this.groupIndex.get(groupId) ?? -1;
      if (g < 0) {
        g = this.groupIndex.size;
        this.groupIndex.set(groupId, g);
      }
    }
    this.w.f64(start).f64(count).f64(size).f64(expiresAt).f64(dueAt).u8(level).i32(g);
    this.n++;
  }

  deliveryCount(offset: number, count: number): void {
    this.advance(1);
    this.w.f64(offset).u32(count);
    this.n++;
  }

  dedup(id: string, offset: number, expiresAt: number): void {
    this.advance(2);
    this.w.str(id).f64(offset).f64(expiresAt);
    this.n++;
  }

  finish(): Buffer {
    this.advance(3);
    this.w.u32(this.groupIndex.size);
    for (const id of this.groupIndex.keys()) this.w.str(id);
    return this.w.finish();
  }
}

/** Struct-of-arrays list of unsettled message entries (recovery input). */
export class EntryList {
  readonly starts: number[] = [];
  readonly counts: number[] = [];
  readonly sizes: number[] = [];
  readonly expiries: number[] = [];
  readonly dues: number[] = [];
  readonly levels: number[] = [];
  readonly groups: (string | null)[] = [];

  get length(): number {
    return this.starts.length;
  }

  add(start: number, count: number, size: number, expiresAt: number, dueAt: number, level: number, groupId: string | null): void {
    this.starts.push(start);
    this.counts.push(count);
    this.sizes.push(size);
    this.expiries.push(expiresAt);
    this.dues.push(dueAt);
    this.levels.push(level);
    this.groups.push(groupId);
  }
}

export interface DecodedSnapshot extends SnapshotHeader {
  entries: EntryList;
  deliveryCounts: Map<number, number>;
  dedup: { id: string; offset: number; expiresAt: number }[];
}

export function decodeSnapshot(buf: Buffer): DecodedSnapshot {
  const r = new BinaryReader(buf);
  if (r.u32() !== MAGIC) throw new Error('queue checkpoint: bad magic');
  const seq = r.f64();
  const logEnd = r.f64();
  const suspectBelow = r.f64();
  const clean = r.u8() === 1;
  const raw: [number, number, number, number, number, number, number][] = [];
  for (let i = r.u32(); i > 0; i--) raw.push([r.f64(), r.f64(), r.f64(), r.f64(), r.f64(), r.u8(), r.i32()]);
  const deliveryCounts = new Map<number, number>();
  for (let i = r.u32(); i > 0; i--) deliveryCounts.set(r.f64(), r.u32());
  const dedup: DecodedSnapshot['dedup'] = [];
  for (let i = r.u32(); i > 0; i--) dedup.push({ id: r.str(), offset: r.f64(), expiresAt: r.f64() });
  const groupIds: string[] = [];
  for (let i = r.u32(); i > 0; i--) groupIds.push(r.str());
  const entries = new EntryList();
  for (const [s, c, z, e, d, l, g] of raw) entries.add(s, c, z, e, d, l, g < 0 ? null : groupIds[g]!);
  return { seq, logEnd, suspectBelow, clean, entries, deliveryCounts, dedup };
}
