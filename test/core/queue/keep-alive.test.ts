/**
 * An embedded program whose only pending work is a long-poll receive must not exit before the
 * receive ends (docs/embedded.md's example did, with code 13: the queue's timer is unref'd).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../helpers/tmp.js';

const index = fileURLToPath(new URL('../../../src/index.js', import.meta.url));

test('a long-poll receive keeps the process alive until it resolves', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const script = `
      import { Broker } from ${JSON.stringify(index)};
      const broker = await Broker.open({ dataDir: ${JSON.stringify(dir)} });
      await broker.vhost('/').declareQueue('q');
      const got = await broker.vhost('/').queue('q').receive({ max: 1, waitMs: 300 });
      console.log('received', got.length);
      await broker.close();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /received 0/);
  } finally {
    await cleanup();
  }
});
