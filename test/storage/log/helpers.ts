/** Shared test helpers: batches, decoding, a driven clock, and fixtures over disk and sim. */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type BatchHeader, decodeRecords, encodeBatch, forEachBatch } from '../../../src/storage/codec/record-batch.js';
import { diskFs } from '../../../src/storage/fs/disk.js';
import { SimFs } from '../../../src/storage/fs/sim.js';
import type { StorageFs } from '../../../src/storage/fs/types.js';
import { openLog, type SegmentLog } from '../../../src/storage/log/index.js';
import { type Clock, type LogConfig, parseFsyncPolicy } from '../../../src/storage/types.js';

export interface Rec {
  key?: string | null;
  value?: string | null;
  ts?: number;
  headers?: { key: string; value: string }[];
}

export function batch(recs: Rec[]): Buffer {
  return encodeBatch(
    recs.map((r) => ({
      key: r.key === undefined || r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value ?? ''),
      timestamp: r.ts ?? 1_000,
      headers: r.headers?.map((h) => ({ key: h.key, value: Buffer.from(h.value) })),
    })),
  );
}

export interface Got {
  offset: number;
  key: string | null;
  value: string | null;
  ts: number;
  headers: { key: string; value: string }[];
}

/** Every record in concatenated batch bytes (CRCs checked). */
export function records(bytes: Buffer): Got[] {
  const out: Got[] = [];
  forEachBatch(bytes, (_h, pos) => {
    for (const r of decodeRecords(bytes, pos, { verifyCrc: true })) {
      out.push({
        offset: r.offset,
        key: r.key === null ? null : r.key.toString(),
        value: r.value === null ? null : r.value.toString(),
        ts: r.timestamp,
        headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? '' : h.value.toString() })),
      });
    }
  });
  return out;
}

/** Reads the whole log from logStartOffset, batch by batch. */
export async function readAll(log: SegmentLog, maxBytes = 64 * 1024): Promise<Got[]> {
  const out: Got[] = [];
  let offset = log.logStartOffset;
  while (offset < log.nextOffset) {
    const r = await log.read(offset, maxBytes);
    if (r.bytes.length === 0) break;
    let last = offset;
    forEachBatch(r.bytes, (h) => {
      last = h.baseOffset + h.lastOffsetDelta;
    });
    for (const g of records(r.bytes)) if (g.offset >= offset) out.push(g);
    offset = last + 1;
  }
  return out;
}

/** Visits every batch of the log from logStartOffset, in offset order (an oracle's full scan). */
export async function eachBatch(log: SegmentLog, visit: (h: BatchHeader, bytes: Buffer, pos: number) => void): Promise<void> {
  let offset = log.logStartOffset;
  while (offset < log.nextOffset) {
    const { bytes } = await log.read(offset, 64 * 1024);
    if (bytes.length === 0) break;
    forEachBatch(bytes, (h, pos) => {
      offset = h.baseOffset + h.lastOffsetDelta + 1;
      visit(h, bytes, pos);
    });
  }
}

/** Resolves after n turns of the event loop: lets a running workload get that far before a crash. */
export function ticks(n: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (k: number): void => void (k <= 0 ? resolve() : setImmediate(() => step(k - 1)));
    step(n);
  });
}

export class TestClock implements Clock {
  constructor(public ms = 1_000_000) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A place to open (and reopen) one log: a fresh temp dir on disk, or a fresh SimFs. */
export interface LogFixture {
  readonly fs: StorageFs;
  readonly dir: string;
  open(config?: Partial<LogConfig>, clock?: Clock): Promise<SegmentLog>;
  cleanup(): Promise<void>;
}

export type FixtureFactory = () => LogFixture;

function fixture(fs: StorageFs, dir: string, base: Partial<LogConfig>, cleanup: () => Promise<void>): LogFixture {
  // On the simulator each open is a new "process" (a mount), which dies at the next crash().
  const processFs = (): StorageFs => (fs instanceof SimFs ? fs.mount() : fs);
  return {
    fs,
    dir,
    open: (config = {}, clock) => openLog({ fs: processFs(), dir, config: { ...base, ...config }, ...(clock ? { clock } : {}) }),
    cleanup,
  };
}

export function diskFixture(fsync: string): FixtureFactory {
  return () => {
    const root = mkdtempSync('/tmp/hopper-log-test-');
    return fixture(diskFs, join(root, 'log'), { fsync: parseFsyncPolicy(fsync) }, () => rm(root, { recursive: true, force: true }));
  };
}

export function simFixture(fsync = 'always', seed = 1): FixtureFactory {
  return () => fixture(new SimFs({ seed }), '/data/log', { fsync: parseFsyncPolicy(fsync) }, async () => undefined);
}

export function simFixtureOn(sim: SimFs, dir = '/data/log', fsync = 'always'): LogFixture {
  return fixture(sim, dir, { fsync: parseFsyncPolicy(fsync) }, async () => undefined);
}

export async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if ((err as { code?: string }).code !== code) throw new Error(`expected ${code}, got ${(err as Error).message}`, { cause: err });
    return err as Error;
  }
  throw new Error(`expected rejection with ${code}, but it resolved`);
}
