/** Summarises a V8 .cpuprofile (as written by `node --cpu-prof`): self time per function. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  share: number;
}

/** The newest (by name: node names them by time) .cpuprofile in `dir`, or null. */
export function newestCpuProfile(dir: string): string | null {
  const newest = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1);
  return newest === undefined ? null : join(dir, newest);
}

/**
 * Top `n` functions by self time, plus self time grouped by source file; `idle` is the self
 * time of V8's "(idle)" node (the process waiting), which `total` includes. `window` limits it to
 * samples taken in [from, to), in microseconds of the monotonic clock (process.hrtime.bigint() / 1000n
 * in any process on the machine: V8 stamps profiles with the same clock).
 */
export function summariseCpuProfile(path: string, n = 15, window?: [number, number]): { total: number; idle: number; top: ProfileEntry[]; files: ProfileEntry[] } {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map<number, ProfileNode>();
  for (const node of p.nodes) byId.set(node.id, node);
  const self = new Map<number, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    t += p.timeDeltas[i] ?? 0;
    if (window && (t < window[0] || t >= window[1])) continue;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    const short = cf.url.replace(/^file:\/\/.*?\/dist\//, '').replace(/^node:/, 'node:');
    const key = `${cf.functionName || '(anonymous)'} ${short ? `${short}:${cf.lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + us);
    const fk = short || cf.functionName || '(native)';
    file.set(fk, (file.get(fk) ?? 0) + us);
    total += us;
  }
  const rank = (m: Map<string, number>): ProfileEntry[] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, selfMs: us / 1000, share: us / total }));
  return { total: total / 1000, idle: (fn.get('(idle)') ?? 0) / 1000, top: rank(fn), files: rank(file) };
}
