/** The V8 flags of src/cli/node-flags.ts reach every place node is started for Hopper. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HOPPER_NODE_FLAGS } from '../../src/cli/node-flags.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): string => readFileSync(root + path, 'utf8');

test('the hopper shebang, npm start and the benchmark runner pass HOPPER_NODE_FLAGS', () => {
  assert.ok(HOPPER_NODE_FLAGS.length > 0);
  const shebang = read('src/cli/main.ts').split('\n', 1)[0]!;
  assert.match(shebang, /^#!\/usr\/bin\/env -S node /, 'env -S passes flags to node');
  assert.equal(shebang, `#!/usr/bin/env -S node ${HOPPER_NODE_FLAGS.join(' ')}`);
  const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['start']!;
  assert.ok(start.includes(`node ${HOPPER_NODE_FLAGS.join(' ')} scripts/start.mjs start`), start);
  assert.match(read('scripts/run-bench.mjs'), /\.\.\.HOPPER_NODE_FLAGS/);
  // The built CLI keeps the shebang (tsc copies it).
  assert.equal(readFileSync(new URL('../../src/cli/main.js', import.meta.url), 'utf8').split('\n', 1)[0], shebang);
});
