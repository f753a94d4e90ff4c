/**
 * The process, with a queue's message log damaged between runs: the start logs the loss as an
 * error naming the log, /health answers 200 "degraded" naming the queue, the message count is
 * what a consumer then receives, and SIGTERM stops the process with exit code 0, then and after
 * the next start (the loss is not reported again).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { escapeName } from '../../src/core/paths.js';
import { tempDir } from '../helpers/tmp.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const COUNT = 2500;

interface Proc {
  child: ChildProcess;
  amqpUrl: string;
  healthUrl: string;
  stderr: () => string;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

async function startHopper(data: string): Promise<Proc> {
  const child = spawn(process.execPath, [main, 'start', '--data', data, '--http-port', '0', '--amqp-port', '0', '--kafka-port', '-1', '--sqs-port', '-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  while (!/amqp:\/\/[^:]+:(\d+)/.test(out) || !/http:\/\/127\.0\.0\.1:(\d+)\/health/.test(out)) {
    const [code] = await Promise.race([once(child.stdout!, 'data'), once(child, 'exit')]);
    if (typeof code === 'number' || code === null) assert.fail(`exited early: ${out}\n${err}`);
  }
  const amqpPort = Number(/amqp:\/\/[^:]+:(\d+)/.exec(out)![1]);
  const httpPort = Number(/http:\/\/127\.0\.0\.1:(\d+)\/health/.exec(out)![1]);
  return {
    child,
    amqpUrl: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    healthUrl: `http://127.0.0.1:${httpPort}/health`,
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
}

async function messagesLog(data: string, queue: string): Promise<string> {
  const queues = join(data, 'vhosts', escapeName('/'), 'queues');
  const folder = (await readdir(queues)).find((n) => n.startsWith(`${escapeName(queue)}.`))!;
  const dir = join(queues, folder, 'messages');
  const logs = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
  return join(dir, logs[logs.length - 1]!);
}

test('a queue log cut between runs: logged, /health degraded, counts agree with deliveries, SIGTERM exits 0', async () => {
  const { dir, cleanup } = await tempDir('hopper-damaged-proc-');
  const data = join(dir, 'data');
  let p: Proc | null = null;
  try {
    p = await startHopper(data);
    let c = await amqp.connect(p.amqpUrl);
    const pub = await c.createConfirmChannel();
    await pub.assertQueue('dq', { durable: true });
    for (let i = 0; i < COUNT; i++) pub.sendToQueue('dq', Buffer.from(`m${i}`.padEnd(1000, '.')), { persistent: true });
    await pub.waitForConfirms();
    await c.close();
    assert.equal(await p.stop(), 0);

    const file = await messagesLog(data, 'dq');
    await truncate(file, Math.floor((await readFile(file)).length / 2) + 3);

    p = await startHopper(data);
    assert.match(p.stderr(), /ERROR.*queues\/dq\.[0-9a-f]+\/messages: cut \d+ bytes/);
    assert.match(p.stderr(), /ERROR.*queue 'dq' in vhost '\/': \d+ message\(s\) lost/);
    const res = await fetch(p.healthUrl);
    assert.equal(res.status, 200);
    const health = (await res.json()) as { status: string; degraded: string[] };
    assert.equal(health.status, 'degraded');
    assert.ok(health.degraded.some((d) => d.includes("queue 'dq'")), JSON.stringify(health));

    c = await amqp.connect(p.amqpUrl);
    const ch = await c.createChannel();
    const left = (await ch.checkQueue('dq')).messageCount;
    assert.ok(left > 0 && left < COUNT, `left ${left}`);
    let got = 0;
    await ch.prefetch(500);
    await ch.consume('dq', (m) => {
      if (m === null) return;
      assert.equal(m.content.toString().replace(/\.+$/, ''), `m${got}`);
      got++;
      ch.ack(m);
    });
    const until = Date.now() + 20_000;
    while (got < left && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(got, left, 'every counted message is delivered');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(got, left, 'and no more');
    await c.close();
    assert.equal(await p.stop(), 0, `a clean stop after the damage: ${p.stderr()}`);

    p = await startHopper(data);
    assert.doesNotMatch(p.stderr(), /ERROR/);
    assert.equal(((await (await fetch(p.healthUrl)).json()) as { status: string }).status, 'ok');
    c = await amqp.connect(p.amqpUrl);
    assert.equal((await (await c.createChannel()).checkQueue('dq')).messageCount, 0);
    await c.close();
    assert.equal(await p.stop(), 0);
    p = null;
  } finally {
    await p?.stop();
    await cleanup();
  }
});
