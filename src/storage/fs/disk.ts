/**
 * StorageFs over node:fs. Every call uses the promise FileHandle API, which runs in libuv's
 * threadpool: the event loop never blocks on the disk (no *Sync calls anywhere here), and a
 * FileHandle refuses use after close instead of hitting a recycled descriptor number.
 */
import { constants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { writeFileAtomicVia } from './atomic.js';
import type { OpenMode, StorageFile, StorageFs } from './types.js';

const OPEN_FLAGS: Record<OpenMode, number> = {
  read: constants.O_RDONLY,
  write: constants.O_RDWR,
  // Never O_APPEND: on Linux it makes pwrite ignore the position.
  create: constants.O_RDWR | constants.O_CREAT,
};

class DiskFile implements StorageFile {
  constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  async write(buf: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, position + done);
      if (bytesWritten <= 0) throw Object.assign(new Error(`write to ${this.path} made no progress`), { code: 'EIO' });
      done += bytesWritten;
    }
  }

  async writev(bufs: readonly Uint8Array[], position: number): Promise<void> {
    let total = 0;
    for (const b of bufs) total += b.length;
    let { bytesWritten } = await this.fh.writev(bufs as Uint8Array[], position);
    if (bytesWritten === total) return;
    // Short write (libuv caps one writev at IOV_MAX buffers): continue with what is left.
    let done = bytesWritten;
    let skip = 0;
    let i = 0;
    while (i < bufs.length && skip + bufs[i]!.length <= done) skip += bufs[i++]!.length;
    while (i < bufs.length) {
      const rest: Uint8Array[] = [bufs[i]!.subarray(done - skip)];
      for (let j = i + 1; j < bufs.length; j++) rest.push(bufs[j]!);
      ({ bytesWritten } = await this.fh.writev(rest, position + done));
      if (bytesWritten <= 0) throw Object.assign(new Error(`writev to ${this.path} made no progress`), { code: 'EIO' });
      done += bytesWritten;
      while (i < bufs.length && skip + bufs[i]!.length <= done) skip += bufs[i++]!.length;
    }
  }

  async read(buf: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const { bytesRead } = await this.fh.read(buf, offset, length, position);
    return bytesRead;
  }

  datasync(): Promise<void> {
    return this.fh.datasync();
  }

  truncate(size: number): Promise<void> {
    return this.fh.truncate(size);
  }

  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

const DIR_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'EBADF']);

export class DiskFs implements StorageFs {
  async open(path: string, mode: OpenMode, perm = 0o644): Promise<StorageFile> {
    return new DiskFile(path, await fsp.open(path, OPEN_FLAGS[mode], perm));
  }

  readdir(dir: string): Promise<string[]> {
    return fsp.readdir(dir);
  }

  async mkdirp(dir: string): Promise<void> {
    await fsp.mkdir(dir, { recursive: true });
  }

  unlink(path: string): Promise<void> {
    return fsp.unlink(path);
  }

  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to);
  }

  link(existing: string, newPath: string): Promise<void> {
    return fsp.link(existing, newPath);
  }

  async syncDir(dir: string): Promise<void> {
    const fh = await fsp.open(dir, constants.O_RDONLY);
    try {
      await fh.sync();
    } catch (e) {
      // Some platforms and filesystems cannot fsync a directory; the entries are then as
      // durable as that platform allows, and failing every save there would help no one.
      if (!DIR_SYNC_UNSUPPORTED.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    } finally {
      await fh.close();
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fsp.stat(path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  readFile(path: string): Promise<Buffer> {
    return fsp.readFile(path);
  }

  writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    return writeFileAtomicVia(this, path, data);
  }

  rmrf(path: string): Promise<void> {
    return fsp.rm(path, { recursive: true, force: true });
  }
}

/** The one real-disk StorageFs; it holds no state, so sharing it is fine. */
export const diskFs: StorageFs = new DiskFs();
