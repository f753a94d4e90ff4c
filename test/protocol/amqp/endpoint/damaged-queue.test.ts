/**
 * A queue whose message log is damaged between runs (its tail cut at any byte, cut at a batch
 * boundary, or corrupted) recovers to a state that agrees with what is left: the message count
 * is what can be delivered, the lost messages are dropped and reported (error log, Broker.damage,
 * health "degraded"), new messages get offsets never used before and are delivered, and the
 * broker stops cleanly then and after the next start.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type amqp from 'amqplib';
import { escapeName } from '../../../../src/core/paths.js';
import type { Logger } from '../../../../src/server/logger.js';
import { forEachBatch } from '../../../../src/storage/codec/record-batch.js';
import { tempDir } from '../../../helpers/tmp.js';
import { startBroker, waitFor, type TestBroker } from './helpers.js';

const COUNT = 2500;

function capture(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, error: (m) => void errors.push(m), warn() {}, info() {}, debug() {} };
}

/** The last segment file of a queue's message log. */
async function lastSegment(dataDir: string, queue: string): Promise<string> {
  const queues = join(dataDir, 'vhosts', escapeName('/'), 'queues');
  const folder = (await readdir(queues)).find((n) => n.startsWith(`${escapeName(queue)}.`))!;
  const dir = join(queues, folder, 'messages');
  const logs = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
  return join(dir, logs[logs.length - 1]!);
}

async function fill(b: TestBroker, queue: string): Promise<void> {
  const c = await b.connect();
  const ch = await c.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  for (let i = 0; i < COUNT; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`.padEnd(1000, '.')), { persistent: true });
  await ch.waitForConfirms();
  await c.close();
}

/** Consumes (and acks) n messages; returns their bodies' names (m<i>). */
async function drain(ch: amqp.Channel, queue: string, n: number): Promise<string[]> {
  const got: string[] = [];
  await ch.prefetch(500);
  const { consumerTag } = await ch.consume(queue, (m) => {
    if (m === null) return;
    got.push(m.content.toString().replace(/\.+$/, ''));
    ch.ack(m);
  });
  await waitFor(() => got.length >= n, 20_000, `${n} deliveries (got ${got.length})`);
  await ch.cancel(consumerTag);
  return got;
}

type Damage = (file: string) => Promise<void>;

async function damagedRun(queue: string, damage: Damage, expectCut: boolean): Promise<void> {
  const { dir, cleanup } = await tempDir('hopper-damaged-');
  let b: TestBroker | null = null;
  try {
    b = await startBroker({ dataDir: dir });
    await fill(b, queue);
    await b.stopKeepingData();
    await damage(await lastSegment(dir, queue));

    const logger = capture();
    b = await startBroker({ dataDir: dir, broker: { logger } });
    const c = await b.connect();
    const ch = await c.createChannel();
    const left = (await ch.checkQueue(queue)).messageCount;
    assert.ok(left > 0 && left < COUNT, `some messages are left, some lost (${left})`);

    // Reported: an error line naming the log, Broker.damage(), and /health's degraded list.
    const logged = logger.errors.join(' | ');
    assert.ok(logger.errors.some((e) => e.includes(`${escapeName(queue)}.`) && e.includes('/messages:')), `the log's damage is logged with its folder: ${logged}`);
    assert.ok(logger.errors.some((e) => e.includes(`queue '${queue}'`) && e.includes(`${COUNT - left} message(s) lost`)), `the queue's loss is logged: ${logged}`);
    const reports = b.broker.damage();
    const lost = reports.find((r) => r.lostMessages !== undefined)!;
    assert.equal(lost.name, queue);
    assert.equal(lost.lostMessages, COUNT - left, 'the queue counts the messages it lost');
    const logReport = reports.find((r) => r.log === 'messages')!;
    assert.ok(logReport, 'the message log reports what it found');
    if (expectCut) assert.ok(logReport.droppedBytes > 0);
    const health = b.broker.health();
    assert.equal(health.ok, true);
    assert.ok(health.degraded.length >= 1 && health.degraded.every((d) => d.includes(`queue '${queue}'`)), health.degraded.join(' | '));

    // Exactly what is counted is delivered: the first `left` messages, in order.
    const got = await drain(ch, queue, left);
    assert.deepEqual(got, Array.from({ length: left }, (_, i) => `m${i}`));
    assert.equal((await ch.checkQueue(queue)).messageCount, 0);

    // New messages get fresh offsets (not ones the checkpoint knew as settled) and are delivered.
    const pub = await c.createConfirmChannel();
    for (let i = 0; i < 10; i++) pub.sendToQueue(queue, Buffer.from(`new${i}`), { persistent: true });
    await pub.waitForConfirms();
    assert.equal((await ch.checkQueue(queue)).messageCount, 10);
    const fresh = await drain(ch, queue, 10);
    assert.deepEqual(fresh, Array.from({ length: 10 }, (_, i) => `new${i}`));
    for (let i = 0; i < 5; i++) pub.sendToQueue(queue, Buffer.from(`kept${i}`), { persistent: true });
    await pub.waitForConfirms();
    await b.stopKeepingData(); // resolves: the close trims nothing past the log's end

    const logger2 = capture();
    b = await startBroker({ dataDir: dir, broker: { logger: logger2 } });
    const ch2 = await (await b.connect()).createChannel();
    assert.equal((await ch2.checkQueue(queue)).messageCount, 5, 'nothing settled comes back, nothing unsettled is lost');
    assert.deepEqual(await drain(ch2, queue, 5), Array.from({ length: 5 }, (_, i) => `kept${i}`));
    assert.deepEqual(logger2.errors, [], 'no new damage');
    assert.deepEqual(b.broker.damage(), []);
  } finally {
    await b?.stopKeepingData();
    await cleanup();
  }
}

test('a message log cut at an arbitrary byte after a clean stop: counts and deliveries agree, the loss is reported', async () => {
  await damagedRun('dmg.cut', async (file) => {
    const size = (await readFile(file)).length;
    await truncate(file, Math.floor(size / 2) + 7);
  }, true);
});

test('a message log that lost whole batches at its end: detected from the end recorded at the clean stop', async () => {
  await damagedRun('dmg.boundary', async (file) => {
    const bytes = await readFile(file);
    const starts: number[] = [];
    forEachBatch(bytes, (_h, pos) => void starts.push(pos));
    await truncate(file, starts[Math.floor(starts.length / 2)]!);
  }, false);
});

test('a message log whose last batch is corrupted: recovery cuts it, and the loss is reported', async () => {
  await damagedRun('dmg.corrupt-tail', async (file) => {
    const bytes = await readFile(file);
    let last = 0;
    forEachBatch(bytes, (_h, pos) => void (last = pos));
    const at = last + Math.floor((bytes.length - last) / 2);
    bytes[at] = bytes[at]! ^ 0xff;
    await writeFile(file, bytes);
  }, true);
});

test('a corrupted batch inside the message log is found when read: its messages are dropped and reported, the rest delivered in order', async () => {
  const { dir, cleanup } = await tempDir('hopper-damaged-');
  const queue = 'dmg.corrupt-middle';
  let b: TestBroker | null = null;
  try {
    b = await startBroker({ dataDir: dir });
    await fill(b, queue);
    await b.stopKeepingData();
    // Damage one batch in the middle: recovery checks the tail it must, not every byte, so the
    // damage shows when a read reaches it.
    const file = await lastSegment(dir, queue);
    const bytes = await readFile(file);
    const batches: { pos: number; base: number; count: number }[] = [];
    forEachBatch(bytes, (h, pos) => void batches.push({ pos, base: h.baseOffset, count: h.lastOffsetDelta + 1 }));
    const hit = batches[Math.floor(batches.length / 2)]!;
    bytes[hit.pos + 100]! ^= 0xff;
    await writeFile(file, bytes);

    const logger = capture();
    b = await startBroker({ dataDir: dir, broker: { logger } });
    const ch = await (await b.connect()).createChannel();
    assert.equal((await ch.checkQueue(queue)).messageCount, COUNT);
    const expected = Array.from({ length: COUNT }, (_, i) => `m${i}`).filter((_, i) => i < hit.base || i >= hit.base + hit.count);
    const got = await drain(ch, queue, expected.length);
    assert.deepEqual(got, expected, 'every readable message, in order; the queue does not stall at the damage');
    assert.equal((await ch.checkQueue(queue)).messageCount, 0);
    const lost = b.broker.damage().find((r) => r.lostMessages !== undefined)!;
    assert.deepEqual([lost.lostMessages, lost.fromOffset, lost.toOffset], [hit.count, hit.base, hit.base + hit.count]);
    assert.ok(logger.errors.some((e) => e.includes(`queue '${queue}'`) && e.includes('unreadable')), logger.errors.join(' | '));
    const logReports = b.broker.damage().filter((r) => r.log === 'messages');
    assert.deepEqual(logReports.map((r) => [r.fromOffset, r.toOffset]), [[hit.base, hit.base + hit.count]], 'one report for the damaged batch');
    assert.equal(b.broker.health().degraded.length, 2, 'the log and the queue');
    assert.equal(b.broker.vhost('/').queue(queue).stats().dropped, hit.count);
  } finally {
    await b?.stopKeepingData();
    await cleanup();
  }
});
