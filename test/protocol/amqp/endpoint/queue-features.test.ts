/**
 * Queue arguments over AMQP: dead-lettering with x-death, TTLs, priorities, every overflow
 * mode, x-expires, x-delivery-limit, single active consumer, x-delay.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type amqp from 'amqplib';
import { collect, sleep, startBroker, waitFor, type TestBroker } from './helpers.js';

let b: TestBroker;
let conn: amqp.ChannelModel;
before(async () => {
  b = await startBroker();
  conn = await b.connect();
});
after(async () => {
  await b.stop();
});

const ready = (q: string) => b.broker.vhost().queue(q).stats().ready;

test('dead-lettering on reject: x-death in RabbitMQ format, count as a long', async () => {
  const ch = await conn.createChannel();
  await ch.assertExchange('qf.dlx', 'direct', { durable: false });
  await ch.assertQueue('qf.dead', { durable: false });
  await ch.bindQueue('qf.dead', 'qf.dlx', 'dead-key');
  await ch.assertQueue('qf.src', { durable: false, arguments: { 'x-dead-letter-exchange': 'qf.dlx', 'x-dead-letter-routing-key': 'dead-key' } });
  ch.sendToQueue('qf.src', Buffer.from('bad'), { expiration: '60000', headers: { mine: 1 } });
  const m = await getOne(ch, 'qf.src');
  ch.reject(m, false);
  await waitFor(() => ready('qf.dead') === 1);
  const d = await getOne(ch, 'qf.dead', true);
  const h = d.properties.headers!;
  assert.equal(h['mine'], 1);
  const death = h['x-death'] as unknown as Record<string, unknown>[];
  assert.equal(death.length, 1);
  const e = death[0]!;
  assert.equal(e['reason'], 'rejected');
  assert.equal(e['queue'], 'qf.src');
  assert.equal(e['exchange'], '');
  assert.deepEqual(e['routing-keys'], ['qf.src']);
  assert.equal(e['original-expiration'], '60000');
  assert.equal(typeof e['count'], 'number'); // amqplib decodes 'l' to a number
  assert.equal(e['count'], 1);
  const time = e['time'] as { '!': string; value: number };
  assert.equal(time['!'], 'timestamp'); // AMQP 'T', seconds
  assert.ok(Math.abs(time.value - Date.now() / 1000) < 60);
  assert.equal(h['x-first-death-reason'], 'rejected');
  assert.equal(h['x-first-death-queue'], 'qf.src');
  assert.equal(d.properties.expiration, undefined, 'per-message expiration is removed');
  assert.equal(d.fields.routingKey, 'dead-key');
  await ch.close();
});

test("x-death counts are sent with type 'l'", async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('qf.dead2', { durable: false });
  await ch.assertQueue('qf.src2', { durable: false, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'qf.dead2' } });
  ch.sendToQueue('qf.src2', Buffer.from('x'));
  ch.reject(await getOne(ch, 'qf.src2'), false);
  await waitFor(() => ready('qf.dead2') === 1);
  // Look at the wire: the raw frame carries "count" followed by the 'l' tag.
  const raw = await rawDelivery('qf.dead2');
  const at = raw.indexOf(Buffer.concat([Buffer.from([5]), Buffer.from('count')]));
  assert.ok(at >= 0);
  assert.equal(String.fromCharCode(raw[at + 6]!), 'l');
  await ch.close();
});

test('message TTL (queue x-message-ttl and per-message expiration) dead-letters as expired', async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('qf.expired', { durable: false });
  await ch.assertQueue('qf.ttl', { durable: false, arguments: { 'x-message-ttl': 50, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'qf.expired' } });
  await ch.assertQueue('qf.ttl2', { durable: false });
  ch.sendToQueue('qf.ttl', Buffer.from('soon gone'));
  ch.sendToQueue('qf.ttl2', Buffer.from('per-message'), { expiration: '30' });
  ch.sendToQueue('qf.ttl2', Buffer.from('stays'));
  await waitFor(() => ready('qf.expired') === 1, 3000, 'expiry');
  const d = await getOne(ch, 'qf.expired', true);
  assert.equal((d.properties.headers!['x-death'] as unknown as Record<string, unknown>[])[0]!['reason'], 'expired');
  await sleep(80);
  const left = await getOne(ch, 'qf.ttl2', true);
  assert.equal(left.content.toString(), 'stays');
  assert.equal(await ch.get('qf.ttl2'), false);
  await ch.close();
});

test('priorities: x-max-priority delivers higher priorities first', async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('qf.prio', { durable: false, arguments: { 'x-max-priority': 10 } });
  for (const p of [1, 5, 9, 0, 5]) ch.sendToQueue('qf.prio', Buffer.from(String(p)), { priority: p });
  await waitFor(() => ready('qf.prio') === 5);
  const { msgs } = await collect(ch, 'qf.prio', { noAck: true });
  await waitFor(() => msgs.length === 5);
  assert.deepEqual(
    msgs.map((m) => m.content.toString()),
    ['9', '5', '5', '1', '0'],
  );
  await ch.close();
});

test('overflow drop-head (default): the oldest messages go, dead-lettered as maxlen', async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('qf.maxlen.dead', { durable: false });
  await ch.assertQueue('qf.maxlen', { durable: false, arguments: { 'x-max-length': 2, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'qf.maxlen.dead' } });
  for (const s of ['1', '2', '3', '4']) ch.sendToQueue('qf.maxlen', Buffer.from(s));
  await waitFor(() => ready('qf.maxlen.dead') === 2);
  assert.deepEqual(await drain(ch, 'qf.maxlen'), ['3', '4']);
  const dead = await getOne(ch, 'qf.maxlen.dead', true);
  assert.equal((dead.properties.headers!['x-death'] as unknown as Record<string, unknown>[])[0]!['reason'], 'maxlen');

  await ch.assertQueue('qf.maxbytes', { durable: false, arguments: { 'x-max-length-bytes': 10 } });
  for (const s of ['aaaa', 'bbbb', 'cccc']) ch.sendToQueue('qf.maxbytes', Buffer.from(s));
  await sleep(50);
  assert.deepEqual(await drain(ch, 'qf.maxbytes'), ['bbbb', 'cccc']);
  await ch.close();
});

test('overflow reject-publish-dlx: refused publishes are dead-lettered', async () => {
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('qf.rpd.dead', { durable: false });
  await ch.assertQueue('qf.rpd', {
    durable: false,
    arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx', 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'qf.rpd.dead' },
  });
  const outcome = (s: string) => new Promise<boolean>((resolve) => ch.sendToQueue('qf.rpd', Buffer.from(s), {}, (err) => resolve(!err)));
  assert.equal(await outcome('kept'), true);
  assert.equal(await outcome('refused'), false);
  await waitFor(() => ready('qf.rpd.dead') === 1);
  assert.deepEqual(await drain(ch, 'qf.rpd'), ['kept']);
  const dead = await getOne(ch, 'qf.rpd.dead', true);
  assert.equal(dead.content.toString(), 'refused');
  await ch.close();
});

test('x-expires deletes an unused queue', async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('qf.expires', { durable: false, arguments: { 'x-expires': 100 } });
  assert.ok(b.broker.vhost().hasQueue('qf.expires'));
  await waitFor(() => !b.broker.vhost().hasQueue('qf.expires'), 3000, 'queue expiry');
  await ch.close();
});

test('x-delivery-limit: a message requeued past the limit is dead-lettered as delivery_limit', async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('qf.limit.dead', { durable: false });
  await ch.assertQueue('qf.limit', { durable: false, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 1, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'qf.limit.dead' } });
  ch.sendToQueue('qf.limit', Buffer.from('poison'));
  ch.nack(await getOne(ch, 'qf.limit'), false, true); // first return: allowed
  ch.nack(await getOne(ch, 'qf.limit'), false, true); // second: over the limit
  await waitFor(() => ready('qf.limit.dead') === 1);
  const dead = await getOne(ch, 'qf.limit.dead', true);
  assert.equal((dead.properties.headers!['x-death'] as unknown as Record<string, unknown>[])[0]!['reason'], 'delivery_limit');
  await ch.close();
});

test('single active consumer: only the first consumer receives until it goes', async () => {
  const ch = await conn.createChannel();
  await ch.assertQueue('qf.sac', { durable: false, arguments: { 'x-single-active-consumer': true } });
  const first = await collect(ch, 'qf.sac', { noAck: true });
  const second = await collect(ch, 'qf.sac', { noAck: true });
  for (let i = 0; i < 3; i++) ch.sendToQueue('qf.sac', Buffer.from(String(i)));
  await waitFor(() => first.msgs.length === 3);
  assert.equal(second.msgs.length, 0);
  await ch.cancel(first.tag);
  ch.sendToQueue('qf.sac', Buffer.from('next'));
  await waitFor(() => second.msgs.length === 1);
  await ch.close();
});

test('x-delay header delays delivery (durably, no plugin)', async () => {
  const ch = await conn.createChannel();
  await ch.assertExchange('qf.delayed', 'x-delayed-message', { durable: true, arguments: { 'x-delayed-type': 'direct' } });
  await ch.assertQueue('qf.delay', { durable: true });
  await ch.bindQueue('qf.delay', 'qf.delayed', 'k');
  const sent = Date.now();
  ch.publish('qf.delayed', 'k', Buffer.from('later'), { headers: { 'x-delay': 300 }, persistent: true });
  ch.sendToQueue('qf.delay', Buffer.from('now'));
  const { msgs } = await collect(ch, 'qf.delay', { noAck: true });
  await waitFor(() => msgs.length === 1);
  assert.equal(msgs[0]!.content.toString(), 'now');
  await waitFor(() => msgs.length === 2, 3000, 'the delayed message');
  assert.equal(msgs[1]!.content.toString(), 'later');
  assert.ok(Date.now() - sent >= 280, 'not before its delay');
  assert.equal(b.broker.vhost().queue('qf.delay').stats().delayed, 0);
  await ch.close();
});

async function getOne(ch: amqp.Channel, q: string, noAck = false): Promise<amqp.GetMessage> {
  for (let i = 0; i < 200; i++) {
    const m = await ch.get(q, { noAck });
    if (m) return m;
    await sleep(10);
  }
  throw new Error(`no message in ${q}`);
}

async function drain(ch: amqp.Channel, q: string): Promise<string[]> {
  const out: string[] = [];
  for (let m = await ch.get(q, { noAck: true }); m; m = await ch.get(q, { noAck: true })) out.push(m.content.toString());
  return out;
}

/** The bytes of one basic.get-ok as the broker sends them, read with a raw client. */
async function rawDelivery(queue: string): Promise<Buffer> {
  const { RawClient } = await import('./helpers.js');
  const raw = await RawClient.connect(b.listener.port);
  await raw.handshake();
  raw.send(1, { method: 'channel.open' });
  await raw.method('channel.open-ok');
  const before = raw.raw.length;
  raw.send(1, { method: 'basic.get', queue, noAck: true });
  await raw.method('basic.get-ok');
  const bytes = Buffer.concat(raw.raw.slice(before));
  raw.close();
  return bytes;
}
