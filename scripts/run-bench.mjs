// Runs the compiled benchmarks (dist/bench/*.bench.js) one after another, or only those whose
// file name contains the filter: `npm run bench -- storage`. Benchmarks are never part of CI.
// In-process benchmarks get the V8 flags `hopper start` runs with (src/cli/node-flags.ts).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { HOPPER_NODE_FLAGS } from '../dist/src/cli/node-flags.js';

const filter = process.argv[2] ?? '';
const dir = 'dist/bench';
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.js') && f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`no benchmark matched ${JSON.stringify(filter)}`);
  process.exit(1);
}
for (const f of files) {
  console.log(`\n## ${f}`);
  const r = spawnSync(process.execPath, ['--expose-gc', ...HOPPER_NODE_FLAGS, join(dir, f), ...process.argv.slice(3)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
