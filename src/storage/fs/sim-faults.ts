/**
 * Deterministic fault plans for the simulated filesystem. Every random choice the simulator
 * makes (which op fails under a rate, how much of a failed write lands, how much of an unsynced
 * tail survives a torn crash) comes from one seeded generator, so a failing test replays from
 * its seed.
 */

export type SimOp =
  | 'open'
  | 'read'
  | 'write'
  | 'fsync'
  | 'truncate'
  | 'close'
  | 'readdir'
  | 'mkdir'
  | 'unlink'
  | 'rename'
  | 'link'
  | 'syncDir'
  | 'readFile'
  | 'stat';

export type SimErrorCode = 'EIO' | 'ENOSPC';

export interface FaultMatch {
  /** Only ops on this path (exact) or matching this pattern. */
  path?: string | RegExp;
  /** Let this many matching ops pass first. */
  skip?: number;
  /** Fail this many matching ops (default 1). */
  count?: number;
}

interface PlannedFault {
  op: SimOp;
  code: SimErrorCode;
  path: string | RegExp | undefined;
  skip: number;
  count: number;
}

/** xorshift32: small, fast, and the same sequence on every platform for a given seed. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    // Scramble the seed (murmur3's finalizer): xorshift's first outputs from small seeds are
    // small and alike, and tests use seeds 1, 2, 3...
    let h = (seed ^ 0x9e3779b9) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    this.state = (h ^ (h >>> 16)) >>> 0 || 0x9e3779b9;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export function errnoError(code: string, op: string, path: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: simulated ${op} failure, '${path}'`);
  err.code = code;
  err.syscall = op;
  err.path = path;
  return err;
}

export class FaultPlan {
  private planned: PlannedFault[] = [];
  private rates = new Map<SimOp, { rate: number; code: SimErrorCode }>();
  private slow: { op: SimOp; path: string | RegExp | undefined; ticks: number }[] = [];

  constructor(readonly random: SeededRandom) {}

  failNext(op: SimOp, code: SimErrorCode, match: FaultMatch = {}): void {
    this.planned.push({ op, code, path: match.path, skip: match.skip ?? 0, count: match.count ?? 1 });
  }

  /** Fails each `op` with probability `rate`, drawn from the seeded generator. */
  setRate(op: SimOp, rate: number, code: SimErrorCode): void {
    if (rate <= 0) this.rates.delete(op);
    else this.rates.set(op, { rate, code });
  }

  clear(): void {
    this.planned = [];
    this.rates.clear();
    this.slow = [];
  }

  /** Every matching `op` takes `ticks` more macrotasks to complete (a slow device); 0 removes it. */
  slowDown(op: SimOp, ticks: number, path?: string | RegExp): void {
    this.slow = this.slow.filter((s) => s.op !== op || String(s.path) !== String(path));
    if (ticks > 0) this.slow.push({ op, path, ticks });
  }

  /** Extra macrotasks this op waits before it completes. */
  delay(op: SimOp, path: string): number {
    let n = 0;
    for (const s of this.slow) if (s.op === op && matches(s.path, path)) n = Math.max(n, s.ticks);
    return n;
  }

  /** The error code this op must fail with, or null; consumes the plan entry it matched. */
  check(op: SimOp, path: string): SimErrorCode | null {
    for (let i = 0; i < this.planned.length; i++) {
      const f = this.planned[i]!;
      if (f.op !== op || !matches(f.path, path)) continue;
      if (f.skip > 0) {
        f.skip--;
        return null;
      }
      if (--f.count <= 0) this.planned.splice(i, 1);
      return f.code;
    }
    const r = this.rates.get(op);
    if (r !== undefined && this.random.next() < r.rate) return r.code;
    return null;
  }
}

function matches(p: string | RegExp | undefined, path: string): boolean {
  if (p === undefined) return true;
  return typeof p === 'string' ? p === path : p.test(path);
}
