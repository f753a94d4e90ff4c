/**
 * What a simulated process holds: file handles (SimFile) and its view of the filesystem
 * (SimMount). Both are bound to the epoch they were made in and fail with EBADF once a crash
 * has ended it. The state they act on lives in SimFs (sim.ts).
 */
import { writeFileAtomicVia } from './atomic.js';
import { errnoError, type SimOp } from './sim-faults.js';
import type { SimInode } from './sim-inode.js';
import type { SimFs } from './sim.js';
import type { OpenMode, StorageFile, StorageFs } from './types.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class SimFile implements StorageFile {
  private closed = false;
  constructor(
    private readonly fs: SimFs,
    readonly path: string,
    private readonly inode: SimInode,
    private readonly writable: boolean,
    private readonly epoch: number,
  ) {}

  async write(buf: Uint8Array, position: number): Promise<void> {
    await this.enter('write');
    this.mustWrite();
    this.fs.stats.writes++;
    const fault = this.fs.faults.check('write', this.path);
    if (fault !== null) {
      // A failed write may still have put a prefix of its bytes into the file.
      this.inode.write(buf.subarray(0, this.fs.random.int(buf.length + 1)), position);
      throw errnoError(fault, 'write', this.path);
    }
    this.inode.write(buf, position);
  }

  async writev(bufs: readonly Uint8Array[], position: number): Promise<void> {
    await this.enter('write');
    this.mustWrite();
    this.fs.stats.writes++;
    const fault = this.fs.faults.check('write', this.path);
    let budget = Number.POSITIVE_INFINITY;
    if (fault !== null) {
      let total = 0;
      for (const b of bufs) total += b.length;
      budget = this.fs.random.int(total + 1);
    }
    let pos = position;
    for (const b of bufs) {
      const n = Math.min(b.length, budget);
      this.inode.write(n === b.length ? b : b.subarray(0, n), pos);
      pos += n;
      budget -= n;
      if (budget <= 0) break;
    }
    if (fault !== null) throw errnoError(fault, 'writev', this.path);
  }

  async read(buf: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    await this.enter('read');
    return this.inode.read(buf, offset, length, position);
  }

  async datasync(): Promise<void> {
    await this.enter('fsync');
    this.fs.stats.fsyncs++;
    this.inode.sync();
  }

  async truncate(size: number): Promise<void> {
    await this.enter('truncate');
    this.mustWrite();
    this.inode.truncate(size);
  }

  async size(): Promise<number> {
    await this.enter('stat');
    return this.inode.len;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await tick();
  }

  /** Waits a macrotask, then checks the handle is still usable and applies planned faults. */
  private async enter(op: SimOp): Promise<void> {
    if (this.fs.epoch !== this.epoch) throw errnoError('EBADF', `${op} after crash`, this.path);
    await tick();
    for (let n = this.fs.faults.delay(op, this.path); n > 0; n--) await tick();
    if (this.closed) throw errnoError('EBADF', op, this.path);
    if (this.fs.epoch !== this.epoch) throw errnoError('EBADF', `${op} after crash`, this.path);
    const fault = op === 'write' ? null : this.fs.faults.check(op, this.path);
    if (fault !== null) throw errnoError(fault, op, this.path);
  }

  private mustWrite(): void {
    if (!this.writable) throw errnoError('EBADF', 'write on a read-only handle', this.path);
  }
}

/** One simulated process's view of a SimFs (see mount()). */
export class SimMount implements StorageFs {
  constructor(
    private readonly sim: SimFs,
    private readonly epoch: number,
  ) {}
  open(path: string, mode: OpenMode): Promise<StorageFile> {
    return this.sim.doOpen(this.epoch, path, mode);
  }
  readdir(dir: string): Promise<string[]> {
    return this.sim.doReaddir(this.epoch, dir);
  }
  mkdirp(dir: string): Promise<void> {
    return this.sim.doMkdirp(this.epoch, dir);
  }
  unlink(path: string): Promise<void> {
    return this.sim.doUnlink(this.epoch, path);
  }
  rename(from: string, to: string): Promise<void> {
    return this.sim.doRename(this.epoch, from, to);
  }
  link(existing: string, newPath: string): Promise<void> {
    return this.sim.doLink(this.epoch, existing, newPath);
  }
  syncDir(dir: string): Promise<void> {
    return this.sim.doSyncDir(this.epoch, dir);
  }
  exists(path: string): Promise<boolean> {
    return this.sim.doExists(this.epoch, path);
  }
  readFile(path: string): Promise<Buffer> {
    return this.sim.doReadFile(this.epoch, path);
  }
  writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    return writeFileAtomicVia(this, path, data);
  }
  rmrf(path: string): Promise<void> {
    return this.sim.doRmrf(this.epoch, path);
  }
}
