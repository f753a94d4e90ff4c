/**
 * The write path: group commit with writev coalescing, the fsync policies, and the failure rule.
 *
 * Appends are queued in offset order with their position already reserved. One write loop
 * takes everything queued for the open segment (up to MAX_WRITE_BUFFERS / MAX_WRITE_BYTES) and
 * issues a single positional writev; one sync loop runs fdatasync on the open segment. The two
 * loops overlap, so while one fsync runs the next writev is already landing.
 *
 * Policies (docs/storage.md, "Fsync policies"):
 * - always: an append resolves only after an fdatasync that *started after its write
 *   completed* (the sync loop snapshots the written-but-unsynced queue before each call).
 *   Appends that arrive during an fsync are written meanwhile and share the next one.
 * - interval:<ms>: an append resolves once written (in the page cache); a timer fsyncs every
 *   <ms> if anything was written. Loss window: a power failure or kernel crash can lose the
 *   appends acknowledged in the last <ms> plus one fsync duration; a process crash loses
 *   nothing that was acknowledged (the kernel still has the pages).
 * - never: as interval without the timer; the kernel writes back when it likes.
 * Whatever the policy, a segment is fsynced before the next one is created (so sealed segments
 * are never torn), and flush() and close() fsync.
 *
 * Failure: the first write or fsync error sets `failure` (STORAGE_FAILED) and rejects every
 * append not yet acknowledged, and every later one. Nothing is acknowledged after that, even
 * an fsync that completes afterwards: after a failed fsync the kernel may have dropped the dirty
 * pages, so what is on disk is unknown until recovery reads it back.
 */
import { HopperError } from '../../core/errors.js';
import type { AppendResult, FsyncPolicy } from '../types.js';
import { Deque } from './deque.js';
import type { Segment } from './segment.js';

/** libuv passes at most IOV_MAX (1024 on Linux) buffers to one writev. */
const MAX_WRITE_BUFFERS = 1024;
/** Bounds one write's latency and the bytes held for it. */
const MAX_WRITE_BYTES = 4 * 1024 * 1024;

export interface PendingAppend {
  /** The batch bytes; null for a flush marker, which only waits for a sync. */
  buf: Buffer | null;
  /** Segment the batch was reserved in; null for a marker. */
  seg: Segment | null;
  pos: number;
  baseOffset: number;
  lastOffset: number;
  /** Resolve only after an fsync (policy always, and markers). */
  needsSync: boolean;
  resolve: (r: AppendResult) => void;
  reject: (e: Error) => void;
}

export interface CommitterHost {
  readonly dir: string;
  /**
   * Called by the write loop, with writes paused and `from` fully fsynced, when the next queued
   * batch belongs to `to`: seal `from`, create `to`'s file durably.
   */
  switchSegment(from: Segment, to: Segment): Promise<void>;
}

const MARKER_RESULT: AppendResult = Object.freeze({ baseOffset: -1, lastOffset: -1 });

export class Committer {
  failure: HopperError | null = null;
  /** Offsets below this are acknowledged and readable. */
  ackedOffset: number;
  /** Counters for tests and benchmarks. */
  readonly stats = { writes: 0, syncs: 0, appends: 0 };

  private readonly queue = new Deque<PendingAppend>(1024);
  private readonly unsynced = new Deque<PendingAppend>(1024);
  private syncWaiters: PendingAppend[] = [];
  private idleWaiters: (() => void)[] = [];
  private readonly iov: Buffer[] = [];
  private writing = false;
  /** Queue entries at the head whose bytes the running writev is reading. */
  private inWrite = 0;
  /** Those entries, set aside by fail() until the write returns. */
  private failedInWrite: PendingAppend[] = [];
  private syncing = false;
  private switching = false;
  /** Bytes were written since the last fsync started (the interval timer syncs only then). */
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: CommitterHost,
    private openSeg: Segment,
    private policy: FsyncPolicy,
    ackedOffset: number,
  ) {
    this.ackedOffset = ackedOffset;
    this.setPolicy(policy);
  }

  get needsSyncOnAppend(): boolean {
    return this.policy.kind === 'always';
  }

  setPolicy(policy: FsyncPolicy): void {
    this.policy = policy;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (policy.kind === 'interval' && this.failure === null) {
      this.timer = setInterval(() => {
        if (this.dirty) this.requestSync().catch(() => undefined); // a failure is recorded by fail()
      }, Math.max(1, policy.intervalMs));
      this.timer.unref();
    }
  }

  /** Queues a reserved append (or a marker) and starts the write loop if it is idle. */
  enqueue(e: PendingAppend): void {
    this.queue.push(e);
    this.stats.appends++;
    if (!this.writing) {
      // Start on a microtask, not now: the appends issued in this same tick (a burst of
      // producers woken by one fsync) then go out in one writev instead of 1 + the rest.
      this.writing = true;
      queueMicrotask(this.startWriteLoop);
    }
  }

  private readonly startWriteLoop = (): void => void this.writeLoop();

  /** Resolves after an fsync that starts after this call (flush, interval timer). */
  requestSync(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.syncWaiters.push({
        buf: null,
        seg: null,
        pos: 0,
        baseOffset: -1,
        lastOffset: -1,
        needsSync: true,
        resolve: () => resolve(),
        reject,
      });
      this.kickSync();
    });
  }

  /** Resolves when everything queued so far is written and fsynced. */
  flush(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise<AppendResult>((resolve, reject) =>
      this.enqueue({ buf: null, seg: null, pos: 0, baseOffset: -1, lastOffset: -1, needsSync: true, resolve, reject }),
    ).then(() => undefined);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Records the first I/O failure and rejects everything not yet acknowledged. */
  fail(cause: unknown, what: string): void {
    if (this.failure !== null) return;
    const msg = cause instanceof Error ? cause.message : String(cause);
    this.failure = new HopperError('STORAGE_FAILED', `log ${this.host.dir}: ${what} failed, the log is read-only until reopened: ${msg}`, { cause });
    this.stop();
    // Entries under a running write are rejected by the write loop once the write returns:
    // until then the kernel may still be reading their buffers, which callers may reuse.
    for (let i = 0; i < this.inWrite; i++) this.failedInWrite.push(this.queue.shift()!);
    for (let e = this.queue.shift(); e !== undefined; e = this.queue.shift()) e.reject(this.failure);
    for (let e = this.unsynced.shift(); e !== undefined; e = this.unsynced.shift()) e.reject(this.failure);
    for (const w of this.syncWaiters) w.reject(this.failure);
    this.syncWaiters = [];
    this.wakeIdle();
  }

  private rejectFailedInWrite(): void {
    const w = this.failedInWrite;
    if (w.length === 0) return;
    this.failedInWrite = [];
    for (const e of w) e.reject(this.failure!);
  }

  private ack(e: PendingAppend): void {
    if (e.buf === null) {
      e.resolve(MARKER_RESULT);
      return;
    }
    const seg = e.seg!;
    const end = e.pos + e.buf.length;
    if (end > seg.readable) seg.readable = end;
    this.ackedOffset = e.lastOffset + 1;
    e.resolve({ baseOffset: e.baseOffset, lastOffset: e.lastOffset });
  }

  /** Runs while the queue has entries; `writing` is set by enqueue before it is scheduled. */
  private async writeLoop(): Promise<void> {
    try {
      while (this.failure === null && this.queue.length > 0) {
        const head = this.queue.at(0)!;
        if (head.seg !== null && head.seg !== this.openSeg) {
          await this.switchTo(head.seg);
          continue;
        }
        const seg = this.openSeg;
        const iov = this.iov;
        let bytes = 0;
        let start = -1;
        let n = 0;
        for (; n < this.queue.length; n++) {
          const e = this.queue.at(n)!;
          if (e.buf === null) continue; // markers ride along with the writes before them
          if (e.seg !== seg || iov.length === MAX_WRITE_BUFFERS || (iov.length > 0 && bytes + e.buf.length > MAX_WRITE_BYTES)) break;
          if (start < 0) start = e.pos;
          iov.push(e.buf);
          bytes += e.buf.length;
        }
        if (iov.length > 0) {
          this.inWrite = n;
          try {
            await seg.file!.writev(iov, start);
          } finally {
            iov.length = 0; // drop references to the callers' buffers
            this.inWrite = 0;
            this.rejectFailedInWrite();
          }
          this.stats.writes++;
          this.dirty = true;
        }
        if (this.failure !== null) break;
        for (let i = 0; i < n; i++) {
          const e = this.queue.shift()!;
          // Acknowledgements stay in offset order: behind a batch waiting for a sync, wait too.
          if (e.needsSync || this.unsynced.length > 0) this.unsynced.push(e);
          else this.ack(e);
        }
        if (this.unsynced.length > 0) this.kickSync();
      }
    } catch (err) {
      this.fail(err, 'write');
    } finally {
      this.writing = false;
    }
  }

  private kickSync(): void {
    if (!this.syncing && !this.switching && this.failure === null && (this.unsynced.length > 0 || this.syncWaiters.length > 0)) {
      void this.syncLoop();
    }
  }

  private async syncLoop(): Promise<void> {
    this.syncing = true;
    try {
      while (this.failure === null && !this.switching && (this.unsynced.length > 0 || this.syncWaiters.length > 0)) {
        await this.syncOnce();
      }
    } catch (err) {
      this.fail(err, 'fsync');
    } finally {
      this.syncing = false;
      this.wakeIdle();
    }
  }

  /**
   * One fdatasync of the open segment. Only what was written before the call is acknowledged
   * by it: the counts are taken before the call, and anything written meanwhile waits for the next.
   */
  private async syncOnce(): Promise<void> {
    const n = this.unsynced.length;
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    this.dirty = false;
    await this.openSeg.file!.datasync();
    this.stats.syncs++;
    if (this.failure !== null) return;
    for (let i = 0; i < n; i++) this.ack(this.unsynced.shift()!);
    for (const w of waiters) w.resolve(MARKER_RESULT);
  }

  /** Roll: wait out the sync loop, fsync the old segment (every policy), let the host seal it and open the next. */
  private async switchTo(next: Segment): Promise<void> {
    this.switching = true;
    try {
      if (this.syncing) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      if (this.failure !== null) return;
      await this.syncOnce();
      if (this.failure !== null) return;
      await this.host.switchSegment(this.openSeg, next);
      this.openSeg = next;
    } catch (err) {
      this.fail(err, 'segment roll');
    } finally {
      this.switching = false;
      this.kickSync();
    }
  }

  private wakeIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
