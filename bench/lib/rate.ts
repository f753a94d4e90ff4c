/** Shared helpers for the micro-benchmarks (not run in CI). */

/**
 * Calls fn in doubling rounds until about durationMs have passed and returns calls per second.
 * `warmup` calls first let the JIT settle; `firstRound` sets the first round's size.
 */
export function rate(fn: () => void, durationMs = 1000, warmup = 2000, firstRound = 64): number {
  for (let i = 0; i < warmup; i++) fn();
  let calls = 0;
  let rounds = firstRound;
  const start = process.hrtime.bigint();
  let elapsedNs = 0;
  while (elapsedNs < durationMs * 1e6) {
    for (let i = 0; i < rounds; i++) fn();
    calls += rounds;
    rounds *= 2;
    elapsedNs = Number(process.hrtime.bigint() - start);
  }
  return calls / (elapsedNs / 1e9);
}

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
