/**
 * The catalogue file, replaced atomically through the broker's StorageFs (so a broker on the
 * simulated filesystem keeps its catalogue there too, and crash tests cover it):
 *   1. write <path>.tmp and datasync it;
 *   2. hard-link the current <path> as <path>.bak (copy where links are unsupported);
 *   3. rename <path>.tmp over <path>;
 *   4. sync the directory, making the rename (and the .bak) durable.
 * At every instant <path> holds a complete version (old or new); a crash leaves at most a
 * stray .tmp, whose content no caller was ever told is saved, so recovery deletes it.
 *
 * Not StorageFs.writeFileAtomic: the backup has to be taken between steps 1 and 3. Taken
 * before step 1, a failed write would leave .bak a link to the current file, so the one
 * damage it guards against (a corrupt <path>) would corrupt the backup too.
 */
import { dirname } from 'node:path';
import { writeFileSynced } from '../../storage/fs/atomic.js';
import { ATOMIC_TMP_SUFFIX, type StorageFs } from '../../storage/fs/types.js';

/** The catalogue holds password hashes: readable by the broker's user only. */
const FILE_PERM = 0o600;

export function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

export const tmpPath = (path: string) => `${path}${ATOMIC_TMP_SUFFIX}`;
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

async function copy(fs: StorageFs, from: string, to: string): Promise<void> {
  await writeFileSynced(fs, to, await fs.readFile(from), FILE_PERM);
}

export async function writeAtomically(fs: StorageFs, path: string, data: Uint8Array): Promise<void> {
  const tmp = tmpPath(path);
  const bak = backupPath(path);
  await writeFileSynced(fs, tmp, data, FILE_PERM);
  await ignoreMissing(fs.unlink(bak));
  try {
    await fs.link(path, bak);
  } catch (e) {
    // ENOENT: first save, nothing to back up. Other errors: no hard links here.
    if (errCode(e) !== 'ENOENT') await ignoreMissing(copy(fs, path, bak));
  }
  await fs.rename(tmp, path);
  await fs.syncDir(dirname(path));
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
export async function readForRecovery(fs: StorageFs, path: string): Promise<ReadOutcome> {
  const strayTmpRemoved = await ignoreMissing(fs.unlink(tmpPath(path)));
  try {
    return { data: await fs.readFile(path), strayTmpRemoved };
  } catch (e) {
    if (errCode(e) !== 'ENOENT') throw e;
  }
  if (await fs.exists(backupPath(path))) {
    throw new Error(`catalogue ${path} is missing but its backup ${backupPath(path)} exists; copy the backup to ${path} to recover, or delete it to start empty`);
  }
  return { data: null, strayTmpRemoved };
}
