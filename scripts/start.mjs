// `npm start`: runs the compiled broker (dist/src/cli/main.js) in this process, compiling first
// only when a source is newer than its output (`npm install` compiles through `prepare`).
// Compiling at every start cost seconds before the ports accepted.
// Usage: node <HOPPER_NODE_FLAGS> scripts/start.mjs start [options]   (see `hopper --help`)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1; // missing
  }
};

/** True if a .ts under src is newer than its .js in dist, or the build settings changed. */
function stale() {
  const built = mtime(join(root, 'dist/src/cli/main.js'));
  if (built < 0 || mtime(join(root, 'tsconfig.json')) > built) return true;
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (walk(rel)) return true;
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        if (mtime(join(root, rel)) > mtime(join(root, 'dist', rel.replace(/\.ts$/, '.js')))) return true;
      }
    }
    return false;
  };
  return walk('src');
}

if (stale()) {
  process.stderr.write('hopper: sources changed since the last build; compiling (tsc -p .)\n');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}
// npm runs a script in the package's root, but relative paths on the command line (`--config
// hopper.json`, `--data ./data`) are the user's: resolve them where `npm start` was typed.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
await import('../dist/src/cli/main.js');
