/**
 * The catalogue file on disk, replaced atomically:
 *   1. write <path>.tmp and fsync it;
 *   2. hard-link the current <path> as <path>.bak (copy where links are unsupported);
 *   3. rename <path>.tmp over <path>;
 *   4. fsync the directory, making the rename (and the .bak) durable.
 * At every instant <path> holds a complete version (old or new); a crash leaves at most a
 * stray .tmp, whose content no caller was ever told is saved, so recovery deletes it.
 */
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';

/** The file operations the catalogue needs; tests substitute one that fails or counts. */
export interface CatalogueFs {
  /** Rejects with code ENOENT if absent. */
  readFile(path: string): Promise<Buffer>;
  /** Creates or truncates `path`, writes `data` and fsyncs it before resolving. */
  writeFileSynced(path: string, data: Buffer): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  copyFile(from: string, to: string): Promise<void>;
  /** Rejects with code ENOENT if absent. */
  unlink(path: string): Promise<void>;
  fsyncDir(dir: string): Promise<void>;
}

export const nodeCatalogueFs: CatalogueFs = {
  readFile: (p) => fsp.readFile(p),
  async writeFileSynced(p, data) {
    const fh = await fsp.open(p, 'w', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  rename: (a, b) => fsp.rename(a, b),
  link: (a, b) => fsp.link(a, b),
  copyFile: (a, b) => fsp.copyFile(a, b),
  unlink: (p) => fsp.unlink(p),
  async fsyncDir(dir) {
    const fh = await fsp.open(dir, 'r');
    try {
      await fh.sync();
    } catch (e) {
      // Some platforms cannot fsync a directory (EISDIR/EINVAL/EPERM); the rename is then as
      // durable as that platform allows.
      if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes(errCode(e) ?? '')) throw e;
    } finally {
      await fh.close();
    }
  },
};

export function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

export const tmpPath = (path: string) => `${path}.tmp`;
export const backupPath = (path: string) => `${path}.bak`;

async function ignoreMissing(p: Promise<void>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (e) {
    if (errCode(e) === 'ENOENT') return false;
    throw e;
  }
}

export async function writeAtomically(fs: CatalogueFs, path: string, data: Buffer): Promise<void> {
  const tmp = tmpPath(path);
  const bak = backupPath(path);
  await fs.writeFileSynced(tmp, data);
  await ignoreMissing(fs.unlink(bak));
  try {
    await fs.link(path, bak);
  } catch (e) {
    // ENOENT: first save, nothing to back up. Other errors: no hard links here.
    if (errCode(e) !== 'ENOENT') await ignoreMissing(fs.copyFile(path, bak));
  }
  await fs.rename(tmp, path);
  await fs.fsyncDir(dirname(path));
}

export interface ReadOutcome {
  /** The file's bytes, or null if there is no catalogue yet. */
  data: Buffer | null;
  /** A leftover <path>.tmp from an interrupted save was deleted. */
  strayTmpRemoved: boolean;
}

/**
 * Reads the catalogue for recovery. A missing file is a fresh start, unless a .bak exists: then
 * the file was removed by hand or lost, and starting empty would silently drop every
 * definition, so we refuse.
 */
export async function readForRecovery(fs: CatalogueFs, path: string): Promise<ReadOutcome> {
  const strayTmpRemoved = await ignoreMissing(fs.unlink(tmpPath(path)));
  try {
    return { data: await fs.readFile(path), strayTmpRemoved };
  } catch (e) {
    if (errCode(e) !== 'ENOENT') throw e;
  }
  let backupExists = true;
  try {
    await fs.readFile(backupPath(path));
  } catch (e) {
    if (errCode(e) !== 'ENOENT') throw e;
    backupExists = false;
  }
  if (backupExists) {
    throw new Error(`catalogue ${path} is missing but its backup ${backupPath(path)} exists; copy the backup to ${path} to recover, or delete it to start empty`);
  }
  return { data: null, strayTmpRemoved };
}
