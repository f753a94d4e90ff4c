/**
 * The Storage seam: everything the log does to files goes through StorageFs, so the same engine
 * runs over the real disk (disk.ts) and over a simulated filesystem that can crash, tear tails
 * and fail on cue (sim.ts). Operations are asynchronous and positional; there is no cursor.
 *
 * Durability model both implementations honour:
 * - bytes written to a file are durable only after `datasync()` on a handle of that file;
 * - a created, renamed or unlinked directory entry is durable only after `syncDir(dir)`;
 * - errors are Node-style errors with an errno `code` ('EIO', 'ENOSPC', 'ENOENT', ...).
 */

/** How a file is opened: `read` (must exist), `write` (read-write, must exist), `create` (read-write, created if missing, never truncated). */
export type OpenMode = 'read' | 'write' | 'create';

export interface StorageFile {
  readonly path: string;
  /** Writes all of `buf` at `position` (short writes are continued, never reported). */
  write(buf: Uint8Array, position: number): Promise<void>;
  /** Writes the buffers back to back from `position`, all of them. */
  writev(bufs: readonly Uint8Array[], position: number): Promise<void>;
  /** Reads up to `length` bytes into buf[offset..]; returns the count, 0 at end of file. */
  read(buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** Makes the file's data durable (fdatasync). */
  datasync(): Promise<void>;
  truncate(size: number): Promise<void>;
  size(): Promise<number>;
  /** Releases the handle; reads of an unlinked file stay valid until close. */
  close(): Promise<void>;
}

export interface StorageFs {
  /**
   * `perm` sets the permission bits of a file this call creates (default 0o644, less the umask);
   * the simulator has no permissions and ignores it.
   */
  open(path: string, mode: OpenMode, perm?: number): Promise<StorageFile>;
  /** Names (not paths) in `dir`, in no particular order. */
  readdir(dir: string): Promise<string[]>;
  mkdirp(dir: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Atomic replace of `to` if it exists. */
  rename(from: string, to: string): Promise<void>;
  /**
   * A second name for the file at `existing` (a hard link: same bytes, not a copy). Fails with
   * EEXIST if `newPath` exists; durable, like any new entry, only after syncDir. Filesystems
   * without hard links fail with their own code (EPERM, ENOTSUP, ...).
   */
  link(existing: string, newPath: string): Promise<void>;
  /** Makes the directory's entries (creates, renames, unlinks) durable. */
  syncDir(dir: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  readFile(path: string): Promise<Buffer>;
  /** Durable all-or-nothing replace: write `path.tmp`, datasync, rename over `path`, syncDir. */
  writeFileAtomic(path: string, data: Uint8Array): Promise<void>;
  /** Removes a file or a whole tree; missing is fine. For cleanup, not for the data path. */
  rmrf(path: string): Promise<void>;
}

/** Suffix of writeFileAtomic's temporary file; recovery deletes leftovers. */
export const ATOMIC_TMP_SUFFIX = '.tmp';

/** Reads exactly `length` bytes at `position` unless the file ends first; returns the count read. */
export async function readFully(file: StorageFile, buf: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const n = await file.read(buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
