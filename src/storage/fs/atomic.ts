/**
 * writeFileAtomic over the StorageFs primitives, shared by disk and sim so both give the same
 * crash behaviour: after a crash the file holds either the old or the new content, never a mix.
 * The order matters: data durable (datasync) before the rename can make it visible, and the
 * rename durable (syncDir) before we report success.
 */
import { dirname } from 'node:path';
import { ATOMIC_TMP_SUFFIX, type StorageFs } from './types.js';

export async function writeFileAtomicVia(fs: StorageFs, path: string, data: Uint8Array): Promise<void> {
  const tmp = path + ATOMIC_TMP_SUFFIX;
  await writeFileSynced(fs, tmp, data);
  await fs.rename(tmp, path);
  await fs.syncDir(dirname(path));
}

/**
 * Creates or truncates `path` and makes `data` durable in it; the entry itself is durable only
 * after syncDir. The first half of writeFileAtomicVia, for callers that do more before the rename.
 */
export async function writeFileSynced(fs: StorageFs, path: string, data: Uint8Array, perm?: number): Promise<void> {
  const file = await fs.open(path, 'create', perm);
  try {
    await file.truncate(0);
    await file.write(data, 0);
    await file.datasync();
  } catch (err) {
    await file.close().catch(() => undefined); // the write error is the one to report
    throw err;
  }
  await file.close();
}
