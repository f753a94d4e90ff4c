/**
 * One broker per data directory. Two processes on one directory (`hopper start` and an
 * embedded Broker.open) both accepted writes, and at the next start one lost its acknowledged
 * data. Broker.open takes the directory's lock and a second one refuses to start, naming the
 * directory and the holder's pid.
 *
 * Node has no flock() without native addons, so the lock is a file naming its holder: pid,
 * the process's start time (/proc/<pid>/stat, in clock ticks since boot), the boot id, the pid
 * namespace and the host name. Lock files are numbered, `hopper.lock.<n>`, and the highest
 * number is the lock. To take the directory a process reads the highest one, n; if it is free
 * (released by a clean stop) or stale, it creates n+1, atomically and with its whole content
 * (a finished temporary file is hard-linked to the name; link fails if the name exists), then
 * checks no higher number appeared meanwhile and deletes the lower ones. Of processes starting
 * at once only one can create n+1, and nothing ever has to delete a lock another process might
 * have just taken (the flaw of a single lock file that is deleted when stale and created again).
 *
 * A lock left by a process that died without releasing it (kill -9, power loss) is stale; the
 * holder is judged from what the file records:
 *   - another host name: nothing here can check it, so the lock holds (delete it by hand);
 *   - another boot id: the machine restarted since, the holder is gone;
 *   - another pid namespace on this host: the container it ran in was replaced, it is gone;
 *   - else the pid: not running, or running but started at another time (the pid was reused
 *     by an unrelated process), means gone. Where /proc is missing (not Linux) only whether
 *     the pid runs can be checked.
 */
import { randomBytes } from 'node:crypto';
import { link, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readFileSync, readlinkSync } from 'node:fs';
import { HopperError } from '../errors.js';

/** Lock files are `hopper.lock.<generation>`; the highest generation is the lock. */
export const LOCK_FILE_PREFIX = 'hopper.lock.';

interface Holder {
  pid: number;
  /** Field 22 of /proc/<pid>/stat; null where there is no /proc. */
  startTicks: string | null;
  bootId: string | null;
  pidNamespace: string | null;
  host: string;
  startedAt: string;
  /** Tells apart two lock files with otherwise equal content. */
  nonce: string;
}

function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** The start time of a process in clock ticks since boot, or null (no /proc, or no such pid). */
export function processStartTicks(pid: number): string | null {
  return readOr(() => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces and ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall; the rest start at field 3
  }, null);
}

function self(): Holder {
  return {
    pid: process.pid,
    startTicks: processStartTicks(process.pid),
    bootId: readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), null),
    pidNamespace: readOr(() => readlinkSync('/proc/self/ns/pid'), null),
    host: hostname(),
    startedAt: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  };
}

function parseHolder(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === 'number' && Number.isSafeInteger(h.pid) && h.pid > 0 && typeof h.host === 'string' ? ({ startTicks: null, bootId: null, pidNamespace: null, startedAt: '?', nonce: '', ...h } as Holder) : null;
  } catch {
    return null;
  }
}

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // runs, as another user
  }
}

type Verdict = 'held' | 'stale' | 'unverifiable';

function judge(h: Holder, me: Holder): Verdict {
  if (h.host !== me.host) return 'unverifiable';
  if (h.bootId !== null && me.bootId !== null && h.bootId !== me.bootId) return 'stale';
  if (h.pidNamespace !== null && me.pidNamespace !== null && h.pidNamespace !== me.pidNamespace) return 'stale';
  if (!pidRuns(h.pid)) return 'stale';
  if (h.startTicks === null) return 'held';
  const now = processStartTicks(h.pid);
  return now === null || now === h.startTicks ? 'held' : 'stale';
}

function inUse(dataDir: string, path: string, h: Holder, verdict: Verdict): HopperError {
  const who = `pid ${h.pid}${h.host ? ` on ${h.host}` : ''}, started ${h.startedAt}`;
  return new HopperError(
    'DATA_DIR_IN_USE',
    verdict === 'unverifiable'
      ? `data directory ${dataDir} is locked by another Hopper process (${who}), which cannot be checked from this host; stop it, or if it is not running delete ${path}`
      : `data directory ${dataDir} is in use by another Hopper process (${who}); stop it first or use another data directory`,
  );
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Creates the lock file, false if it exists. Linking the finished temporary file gives the name
 * its whole content at once; where hard links are unsupported, an exclusive create is written
 * after (readers meanwhile see an unreadable, recent file: recentlyWritten).
 */
async function createWith(path: string, tmp: string, content: string): Promise<boolean> {
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  }
  try {
    await writeFile(path, content, { flag: 'wx', mode: 0o644 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

async function recentlyWritten(path: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs < 5_000;
  } catch {
    return false;
  }
}

/** The lock file of generation n. */
const lockPath = (dataDir: string, n: number) => join(dataDir, `${LOCK_FILE_PREFIX}${n}`);

/** Generations present, ascending. */
async function generations(dataDir: string): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir(dataDir)) {
    if (!name.startsWith(LOCK_FILE_PREFIX)) continue;
    const n = Number(name.slice(LOCK_FILE_PREFIX.length));
    if (Number.isSafeInteger(n) && n > 0 && String(n) === name.slice(LOCK_FILE_PREFIX.length)) out.push(n);
  }
  return out.sort((a, b) => a - b);
}

/** What a clean stop leaves in its lock file. */
const RELEASED = 'released\n';

export class DataDirLock {
  private released = false;

  private constructor(
    readonly path: string,
    private readonly content: string,
    /** Set when a stale lock was taken over: whose it was. */
    readonly tookOverFrom: { pid: number; startedAt: string } | null,
  ) {}

  /** Takes the lock of `dataDir` (which must exist); DATA_DIR_IN_USE if another process holds it. */
  static async acquire(dataDir: string): Promise<DataDirLock> {
    const me = self();
    const content = JSON.stringify(me) + '\n';
    const tmp = join(dataDir, `hopper-lock-${me.nonce}.tmp`);
    await writeFile(tmp, content, { mode: 0o644 });
    try {
      // Each lost race (a file vanished, another process took generation n+1) costs a round.
      for (let round = 0; round < 16; round++) {
        const top = (await generations(dataDir)).at(-1) ?? 0;
        let tookOver: DataDirLock['tookOverFrom'] = null;
        if (top > 0) {
          const path = lockPath(dataDir, top);
          const text = await readText(path);
          if (text === null) continue;
          const holder = text === RELEASED ? null : parseHolder(text);
          if (holder !== null) {
            const verdict = judge(holder, me);
            if (verdict !== 'stale') throw inUse(dataDir, path, holder, verdict);
            tookOver = { pid: holder.pid, startedAt: holder.startedAt };
          } else if (text !== RELEASED && (await recentlyWritten(path))) {
            // Unreadable and new: being written where links are unsupported (createWith).
            throw new HopperError('DATA_DIR_IN_USE', `data directory ${dataDir} is being locked by another process (${path})`);
          }
          // Else released, or unreadable and old: a lock whose write a power loss cut short.
        }
        const mine = lockPath(dataDir, top + 1);
        if (!(await createWith(mine, tmp, content))) continue;
        const after = await generations(dataDir);
        if (after.some((g) => g > top + 1)) {
          // Someone who read an older state got further: let the newest one decide.
          await unlink(mine).catch(() => undefined);
          continue;
        }
        for (const g of after) if (g < top + 1) await unlink(lockPath(dataDir, g)).catch(() => undefined);
        return new DataDirLock(mine, content, tookOver);
      }
      throw new HopperError('DATA_DIR_IN_USE', `data directory ${dataDir}: could not take its lock: other processes keep taking it`);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  /**
   * Marks the lock released if it is still ours. The file stays, as the highest generation:
   * deleting it would let a process that read an older state take a generation that is free
   * again while another starts over from none.
   */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if ((await readText(this.path)) !== this.content) return;
    const tmp = `${this.path}.released.tmp`;
    await writeFile(tmp, RELEASED);
    await rename(tmp, this.path);
  }
}
