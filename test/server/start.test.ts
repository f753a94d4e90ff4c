import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('hopper start prints its listeners, answers /health and stops cleanly on SIGTERM', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = join(dir, 'data');
    const child = spawn(process.execPath, [main, 'start', '--data', data, '--http-port', '0', '--amqp-port', '0', '--kafka-port', '0', '--sqs-port', '-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    while (!/http:\/\/127\.0\.0\.1:(\d+)\/health/.test(out)) {
      const [code] = await Promise.race([once(child.stdout, 'data'), once(child, 'exit')]);
      if (typeof code === 'number' || code === null) assert.fail(`exited early: ${out}`);
    }
    assert.match(out, new RegExp(`data directory\\s+${data}`));
    const port = Number(/127\.0\.0\.1:(\d+)\/health/.exec(out)![1]);
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'ok');
    assert.ok(existsSync(join(data, 'catalogue.json')));
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  } finally {
    await cleanup();
  }
});

test('hopper with an unknown command exits with usage', async () => {
  const child = spawn(process.execPath, [main, 'frobnicate'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [code] = await once(child, 'exit');
  assert.equal(code, 2);
  assert.match(err, /unknown command/);
});

test('a listener is disabled with port -1, written as two arguments', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const child = spawn(process.execPath, [main, 'start', '--data', join(dir, 'd'), '--http-port', '-1', '--kafka-port', '-1', '--sqs-port', '-1', '--amqp-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    while (!/amqp:\/\//.test(out)) {
      const [code] = await Promise.race([once(child.stdout, 'data'), once(child, 'exit')]);
      if (typeof code === 'number' || code === null) assert.fail(`exited early: ${out}`);
    }
    assert.doesNotMatch(out, /http:\/\//);
    assert.doesNotMatch(out, /kafka /);
    child.kill('SIGTERM');
    assert.equal((await once(child, 'exit'))[0], 0);
  } finally {
    await cleanup();
  }
});
