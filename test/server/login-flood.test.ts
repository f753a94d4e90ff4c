/**
 * A liveness check on a real `hopper start` process: while one address floods the AMQP port
 * with failed logins (40 a second, wrong passwords and unknown users), another connection's
 * publishes keep being confirmed and other addresses keep logging in. The bound is generous on
 * purpose: this checks that nothing stalls, not how fast anything is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { encodeMethodFrame } from '../../src/protocol/amqp/codec/encode.js';
import { PROTOCOL_HEADER } from '../../src/protocol/amqp/codec/frame.js';
import { tempDir } from '../helpers/tmp.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const FLOOD_MS = 6_000;
const FLOOD_EVERY_MS = 25;
/** No single confirm or login may take longer than this while the flood runs. */
const STALL_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Header and start-ok in one write: a client that does not wait for connection.start. */
function badLogin(i: number): Buffer {
  const user = i % 2 === 0 ? 'guest' : `nobody-${i}`;
  const capabilities = { capabilities: { type: 'table' as const, value: { authentication_failure_close: { type: 'bool' as const, value: true } } } };
  return Buffer.concat([
    PROTOCOL_HEADER as Buffer,
    encodeMethodFrame(0, { method: 'connection.start-ok', clientProperties: capabilities, mechanism: 'PLAIN', response: Buffer.from(`\u0000${user}\u0000wrong-${i}`), locale: 'en_US' }),
  ]);
}

test('a flood of failed logins from one address stalls neither confirms nor other logins', { timeout: 90_000 }, async () => {
  const { dir, cleanup } = await tempDir();
  const child = spawn(process.execPath, [main, 'start', '--data', join(dir, 'data'), '--amqp-port', '0', '--http-port', '-1', '--kafka-port', '-1', '--sqs-port', '-1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOPPER_AMQP_WARM_UP_MESSAGES: '0', HOPPER_LOG_LEVEL: 'warn' },
  });
  const flood: Socket[] = [];
  try {
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.resume();
    while (!/amqp:\/\/127\.0\.0\.1:(\d+)/.test(out)) {
      const [code] = await Promise.race([once(child.stdout, 'data'), once(child, 'exit')]);
      if (typeof code === 'number' || code === null) assert.fail(`exited early: ${out}`);
    }
    const port = Number(/amqp:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
    const url = `amqp://guest:guest@127.0.0.1:${port}`;

    const conn = await amqp.connect(url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('flood-q', { durable: true });

    let refused = 0;
    let flooding = true;
    const flooder = (async () => {
      for (let i = 0; flooding; i++) {
        const s = netConnect({ port, host: '127.0.0.1', localAddress: '127.0.4.1' }, () => s.write(badLogin(i)));
        s.on('error', () => undefined);
        s.on('close', () => refused++);
        s.resume(); // read what the broker sends, so its FIN is seen
        flood.push(s);
        await sleep(FLOOD_EVERY_MS);
      }
    })();

    const started = Date.now();
    let confirmed = 0;
    let slowestConfirmMs = 0;
    let logins = 0;
    let slowestLoginMs = 0;
    const publisher = (async () => {
      while (Date.now() - started < FLOOD_MS) {
        const t0 = Date.now();
        await new Promise<void>((resolve, reject) => ch.sendToQueue('flood-q', Buffer.from(`m${confirmed}`), { persistent: true }, (err) => (err ? reject(err) : resolve())));
        slowestConfirmMs = Math.max(slowestConfirmMs, Date.now() - t0);
        confirmed++;
      }
    })();
    const loginner = (async () => {
      while (Date.now() - started < FLOOD_MS) {
        const t0 = Date.now();
        const c = await amqp.connect(url, { localAddress: '127.0.4.2' } as Parameters<typeof amqp.connect>[1]);
        await c.createChannel();
        await c.close();
        slowestLoginMs = Math.max(slowestLoginMs, Date.now() - t0);
        logins++;
        await sleep(200);
      }
    })();
    await Promise.all([publisher, loginner]);
    flooding = false;
    await flooder;

    assert.ok(flood.length >= (FLOOD_MS / FLOOD_EVERY_MS) * 0.5, `the flood ran (${flood.length} connections)`);
    assert.ok(refused >= 2, `the broker refused the flood's logins (${refused} so far)`);
    assert.ok(confirmed > 0 && slowestConfirmMs < STALL_MS, `publishes kept being confirmed: ${confirmed}, slowest ${slowestConfirmMs} ms`);
    assert.ok(logins > 0 && slowestLoginMs < STALL_MS, `other addresses kept logging in: ${logins}, slowest ${slowestLoginMs} ms`);
    const q = await ch.checkQueue('flood-q');
    assert.equal(q.messageCount, confirmed);
    await conn.close();
  } finally {
    for (const s of flood) s.destroy();
    child.kill('SIGTERM');
    await once(child, 'exit');
    await cleanup();
  }
});
