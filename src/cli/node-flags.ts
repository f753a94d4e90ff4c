/**
 * The V8 flags `hopper start` runs with. They must be given when node starts (V8 ignores them
 * later, and NODE_OPTIONS refuses them), so they are written out where node is started: the
 * shebang of ./main.ts, `npm start` in package.json and the benchmarks, which import this list;
 * test/server/node-flags.test.ts checks that those places agree with it.
 *
 * --initial-old-space-size=64: a floor of 64 MiB under V8's old-generation limit. Hopper's own
 * heap is small (about 9 MiB live), so V8 sets the limit barely above it, and every MiB of
 * objects that outlive a scavenge (requests waiting on an fsync) starts another full
 * mark-compact: about 40 per GB produced, a fifth of the broker's CPU at hundreds of MB/s
 * (bench/RESULTS.md). With the floor there were 2. The cost is up to 64 MiB of heap before the
 * first full collection.
 */
export const HOPPER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64'];
