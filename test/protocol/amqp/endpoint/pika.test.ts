/** pika (Python) against Hopper, when python3 has pika installed; skipped otherwise. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { findPython } from '../../../helpers/python.js';
import { startBroker } from './helpers.js';

const script = fileURLToPath(new URL('../../../../../test/protocol/amqp/endpoint/pika-check.py', import.meta.url));

const python = findPython('pika');

test('pika: confirms, qos, headers, direct reply-to, transactions', { skip: python === null ? 'pika is not installed' : false }, async () => {
  const b = await startBroker();
  try {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(python!, [script, String(b.listener.port)], { timeout: 30_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${stderr}${stdout}`)) : resolve(stdout))),
    );
    assert.match(out, /pika ok/);
    assert.match(out, /b're:ping'/);
  } finally {
    await b.stop();
  }
});
