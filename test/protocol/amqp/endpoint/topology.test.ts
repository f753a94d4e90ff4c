/** exchange.* and queue.*: declare (passive, flags, arguments), bind, unbind, purge, delete. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type amqp from 'amqplib';
import { channelClosed, collect, sleep, startBroker, waitFor, type TestBroker } from './helpers.js';

let b: TestBroker;
let conn: amqp.ChannelModel;
before(async () => {
  b = await startBroker();
  conn = await b.connect();
});
after(async () => {
  await b.stop();
});

/** Runs `fn` on a fresh channel and returns the code the channel was closed with. */
async function closeCode(fn: (ch: amqp.Channel) => Promise<unknown>): Promise<number> {
  const ch = await conn.createChannel();
  const closed = channelClosed(ch);
  await fn(ch).catch(() => undefined);
  return (await closed).code;
}

test('exchange declare: types, passive, equivalence, reserved names, default exchange', async () => {
  const ch = await conn.createChannel();
  for (const t of ['direct', 'fanout', 'topic', 'headers']) await ch.assertExchange(`top.x.${t}`, t, { durable: false });
  await ch.checkExchange('top.x.direct');
  await ch.checkExchange('amq.topic');
  await ch.assertExchange('amq.topic', 'topic', { durable: true }); // amq.* redeclared as is: fine
  assert.equal(await closeCode((c) => c.checkExchange('top.nope')), 404);
  assert.equal(await closeCode((c) => c.assertExchange('top.x.direct', 'fanout', { durable: false })), 406);
  assert.equal(await closeCode((c) => c.assertExchange('amq.custom', 'direct')), 403);
  assert.equal(await closeCode((c) => c.deleteExchange('')), 403);
  await ch.close();
});

test('unknown exchange type closes the connection with 503', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  const closed = new Promise<{ code: number }>((resolve) => c.once('error', resolve));
  ch.on('error', () => undefined);
  await ch.assertExchange('top.weird', 'no-such-type').catch(() => undefined);
  assert.equal((await closed).code, 503);
});

test('exchange-to-exchange bindings, unbind, internal exchanges and alternate exchanges', async () => {
  const ch = await conn.createChannel();
  await ch.assertExchange('top.src', 'topic', { durable: false });
  await ch.assertExchange('top.mid', 'fanout', { durable: false, internal: true });
  await ch.assertQueue('top.e2e', { durable: false });
  await ch.bindExchange('top.mid', 'top.src', 'a.#');
  await ch.bindQueue('top.e2e', 'top.mid', '');
  ch.publish('top.src', 'a.b', Buffer.from('routed'));
  ch.publish('top.src', 'z', Buffer.from('dropped'));
  const q = b.broker.vhost().queue('top.e2e');
  await waitFor(() => q.stats().ready === 1);
  await ch.unbindExchange('top.mid', 'top.src', 'a.#');
  ch.publish('top.src', 'a.b', Buffer.from('after-unbind'));
  await sleep(50);
  assert.equal(q.stats().ready, 1);
  assert.equal(await closeCode(async (c) => c.publish('top.mid', '', Buffer.from('x'))), 403);

  await ch.assertExchange('top.ae', 'fanout', { durable: false });
  await ch.assertQueue('top.unrouted', { durable: false });
  await ch.bindQueue('top.unrouted', 'top.ae', '');
  await ch.assertExchange('top.withae', 'direct', { durable: false, alternateExchange: 'top.ae' });
  ch.publish('top.withae', 'nowhere', Buffer.from('to-ae'));
  await waitFor(() => b.broker.vhost().queue('top.unrouted').stats().ready === 1);
  await ch.close();
});

test('exchange delete if-unused, auto-delete exchanges', async () => {
  const ch = await conn.createChannel();
  await ch.assertExchange('top.used', 'direct', { durable: false });
  await ch.assertQueue('top.usedq', { durable: false });
  await ch.bindQueue('top.usedq', 'top.used', 'k');
  assert.equal(await closeCode((c) => c.deleteExchange('top.used', { ifUnused: true })), 406);
  await ch.deleteExchange('top.used');
  assert.equal(await closeCode((c) => c.checkExchange('top.used')), 404);

  await ch.assertExchange('top.auto', 'direct', { durable: false, autoDelete: true });
  await ch.bindQueue('top.usedq', 'top.auto', 'k');
  await ch.unbindQueue('top.usedq', 'top.auto', 'k');
  assert.equal(await closeCode((c) => c.checkExchange('top.auto')), 404);
  await ch.close();
});

test('queue declare: server-named, passive, counts, redeclare with other arguments is 406', async () => {
  const ch = await conn.createChannel();
  const named = await ch.assertQueue('', { exclusive: true });
  assert.match(named.queue, /^amq\.gen-/);
  await ch.assertQueue('top.counts', { durable: false });
  ch.sendToQueue('top.counts', Buffer.from('1'));
  ch.sendToQueue('top.counts', Buffer.from('2'));
  await waitFor(() => b.broker.vhost().queue('top.counts').stats().ready === 2);
  const ok = await ch.checkQueue('top.counts');
  assert.deepEqual(ok, { queue: 'top.counts', messageCount: 2, consumerCount: 0 });
  assert.equal(await closeCode((c) => c.checkQueue('top.missing')), 404);
  await ch.assertQueue('top.args', { durable: false, arguments: { 'x-message-ttl': 1000 } });
  assert.equal(await closeCode((c) => c.assertQueue('top.args', { durable: false, arguments: { 'x-message-ttl': 2000 } })), 406);
  assert.equal(await closeCode((c) => c.assertQueue('top.args', { durable: true, arguments: { 'x-message-ttl': 1000 } })), 406);
  assert.equal(await closeCode((c) => c.assertQueue('amq.mine')), 403);
  assert.equal(await closeCode((c) => c.assertQueue('top.bad', { arguments: { 'x-max-length': -1 } })), 406);
  assert.equal(await closeCode((c) => c.assertQueue('top.bad', { arguments: { 'x-overflow': 'explode' } })), 406);
  assert.equal(await closeCode((c) => c.assertQueue('top.bad', { arguments: { 'x-message-ttl': 'soon' } })), 406);
  assert.equal(await closeCode((c) => c.assertQueue('top.bad', { arguments: { 'x-queue-type': 'lazy' } })), 406);
  await ch.close();
});

test('exclusive queues: other connections get 405; deleted when the owner closes', async () => {
  const owner = await b.connect();
  const och = await owner.createChannel();
  await och.assertQueue('top.excl', { exclusive: true });
  const ch = await conn.createChannel();
  const closed = channelClosed(ch);
  await ch.checkQueue('top.excl').catch(() => undefined);
  assert.equal((await closed).code, 405);
  assert.equal(await closeCode((c) => c.consume('top.excl', () => undefined)), 405);
  await owner.close();
  await waitFor(() => !b.broker.vhost().hasQueue('top.excl'));
});

test('auto-delete queues go when their last consumer is cancelled', async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('top.autoq', { durable: false, autoDelete: true });
  const { tag } = await collect(ch, 'top.autoq');
  const { tag: tag2 } = await collect(ch, 'top.autoq');
  await ch.cancel(tag);
  await sleep(20);
  assert.ok(b.broker.vhost().hasQueue('top.autoq'));
  await ch.cancel(tag2);
  await waitFor(() => !b.broker.vhost().hasQueue('top.autoq'));
  await ch.close();
});

test('queue purge, delete if-unused / if-empty, delete of a missing queue', async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('top.purge', { durable: false });
  for (let i = 0; i < 3; i++) ch.sendToQueue('top.purge', Buffer.from('p'));
  await waitFor(() => b.broker.vhost().queue('top.purge').stats().ready === 3);
  assert.equal((await ch.purgeQueue('top.purge')).messageCount, 3);
  ch.sendToQueue('top.purge', Buffer.from('p'));
  await waitFor(() => b.broker.vhost().queue('top.purge').stats().ready === 1);
  assert.equal(await closeCode((c) => c.deleteQueue('top.purge', { ifEmpty: true })), 406);
  const cch = await conn.createChannel();
  await cch.consume('top.purge', () => undefined);
  assert.equal(await closeCode((c) => c.deleteQueue('top.purge', { ifUnused: true })), 406);
  await cch.close();
  assert.equal((await ch.deleteQueue('top.purge')).messageCount, 1);
  assert.equal((await ch.deleteQueue('top.never-existed')).messageCount, 0);
  await ch.close();
});

test('queue bind and unbind with a headers exchange', async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('top.hdr', { durable: false });
  await ch.bindQueue('top.hdr', 'amq.headers', '', { 'x-match': 'all', kind: 'a' });
  ch.publish('amq.headers', '', Buffer.from('yes'), { headers: { kind: 'a' } });
  ch.publish('amq.headers', '', Buffer.from('no'), { headers: { kind: 'b' } });
  const q = b.broker.vhost().queue('top.hdr');
  await waitFor(() => q.stats().ready === 1);
  await ch.unbindQueue('top.hdr', 'amq.headers', '', { 'x-match': 'all', kind: 'a' });
  ch.publish('amq.headers', '', Buffer.from('yes'), { headers: { kind: 'a' } });
  await sleep(50);
  assert.equal(q.stats().ready, 1);
  await ch.close();
});
