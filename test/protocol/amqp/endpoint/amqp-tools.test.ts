/**
 * amqp-tools (Debian's librabbitmq command-line clients) against Hopper, as a new user would
 * try it; the README's "amqp-tools" block runs the same commands. Skipped without the tools
 * (.ci/run installs the amqp-tools package).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { startBroker } from './helpers.js';

const present = existsSync('/usr/bin/amqp-publish');

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 10_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${cmd}: ${e.message}\n${stderr}`)) : resolve(stdout)));
    if (input !== undefined) child.stdin!.end(input);
  });
}

test('amqp-tools: declare a queue, publish, get and consume', { skip: present ? false : 'amqp-tools is not installed' }, async () => {
  const b = await startBroker();
  try {
    const url = `--url=amqp://guest:guest@127.0.0.1:${b.listener.port}`;
    assert.equal((await run('amqp-declare-queue', [url, '-d', '-q', 'work'])).trim(), 'work');
    await run('amqp-publish', [url, '-r', 'work', '-p', '-C', 'text/plain'], 'hello from amqp-tools\n');
    assert.equal(await run('amqp-get', [url, '-q', 'work']), 'hello from amqp-tools\n');
    await run('amqp-publish', [url, '-r', 'work', '-b', 'second']);
    assert.equal(await run('amqp-consume', [url, '-q', 'work', '-c', '1', 'cat']), 'second');
    await assert.rejects(run('amqp-get', [url, '-q', 'work']), /empty|failed|code/i, 'amqp-get on an empty queue fails');
    assert.equal((await run('amqp-delete-queue', [url, '-q', 'work'])).trim(), '0');
  } finally {
    await b.stop();
  }
});
