/**
 * An in-memory Log for queue tests: fast, and with a crash model. A MemoryDisk holds named
 * logs; an append becomes durable when its promise resolves (one macrotask later, like a group
 * commit), and `crash()` kills every open Log of the disk (later calls reject STORAGE_FAILED,
 * pending appends are lost) so a reopen sees exactly the durable batches.
 */
import { HopperError } from '../../../src/core/errors.js';
import { BatchField, readInt64, setBaseOffset } from '../../../src/storage/codec/batch-layout.js';
import type { AcceptedAppend, AppendResult, Log, LogConfig, ReadResult } from '../../../src/storage/types.js';
import { defaultLogConfig } from '../../../src/storage/types.js';
import type { QueueLogKind, QueueStorage } from '../../../src/core/queue/open.js';

interface StoredLog {
  batches: Buffer[];
  bases: number[];
  lasts: number[];
  nextOffset: number;
  logStartOffset: number;
}

export class MemoryDisk {
  private readonly logs = new Map<string, StoredLog>();
  generation = 0;
  appends = 0;
  /**
   * While set, appends to logs whose name contains it do not become durable (a slow fsync);
   * release() lets them land, in order.
   */
  holding: string | null = null;
  /** @internal appends waiting for release(). */
  held: (() => void)[] = [];

  stored(name: string): StoredLog {
    let s = this.logs.get(name);
    if (s === undefined) {
      s = { batches: [], bases: [], lasts: [], nextOffset: 0, logStartOffset: 0 };
      this.logs.set(name, s);
    }
    return s;
  }

  open(name: string, config: Partial<LogConfig> = {}): MemoryLog {
    return new MemoryLog(this, name, this.stored(name), this.generation, { ...defaultLogConfig, ...config });
  }

  /** Appends from now on to logs whose name contains `name` stay pending (not durable, not readable) until release(). */
  hold(name = ''): void {
    this.holding = name;
  }

  /** Lets every held append become durable, in order. */
  release(): void {
    this.holding = null;
    for (const land of this.held.splice(0)) land();
  }

  /** Power loss: open logs die; durable batches stay. */
  crash(): void {
    this.generation++;
    this.holding = null;
    for (const land of this.held.splice(0)) land(); // each rejects: its log is dead
    for (const s of this.logs.values()) {
      const last = s.lasts[s.lasts.length - 1];
      s.nextOffset = last === undefined ? s.logStartOffset : last + 1;
    }
  }

  /** A QueueStorage over this disk, logs named `${prefix}/messages` and `${prefix}/state`. */
  storage(prefix = 'q'): QueueStorage {
    return { openLog: async (kind: QueueLogKind, suggested: Partial<LogConfig>) => this.open(`${prefix}/${kind}`, suggested) };
  }
}

export class MemoryLog implements Log {
  failure: Error | null = null;
  readonly transactions = null;
  readonly producers = null;
  readonly lost = null;
  readonly damage = [];
  private closed = false;

  constructor(
    private readonly disk: MemoryDisk,
    readonly name: string,
    private readonly s: StoredLog,
    private readonly generation: number,
    public config: LogConfig,
  ) {}

  get nextOffset(): number {
    return this.s.nextOffset;
  }
  /** Durable batches are the readable ones (they are stored in offset order). */
  get ackedOffset(): number {
    const last = this.s.lasts[this.s.lasts.length - 1];
    return last === undefined ? this.s.logStartOffset : last + 1;
  }
  get logStartOffset(): number {
    return this.s.logStartOffset;
  }
  get sizeBytes(): number {
    return this.s.batches.reduce((n, b) => n + b.length, 0);
  }

  private check(): void {
    if (this.closed) throw new HopperError('CLOSED', 'memory log closed');
    if (this.disk.generation !== this.generation) throw new HopperError('STORAGE_FAILED', 'memory log crashed');
  }

  append(batch: Buffer): Promise<AppendResult> {
    try {
      return this.accept(batch).done;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  accept(batch: Buffer): AcceptedAppend {
    this.check();
    if (batch.length > this.config.maxBatchBytes) throw new HopperError('MESSAGE_TOO_LARGE', 'batch too large');
    const count = batch.readInt32BE(BatchField.lastOffsetDelta) + 1;
    // Offsets are assigned now (in call order); the batch becomes durable one turn later, or
    // when the disk's held syncs are released.
    const base = this.s.nextOffset;
    this.s.nextOffset += count;
    setBaseOffset(batch, 0, base);
    const copy = Buffer.from(batch);
    this.disk.appends++;
    const done = new Promise<AppendResult>((resolve, reject) => {
      const land = (): void => {
        if (this.disk.generation !== this.generation) {
          reject(new HopperError('STORAGE_FAILED', 'memory log crashed'));
          return;
        }
        this.s.batches.push(copy);
        this.s.bases.push(base);
        this.s.lasts.push(base + count - 1);
        resolve({ baseOffset: base, lastOffset: base + count - 1 });
      };
      setImmediate(() => {
        const h = this.disk.holding;
        if (h !== null && this.name.includes(h)) this.disk.held.push(land);
        else land();
      });
    });
    return { baseOffset: base, lastOffset: base + count - 1, done };
  }

  async read(offset: number, maxBytes: number): Promise<ReadResult> {
    this.check();
    const s = this.s;
    if (offset < s.logStartOffset || offset > s.nextOffset) throw new HopperError('OFFSET_OUT_OF_RANGE', `offset ${offset}`);
    // First batch whose last offset >= offset.
    let lo = 0;
    let hi = s.lasts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s.lasts[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    const out: Buffer[] = [];
    let bytes = 0;
    for (let i = lo; i < s.batches.length; i++) {
      const b = s.batches[i]!;
      if (out.length > 0 && bytes + b.length > maxBytes) break;
      out.push(b);
      bytes += b.length;
    }
    return { bytes: Buffer.concat(out), nextOffset: s.nextOffset, logStartOffset: s.logStartOffset };
  }

  async offsetForTimestamp(): Promise<number | null> {
    return null;
  }

  async deleteRecordsBefore(offset: number): Promise<void> {
    this.check();
    const s = this.s;
    if (offset <= s.logStartOffset) return;
    s.logStartOffset = Math.min(offset, s.nextOffset);
    while (s.lasts.length > 0 && s.lasts[0]! < s.logStartOffset) {
      s.batches.shift();
      s.bases.shift();
      s.lasts.shift();
    }
  }

  async enforceRetention(): Promise<void> {}

  reconfigure(config: Partial<LogConfig>): void {
    this.config = { ...this.config, ...config };
  }

  async flush(): Promise<void> {
    this.check();
    await new Promise<void>((r) => setImmediate(r));
  }

  async close(): Promise<void> {
    if (this.disk.generation === this.generation) await new Promise<void>((r) => setImmediate(r));
    this.closed = true;
  }
}

/** For assertions on stored bytes. */
export function baseOffsetOf(batch: Buffer): number {
  return readInt64(batch, BatchField.baseOffset);
}
