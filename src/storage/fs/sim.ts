/**
 * An in-memory StorageFs that models what survives a crash, for tests of the durability
 * contract. Per file it keeps the current bytes and the durable (synced) bytes (sim-inode.ts);
 * per directory it keeps the current entries and the durable ones, which only syncDir updates.
 * crash() keeps the durable views and drops the rest: unsynced bytes, and unsynced creates,
 * renames and unlinks.
 *
 * A process is a `mount()`: a StorageFs view bound to the current epoch. crash() ends the epoch,
 * so every later call through an old mount, and through handles it opened, fails with EBADF,
 * as a dead process makes no more calls. Open the next "process" on a fresh mount(). SimFs
 * itself is also a StorageFs that always acts as the current process (no crash isolation).
 *
 * Every operation completes on a later macrotask (setImmediate), never synchronously, so
 * concurrent callers interleave as they do over a threadpool: appends can arrive while a write
 * or a sync is in flight. Faults (sim-faults.ts) are deterministic for a given seed.
 *
 * Simplification: directories themselves are durable as soon as mkdirp creates them.
 */
import { posix } from 'node:path';
import { writeFileAtomicVia } from './atomic.js';
import { errnoError, type FaultMatch, FaultPlan, SeededRandom, type SimErrorCode, type SimOp } from './sim-faults.js';
import { SimFile, SimMount } from './sim-handles.js';
import { SimInode } from './sim-inode.js';
import type { OpenMode, StorageFile, StorageFs } from './types.js';

export type { FaultMatch, SimErrorCode, SimOp } from './sim-faults.js';

interface SimDir {
  entries: Map<string, SimInode>;
  durable: Map<string, SimInode>;
}

export interface SimStats {
  writes: number;
  fsyncs: number;
  syncDirs: number;
  crashes: number;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function norm(path: string): string {
  return posix.resolve('/', path);
}

export interface SimFsOptions {
  /** Drives every random choice (fault rates, partial writes, torn crashes). */
  seed?: number;
}

export class SimFs implements StorageFs {
  /** Bumped by crash(); handles from an older epoch are dead. */
  epoch = 0;
  readonly random: SeededRandom;
  readonly faults: FaultPlan;
  readonly stats: SimStats = { writes: 0, fsyncs: 0, syncDirs: 0, crashes: 0 };
  private readonly dirs = new Map<string, SimDir>();
  private nextInode = 1;

  constructor(opts: SimFsOptions = {}) {
    this.random = new SeededRandom(opts.seed ?? 1);
    this.faults = new FaultPlan(this.random);
    this.dirs.set('/', { entries: new Map(), durable: new Map() });
  }

  // ---- fault and crash controls -------------------------------------------------------

  /** The next matching `op` fails with `code` (see FaultMatch for path, skip and count). */
  failNext(op: SimOp, code: SimErrorCode, match?: FaultMatch): void {
    this.faults.failNext(op, code, match);
  }

  /** Every `op` fails with probability `rate`, drawn from the seed. 0 turns it off. */
  setFaultRate(op: SimOp, rate: number, code: SimErrorCode): void {
    this.faults.setRate(op, rate, code);
  }

  /**
   * Every matching `op` (on `path`, exact or a pattern; any path when absent) takes `ticks` more
   * macrotasks to complete: a slow device, so that other work overtakes it. A crash during the
   * wait fails it as usual. clearFaults() removes slow-downs too.
   */
  slowDown(op: SimOp, ticks: number, path?: string | RegExp): void {
    this.faults.slowDown(op, ticks, path);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Power loss: every directory reverts to its durable entries and every file to its durable
   * bytes; with `torn`, files appended to since their last sync keep a random part of that tail.
   * Open handles die. Call it, then reopen from the same SimFs.
   */
  crash(opts: { torn?: boolean } = {}): void {
    this.epoch++;
    this.stats.crashes++;
    const seen = new Set<SimInode>();
    for (const dir of this.dirs.values()) {
      dir.entries = new Map(dir.durable);
      for (const inode of dir.entries.values()) {
        if (seen.has(inode)) continue;
        seen.add(inode);
        inode.crash(opts.torn ? this.random : null);
      }
    }
  }

  /** Cuts the last n bytes off a file, durably (a torn write found after a crash). */
  tearTail(path: string, n: number): void {
    const inode = this.inodeAt(path);
    const bytes = inode.snapshot();
    inode.replaceDurably(bytes.subarray(0, Math.max(0, bytes.length - n)));
  }

  /** Flips bits of one byte, durably (bit rot, a misdirected write). */
  corrupt(path: string, pos: number, xor = 0xff): void {
    const inode = this.inodeAt(path);
    const bytes = inode.snapshot();
    bytes[pos] = bytes[pos]! ^ xor;
    inode.replaceDurably(bytes);
  }

  /** Replaces (or creates) a file's bytes durably, entry included: for planting damaged files. */
  putFile(path: string, bytes: Uint8Array): void {
    const p = norm(path);
    const dir = this.dirOf(p);
    let inode = dir.entries.get(posix.basename(p));
    if (inode === undefined) {
      inode = new SimInode(this.nextInode++);
      dir.entries.set(posix.basename(p), inode);
    }
    dir.durable.set(posix.basename(p), inode);
    inode.replaceDurably(bytes);
  }

  /** Removes a file durably (entry gone now and after a crash). */
  removeFile(path: string): void {
    const p = norm(path);
    const dir = this.dirOf(p);
    dir.entries.delete(posix.basename(p));
    dir.durable.delete(posix.basename(p));
  }

  /** Current bytes of a file (what a reader would see). */
  fileBytes(path: string): Buffer {
    return this.inodeAt(path).snapshot();
  }

  /** Bytes that would survive a crash right now (empty if the entry itself is not durable). */
  durableBytes(path: string): Buffer {
    const p = norm(path);
    const inode = this.dirOf(p).durable.get(posix.basename(p));
    return inode === undefined ? Buffer.alloc(0) : inode.durableSnapshot();
  }

  /** Current entry names of a directory, sorted. */
  list(dir: string): string[] {
    const d = this.dirs.get(norm(dir));
    if (d === undefined) throw errnoError('ENOENT', 'list', dir);
    return [...d.entries.keys()].sort();
  }

  // ---- StorageFs (as the current process) ----------------------------------------------

  /** A view for one simulated process: dies (EBADF on every call) at the next crash(). */
  mount(): StorageFs {
    return new SimMount(this, this.epoch);
  }

  open(path: string, mode: OpenMode): Promise<StorageFile> {
    return this.doOpen(null, path, mode);
  }
  readdir(dir: string): Promise<string[]> {
    return this.doReaddir(null, dir);
  }
  mkdirp(dir: string): Promise<void> {
    return this.doMkdirp(null, dir);
  }
  unlink(path: string): Promise<void> {
    return this.doUnlink(null, path);
  }
  rename(from: string, to: string): Promise<void> {
    return this.doRename(null, from, to);
  }
  link(existing: string, newPath: string): Promise<void> {
    return this.doLink(null, existing, newPath);
  }
  syncDir(dir: string): Promise<void> {
    return this.doSyncDir(null, dir);
  }
  exists(path: string): Promise<boolean> {
    return this.doExists(null, path);
  }
  readFile(path: string): Promise<Buffer> {
    return this.doReadFile(null, path);
  }
  writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    return writeFileAtomicVia(this, path, data);
  }
  rmrf(path: string): Promise<void> {
    return this.doRmrf(null, path);
  }

  // ---- operations; `epoch` null means "the current process" ----------------------------

  /** @internal */
  async doOpen(epoch: number | null, path: string, mode: OpenMode): Promise<StorageFile> {
    const p = norm(path);
    await this.enter(epoch, 'open', p);
    const dir = this.dirs.get(posix.dirname(p));
    if (dir === undefined) throw errnoError('ENOENT', 'open', p);
    const name = posix.basename(p);
    if (this.dirs.has(p)) throw errnoError('EISDIR', 'open', p);
    let inode = dir.entries.get(name);
    if (inode === undefined) {
      if (mode !== 'create') throw errnoError('ENOENT', 'open', p);
      inode = new SimInode(this.nextInode++);
      dir.entries.set(name, inode);
    }
    return new SimFile(this, p, inode, mode !== 'read', this.epoch);
  }

  /** @internal */
  async doReaddir(epoch: number | null, dir: string): Promise<string[]> {
    const d = norm(dir);
    await this.enter(epoch, 'readdir', d);
    const entry = this.dirs.get(d);
    if (entry === undefined) throw errnoError('ENOENT', 'readdir', d);
    const names = [...entry.entries.keys()];
    for (const sub of this.dirs.keys()) if (sub !== '/' && posix.dirname(sub) === d) names.push(posix.basename(sub));
    return names;
  }

  /** @internal */
  async doMkdirp(epoch: number | null, dir: string): Promise<void> {
    const d = norm(dir);
    await this.enter(epoch, 'mkdir', d);
    const parts = d.split('/').filter((s) => s !== '');
    let cur = '/';
    for (const part of parts) {
      cur = posix.join(cur, part);
      const parent = this.dirs.get(posix.dirname(cur))!;
      if (parent.entries.has(part)) throw errnoError('ENOTDIR', 'mkdir', cur);
      if (!this.dirs.has(cur)) this.dirs.set(cur, { entries: new Map(), durable: new Map() });
    }
  }

  /** @internal */
  async doUnlink(epoch: number | null, path: string): Promise<void> {
    const p = norm(path);
    await this.enter(epoch, 'unlink', p);
    const dir = this.dirs.get(posix.dirname(p));
    if (dir === undefined || !dir.entries.delete(posix.basename(p))) throw errnoError('ENOENT', 'unlink', p);
  }

  /** @internal */
  async doRename(epoch: number | null, from: string, to: string): Promise<void> {
    const f = norm(from);
    const t = norm(to);
    await this.enter(epoch, 'rename', f);
    const src = this.dirs.get(posix.dirname(f));
    const dst = this.dirs.get(posix.dirname(t));
    const inode = src?.entries.get(posix.basename(f));
    if (src === undefined || dst === undefined || inode === undefined) throw errnoError('ENOENT', 'rename', f);
    src.entries.delete(posix.basename(f));
    dst.entries.set(posix.basename(t), inode);
  }

  /** @internal */
  async doLink(epoch: number | null, existing: string, newPath: string): Promise<void> {
    const e = norm(existing);
    const n = norm(newPath);
    await this.enter(epoch, 'link', n);
    const inode = this.dirs.get(posix.dirname(e))?.entries.get(posix.basename(e));
    if (inode === undefined) throw errnoError(this.dirs.has(e) ? 'EPERM' : 'ENOENT', 'link', e);
    const dst = this.dirs.get(posix.dirname(n));
    if (dst === undefined) throw errnoError('ENOENT', 'link', n);
    if (dst.entries.has(posix.basename(n)) || this.dirs.has(n)) throw errnoError('EEXIST', 'link', n);
    // Both names share the inode, so writes through either are seen through both.
    dst.entries.set(posix.basename(n), inode);
  }

  /** @internal */
  async doSyncDir(epoch: number | null, dir: string): Promise<void> {
    const d = norm(dir);
    await this.enter(epoch, 'syncDir', d);
    const entry = this.dirs.get(d);
    if (entry === undefined) throw errnoError('ENOENT', 'syncDir', d);
    this.stats.syncDirs++;
    entry.durable = new Map(entry.entries);
  }

  /** @internal */
  async doExists(epoch: number | null, path: string): Promise<boolean> {
    const p = norm(path);
    await this.enter(epoch, 'stat', p);
    return this.dirs.has(p) || this.dirs.get(posix.dirname(p))?.entries.has(posix.basename(p)) === true;
  }

  /** @internal */
  async doReadFile(epoch: number | null, path: string): Promise<Buffer> {
    const p = norm(path);
    await this.enter(epoch, 'readFile', p);
    const inode = this.dirs.get(posix.dirname(p))?.entries.get(posix.basename(p));
    if (inode === undefined) throw errnoError('ENOENT', 'readFile', p);
    return inode.snapshot();
  }

  /** @internal */
  async doRmrf(epoch: number | null, path: string): Promise<void> {
    const p = norm(path);
    await this.enter(epoch, 'unlink', p);
    for (const d of [...this.dirs.keys()]) {
      if (d !== '/' && (d === p || d.startsWith(p + '/'))) this.dirs.delete(d);
    }
    const parent = this.dirs.get(posix.dirname(p));
    parent?.entries.delete(posix.basename(p));
    parent?.durable.delete(posix.basename(p));
  }

  // ---- internals --------------------------------------------------------------------------

  /** Waits a macrotask; a call from a crashed process (before or during the wait) fails. */
  private async enter(epoch: number | null, op: SimOp, path: string): Promise<void> {
    if (epoch !== null && epoch !== this.epoch) throw errnoError('EBADF', `${op} after crash`, path);
    await tick();
    for (let n = this.faults.delay(op, path); n > 0; n--) await tick();
    if (epoch !== null && epoch !== this.epoch) throw errnoError('EBADF', `${op} after crash`, path);
    const fault = this.faults.check(op, path);
    if (fault !== null) throw errnoError(fault, op, path);
  }

  private dirOf(p: string): SimDir {
    const dir = this.dirs.get(posix.dirname(p));
    if (dir === undefined) throw errnoError('ENOENT', 'lookup', p);
    return dir;
  }

  private inodeAt(path: string): SimInode {
    const p = norm(path);
    const inode = this.dirOf(p).entries.get(posix.basename(p));
    if (inode === undefined) throw errnoError('ENOENT', 'lookup', p);
    return inode;
  }
}
