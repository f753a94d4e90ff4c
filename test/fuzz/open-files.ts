/**
 * Files this process holds open under a directory, read from /proc/self/fd (Linux). After a
 * broker closes, none may be left: a handle that only garbage collection closes is a leak, and
 * objects that lost a race (two opens of one log) show up exactly this way.
 */
import { readdirSync, readlinkSync } from 'node:fs';

/** Null where /proc is not available (the check is then skipped). */
export function openFilesUnder(dir: string): string[] | null {
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return null;
  }
  const out: string[] = [];
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir + '/')) out.push(target);
    } catch {
      // Closed between the listing and the readlink.
    }
  }
  return out;
}
