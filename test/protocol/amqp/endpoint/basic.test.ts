/** basic.*: publish, consume, ack / nack / reject, get, qos, cancel, recover, returns, flow. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { channelClosed, collect, connectionClosed, RawClient, sleep, startBroker, waitFor, type TestBroker } from './helpers.js';

let b: TestBroker;
before(async () => {
  b = await startBroker();
});
after(async () => {
  await b.stop();
});

test('publish to the default exchange, consume and ack; properties and headers round-trip', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('basic.q1', { durable: false });
  const ts = Math.floor(Date.now() / 1000) - 100;
  ch.sendToQueue('basic.q1', Buffer.from('one'), {
    contentType: 'application/json',
    contentEncoding: 'utf8',
    correlationId: 'c-1',
    replyTo: 'somewhere',
    messageId: 'm-1',
    type: 't',
    appId: 'app',
    userId: 'guest',
    persistent: true,
    priority: 3,
    expiration: '60000',
    timestamp: ts,
    headers: { s: 'x', n: 7, b: true, nested: { k: 'v' }, arr: [1, 'two'] },
  });
  const { msgs } = await collect(ch, 'basic.q1');
  await waitFor(() => msgs.length === 1);
  const m = msgs[0]!;
  assert.equal(m.content.toString(), 'one');
  assert.equal(m.fields.exchange, '');
  assert.equal(m.fields.routingKey, 'basic.q1');
  assert.equal(m.fields.redelivered, false);
  const p = m.properties;
  assert.equal(p.contentType, 'application/json');
  assert.equal(p.contentEncoding, 'utf8');
  assert.equal(p.correlationId, 'c-1');
  assert.equal(p.replyTo, 'somewhere');
  assert.equal(p.messageId, 'm-1');
  assert.equal(p.type, 't');
  assert.equal(p.appId, 'app');
  assert.equal(p.userId, 'guest');
  assert.equal(p.deliveryMode, 2);
  assert.equal(p.priority, 3);
  assert.equal(p.expiration, '60000');
  assert.equal(p.timestamp, ts);
  assert.deepEqual(p.headers, { s: 'x', n: 7, b: true, nested: { k: 'v' }, arr: [1, 'two'] });
  ch.ack(m);
  await waitFor(() => b.broker.vhost().queue('basic.q1').stats().acked === 1);
  await c.close();
});

test('large messages are split into body frames and come back whole', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('basic.big', { durable: false });
  const body = Buffer.alloc(1_000_000);
  for (let i = 0; i < body.length; i++) body[i] = i % 251;
  ch.sendToQueue('basic.big', body);
  await waitFor(() => b.broker.vhost().queue('basic.big').stats().ready === 1);
  const m = await ch.get('basic.big', { noAck: true });
  assert.ok(m);
  assert.ok(m.content.equals(body));
  await c.close();
});

test('basic.get and get-empty, with message count; nack requeue marks redelivered', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('basic.get', { durable: false });
  assert.equal(await ch.get('basic.get'), false);
  for (const s of ['a', 'b', 'c']) ch.sendToQueue('basic.get', Buffer.from(s));
  await waitFor(() => b.broker.vhost().queue('basic.get').stats().ready === 3);
  const m1 = await ch.get('basic.get');
  assert.ok(m1);
  assert.equal(m1.content.toString(), 'a');
  assert.equal(m1.fields.messageCount, 2);
  ch.nack(m1, false, true);
  const again = await ch.get('basic.get');
  assert.ok(again);
  assert.equal(again.content.toString(), 'a');
  assert.equal(again.fields.redelivered, true);
  ch.reject(again, false); // dropped (no dead-letter target)
  const m2 = await ch.get('basic.get', { noAck: true });
  assert.ok(m2);
  assert.equal(m2.content.toString(), 'b');
  await c.close();
});

test('ack multiple settles every tag up to the one given; unknown tag is 406', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('basic.multi', { durable: false });
  for (let i = 0; i < 5; i++) ch.sendToQueue('basic.multi', Buffer.from(String(i)));
  const { msgs } = await collect(ch, 'basic.multi');
  await waitFor(() => msgs.length === 5);
  ch.ack(msgs[3]!, true);
  const q = b.broker.vhost().queue('basic.multi');
  await waitFor(() => q.stats().acked === 4);
  assert.equal(q.stats().inFlight, 1);
  const closed = channelClosed(ch);
  ch.ack(msgs[2]!); // already acked
  const e = await closed;
  assert.equal(e.code, 406);
  assert.match(e.message, /unknown delivery tag 3/);
  // The channel closed: its unacked message went back.
  await waitFor(() => q.stats().ready === 1 && q.stats().inFlight === 0);
  await c.close();
});

test('prefetch: global=false limits each consumer, global=true the whole channel', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('basic.pf1', { durable: false });
  await ch.assertQueue('basic.pf2', { durable: false });
  for (let i = 0; i < 10; i++) {
    ch.sendToQueue('basic.pf1', Buffer.from('x'));
    ch.sendToQueue('basic.pf2', Buffer.from('y'));
  }
  await waitFor(() => b.broker.vhost().queue('basic.pf2').stats().ready === 10);
  await ch.prefetch(2, false); // per consumer
  const a = await collect(ch, 'basic.pf1');
  const bb = await collect(ch, 'basic.pf2');
  await sleep(100);
  assert.equal(a.msgs.length, 2);
  assert.equal(bb.msgs.length, 2);
  await ch.close();

  const ch2 = await c.createChannel();
  await ch2.prefetch(3, true); // whole channel
  const x = await collect(ch2, 'basic.pf1');
  const y = await collect(ch2, 'basic.pf2');
  await sleep(100);
  assert.equal(x.msgs.length + y.msgs.length, 3);
  const first = [...x.msgs, ...y.msgs][0]!;
  ch2.ack(first);
  await waitFor(() => x.msgs.length + y.msgs.length === 4);
  await c.close();
});

test('consumer priorities (x-priority) and exclusive consumers', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('basic.prio', { durable: false });
  const low = await collect(ch, 'basic.prio', { noAck: true, priority: 1 });
  const high = await collect(ch, 'basic.prio', { noAck: true, priority: 10 });
  for (let i = 0; i < 5; i++) ch.sendToQueue('basic.prio', Buffer.from('p'));
  await waitFor(() => high.msgs.length === 5);
  assert.equal(low.msgs.length, 0);

  await ch.assertQueue('basic.excl', { durable: false });
  await ch.consume('basic.excl', () => undefined, { exclusive: true });
  const ch2 = await c.createChannel();
  const closed = channelClosed(ch2);
  await assert.rejects(ch2.consume('basic.excl', () => undefined));
  assert.equal((await closed).code, 403);
  await c.close();
});

test('cancel stops deliveries; unacked messages of a cancelled consumer can still be acked', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('basic.cancel', { durable: false });
  ch.sendToQueue('basic.cancel', Buffer.from('1'));
  const { msgs, tag } = await collect(ch, 'basic.cancel');
  await waitFor(() => msgs.length === 1);
  await ch.cancel(tag);
  ch.sendToQueue('basic.cancel', Buffer.from('2'));
  await sleep(50);
  assert.equal(msgs.length, 1);
  ch.ack(msgs[0]!);
  const q = b.broker.vhost().queue('basic.cancel');
  await waitFor(() => q.stats().acked === 1 && q.stats().ready === 1);
  await c.close();
});

test('server-sent basic.cancel when the consumed queue is deleted', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('basic.gone', { durable: false });
  let cancelled = false;
  await ch.consume('basic.gone', (m) => {
    if (m === null) cancelled = true;
  });
  const other = await (await b.connect()).createChannel();
  await other.deleteQueue('basic.gone');
  await waitFor(() => cancelled, 2000, 'consumer cancel notification');
  await c.close();
});

test('recover requeues every unacked message, redelivered', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('basic.recover', { durable: false });
  ch.sendToQueue('basic.recover', Buffer.from('r1'));
  ch.sendToQueue('basic.recover', Buffer.from('r2'));
  const { msgs } = await collect(ch, 'basic.recover');
  await waitFor(() => msgs.length === 2);
  await ch.recover();
  await waitFor(() => msgs.length === 4);
  assert.deepEqual(
    msgs.slice(2).map((m) => [m.content.toString(), m.fields.redelivered]),
    [
      ['r1', true],
      ['r2', true],
    ],
  );
  await c.close();
});

test('mandatory publish with no route comes back as basic.return 312 NO_ROUTE', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  const returned = new Promise<{ code: number; text: string; key: string; body: string; ct: string | undefined }>((resolve) =>
    ch.once('return', (m) =>
      resolve({ code: m.fields.replyCode, text: m.fields.replyText, key: m.fields.routingKey, body: m.content.toString(), ct: m.properties.contentType }),
    ),
  );
  ch.publish('amq.direct', 'nobody-home', Buffer.from('lost'), { mandatory: true, contentType: 'text/plain' });
  const r = await returned;
  assert.deepEqual(r, { code: 312, text: 'NO_ROUTE', key: 'nobody-home', body: 'lost', ct: 'text/plain' });
  await c.close();
});

test('no-ack consumers receive everything; redeliveries after channel close', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('basic.noack', { durable: false });
  for (let i = 0; i < 200; i++) ch.sendToQueue('basic.noack', Buffer.from(String(i)));
  const { msgs } = await collect(ch, 'basic.noack', { noAck: true });
  await waitFor(() => msgs.length === 200);
  assert.deepEqual(
    msgs.map((m) => Number(m.content.toString())),
    [...Array(200).keys()],
  );
  await ch.close();

  const ch2 = await c.createChannel();
  await ch2.assertQueue('basic.requeue', { durable: false });
  ch2.sendToQueue('basic.requeue', Buffer.from('x'));
  const first = await collect(ch2, 'basic.requeue');
  await waitFor(() => first.msgs.length === 1);
  await ch2.close(); // unacked: back to the queue
  const ch3 = await c.createChannel();
  const second = await collect(ch3, 'basic.requeue');
  await waitFor(() => second.msgs.length === 1);
  assert.equal(second.msgs[0]!.fields.redelivered, true);
  await c.close();
});

test('recover and recover-async with requeue=false close the connection with 540 NOT_IMPLEMENTED, as RabbitMQ does', async () => {
  // amqplib's recover() always asks requeue=true: the method goes through its internals.
  const methods = [
    ['basic.recover', (60 << 16) | 110],
    ['basic.recover-async', (60 << 16) | 100],
  ] as const;
  for (const [name, id] of methods) {
    const c = await b.connect();
    const ch = await c.createChannel();
    await ch.assertQueue('basic.recover-nr', { durable: false });
    ch.sendToQueue('basic.recover-nr', Buffer.from(name));
    const { msgs } = await collect(ch, 'basic.recover-nr');
    await waitFor(() => msgs.length === 1);
    const closed = connectionClosed(c);
    (ch as unknown as { sendImmediately(method: number, fields: object): void }).sendImmediately(id, { requeue: false });
    const e = await closed;
    assert.equal(e.code, 540, name);
    assert.match(e.message, /NOT_IMPLEMENTED - requeue=false/);
    // Nothing was dropped: closing the connection gave the unacked message back.
    await waitFor(() => b.broker.vhost().queue('basic.recover-nr').stats().ready === 1, 2000, 'the message back in the queue');
    await b.broker.vhost().queue('basic.recover-nr').purge();
  }
});

test('channel.flow: active=true is answered flow-ok, active=false is refused with 540 as in RabbitMQ', async () => {
  // RabbitMQ 3.10: connection.close 540 "NOT_IMPLEMENTED - active=false", class 20 method 20.
  const raw = await RawClient.connect(b.listener.port);
  await raw.handshake();
  raw.send(1, { method: 'channel.open' });
  await raw.method('channel.open-ok');
  raw.send(1, { method: 'channel.flow', active: true });
  const ok = await raw.method('channel.flow-ok');
  assert.equal((ok.method as { active: boolean }).active, true);
  raw.send(1, { method: 'channel.flow', active: false });
  const close = (await raw.method('connection.close')).method as { replyCode: number; replyText: string; classId: number; methodId: number };
  assert.deepEqual([close.replyCode, close.replyText, close.classId, close.methodId], [540, 'NOT_IMPLEMENTED - active=false', 20, 20]);
  raw.close();
});