/** Publisher confirms (after fsync, coalesced, nacks) and transactions. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { channelClosed, gatedFs, sleep, startBroker, waitFor, type TestBroker } from './helpers.js';
let b: TestBroker;
before(async () => {
  b = await startBroker();
});
after(async () => {
  await b.stop();
});

test('confirms: every publish is acked once stored; acks are coalesced with multiple=true', async () => {
  const c = await b.connect();
  const ch = await c.createConfirmChannel();
  await ch.assertQueue('conf.q', { durable: true });
  const acks: { tag: number; multiple: boolean }[] = [];
  ch.on('ack', (f: { deliveryTag: number; multiple: boolean }) => acks.push({ tag: f.deliveryTag, multiple: f.multiple }));
  const n = 500;
  const done: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    done.push(
      new Promise((resolve, reject) => ch.sendToQueue('conf.q', Buffer.from(`m${i}`), { persistent: true }, (err) => (err ? reject(err) : resolve()))),
    );
  }
  await Promise.all(done);
  assert.equal(b.broker.vhost().queue('conf.q').stats().published, n);
  assert.equal(acks[acks.length - 1]!.tag, n);
  assert.ok(acks.length < n, `expected coalesced acks, got ${acks.length} for ${n} publishes`);
  assert.ok(acks.some((a) => a.multiple));
  await c.close();
});

test('a confirm is sent only after the message is fsynced in every durable queue it reached', async () => {
  const gate = gatedFs();
  const gb = await startBroker({ broker: { fs: gate.fs } });
  try {
    const c = await gb.connect();
    const ch = await c.createConfirmChannel();
    await ch.assertExchange('conf.fan', 'fanout', { durable: true });
    for (const q of ['conf.d1', 'conf.d2']) {
      await ch.assertQueue(q, { durable: true });
      await ch.bindQueue(q, 'conf.fan', '');
    }
    gate.hold((path) => path.includes('conf%2Ed2.') && path.includes('/messages/'));
    let confirmed = false;
    ch.publish('conf.fan', '', Buffer.from('durable'), { persistent: true }, () => (confirmed = true));
    await waitFor(() => gate.waiting > 0, 2000, 'the fsync of conf.d2');
    await sleep(100);
    assert.equal(confirmed, false, 'no confirm while one queue has not fsynced');
    gate.release();
    await waitFor(() => confirmed, 2000, 'the confirm');
    await c.close();
  } finally {
    await gb.stop();
  }
});

test('unroutable messages are confirmed at once (after their return when mandatory)', async () => {
  const c = await b.connect();
  const ch = await c.createConfirmChannel();
  const events: string[] = [];
  ch.on('return', () => events.push('return'));
  await new Promise<void>((resolve, reject) =>
    ch.publish('amq.direct', 'no-such-binding', Buffer.from('x'), { mandatory: true }, (err) => (err ? reject(err) : (events.push('ack'), resolve()))),
  );
  assert.deepEqual(events, ['return', 'ack']);
  await new Promise<void>((resolve, reject) => ch.publish('amq.direct', 'no-such-binding', Buffer.from('y'), {}, (err) => (err ? reject(err) : resolve())));
  await c.close();
});

test('x-overflow reject-publish: publishes beyond max length are nacked', async () => {
  const c = await b.connect();
  const ch = await c.createConfirmChannel();
  await ch.assertQueue('conf.full', { durable: false, arguments: { 'x-max-length': 2, 'x-overflow': 'reject-publish' } });
  const results: boolean[] = [];
  const all: Promise<void>[] = [];
  for (let i = 0; i < 4; i++) {
    all.push(new Promise<void>((resolve) => ch.sendToQueue('conf.full', Buffer.from(String(i)), {}, (err) => (results[i] = !err, resolve()))));
    await sleep(5);
  }
  await Promise.all(all);
  assert.deepEqual(results, [true, true, false, false]);
  await c.close();
});

test('confirm.select on a transactional channel is 406', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await (ch as unknown as { rpc(m: number, f: object, e: number): Promise<unknown> }).rpc((90 << 16) | 10, {}, (90 << 16) | 11);
  const closed = channelClosed(ch);
  await (ch as unknown as { rpc(m: number, f: object, e: number): Promise<unknown> }).rpc((85 << 16) | 10, { nowait: false }, (85 << 16) | 11).catch(() => undefined);
  assert.equal((await closed).code, 406);
  await c.close();
});

/** amqplib has no tx API: drive tx.select / commit / rollback through its rpc. */
function tx(ch: unknown, methodId: number): Promise<unknown> {
  return (ch as { rpc(m: number, f: object, e: number): Promise<unknown> }).rpc((90 << 16) | methodId, {}, (90 << 16) | (methodId + 1));
}

test('transactions: publishes and acks take effect at commit, vanish at rollback', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('tx.q', { durable: true });
  const q = b.broker.vhost().queue('tx.q');
  await tx(ch, 10); // select
  ch.sendToQueue('tx.q', Buffer.from('a'), { persistent: true });
  ch.sendToQueue('tx.q', Buffer.from('b'), { persistent: true });
  await sleep(50);
  assert.equal(q.stats().published, 0, 'nothing stored before commit');
  await tx(ch, 20); // commit
  assert.equal(q.stats().ready, 2, 'stored when commit-ok arrives');

  ch.sendToQueue('tx.q', Buffer.from('c'));
  await tx(ch, 30); // rollback
  await tx(ch, 20);
  assert.equal(q.stats().published, 2, 'the rolled-back publish is gone');

  const m = await ch.get('tx.q');
  assert.ok(m);
  ch.ack(m);
  await sleep(30);
  assert.equal(q.stats().acked, 0, 'ack waits for commit');
  await tx(ch, 30); // rollback: the ack is undone, the message stays unacked
  assert.equal(q.stats().inFlight, 1);
  ch.ack(m);
  await tx(ch, 20);
  assert.equal(q.stats().acked, 1);
  assert.equal(q.stats().inFlight, 0);
  await c.close();
});

test('tx.commit without tx.select is 406', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  const closed = channelClosed(ch);
  await tx(ch, 20).catch(() => undefined);
  assert.equal((await closed).code, 406);
  await c.close();
});

test('a transient queue confirms a publish before any reply its consumer makes to it (RPC clients wait for the confirm, then for the reply)', async () => {
  // rabbitmq-client's RPCClient publishes with confirms and listens for the reply only once the
  // request is confirmed: a reply that came first was dropped and the call timed out. RabbitMQ
  // confirms a message to a non-durable queue as soon as the queue has it, before delivering it.
  const c = await b.connect();
  const server = await c.createChannel();
  const { queue } = await server.assertQueue('', { exclusive: true });
  await server.consume(queue, (m) => {
    if (m === null) return;
    server.sendToQueue(m.properties.replyTo, Buffer.from('pong'), { correlationId: m.properties.correlationId });
    server.ack(m);
  });
  const client = await c.createConfirmChannel();
  const confirmed = new Set<string>();
  const replies: { id: string; afterConfirm: boolean }[] = [];
  await client.consume('amq.rabbitmq.reply-to', (m) => {
    if (m) replies.push({ id: m.properties.correlationId, afterConfirm: confirmed.has(m.properties.correlationId) });
  }, { noAck: true });
  for (let i = 0; i < 20; i++) {
    const id = String(i);
    await new Promise<void>((resolve, reject) =>
      client.sendToQueue(queue, Buffer.from('ping'), { replyTo: 'amq.rabbitmq.reply-to', correlationId: id, expiration: '5000' }, (err) => (err ? reject(err) : (confirmed.add(id), resolve()))),
    );
    await waitFor(() => replies.some((r) => r.id === id), 5000, `reply ${id}`);
  }
  assert.deepEqual(replies.filter((r) => !r.afterConfirm).map((r) => r.id), [], 'replies that came before their confirm');
  await c.close();
});
