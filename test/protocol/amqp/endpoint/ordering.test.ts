/**
 * Per-channel ordering, as RabbitMQ guarantees it: a method that follows a basic.publish on the
 * same channel observes that publish (get, purge, delete, declare's message count, consume,
 * cancel, a transaction's commit), and replies go out in command order (a basic.return before
 * the reply to any later method; queue.delete-ok before the basic.cancel notifications the
 * delete causes). Publishes are not confirmed here: the guarantee holds without confirms.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeMessage, encodeMethodFrame } from '../../../../src/protocol/amqp/codec/encode.js';
import type { AmqpMethodInput } from '../../../../src/protocol/amqp/codec/methods/registry.js';
import type amqp from 'amqplib';
import { gatedFs, RawClient, sleep, startBroker, waitFor, type TestBroker } from './helpers.js';

let b: TestBroker;
before(async () => {
  b = await startBroker();
});
after(async () => {
  await b.stop();
});

const ROUNDS = 20;

/**
 * A broker whose fsyncs of the named queue's message log wait for release(): a publish to it
 * then stays unstored as long as the test wants, as on a slow disk, so a method that does not
 * wait for it answers before the message is in the queue, every time.
 */
async function withHeldQueue(queue: string, fn: (ch: amqp.Channel, hold: () => () => Promise<void>) => Promise<void>): Promise<void> {
  const gate = gatedFs();
  const tb = await startBroker({ broker: { fs: gate.fs } });
  try {
    const c = await tb.connect();
    const ch = await c.createChannel();
    await ch.assertQueue(queue, { durable: true });
    // Holds the queue's next fsyncs; what it returns releases them once one is held.
    const hold = () => {
      gate.hold((path) => path.includes(`/${queue}.`) && path.includes('/messages/'));
      return async () => {
        await waitFor(() => gate.waiting > 0, 5000, 'the held fsync');
        // Long enough for a reply that does not wait for the publish to overtake it.
        await sleep(30);
        gate.release();
      };
    };
    await fn(ch, hold);
    await c.close();
  } finally {
    gate.release();
    await tb.stop();
  }
}

test('basic.get right after an unconfirmed publish on the same channel finds the message', async () => {
  await withHeldQueue('ord-get', async (ch, hold) => {
    for (let i = 0; i < 5; i++) {
      const release = hold();
      ch.sendToQueue('ord-get', Buffer.from(`m${i}`), { persistent: true });
      const got = ch.get('ord-get', { noAck: true });
      await release();
      const m = await got;
      assert.ok(m !== false, `round ${i}: get-empty`);
      assert.equal(m.content.toString(), `m${i}`);
    }
  });
});

test('queue.purge, queue.declare (message count), queue.delete and basic.cancel observe a publish made just before', async () => {
  await withHeldQueue('ord-q', async (ch, hold) => {
    let release = hold();
    ch.sendToQueue('ord-q', Buffer.from('p'));
    let p: Promise<{ messageCount: number }> = ch.purgeQueue('ord-q');
    await release();
    assert.equal((await p).messageCount, 1, 'purge');

    release = hold();
    ch.sendToQueue('ord-q', Buffer.from('d'));
    p = ch.checkQueue('ord-q');
    await release();
    assert.equal((await p).messageCount, 1, 'passive declare');

    release = hold();
    ch.sendToQueue('ord-q', Buffer.from('d'));
    p = ch.assertQueue('ord-q', { durable: true });
    await release();
    assert.equal((await p).messageCount, 2, 'declare');

    const got: string[] = [];
    const { consumerTag } = await ch.consume('ord-q', (m) => {
      if (m) got.push(m.content.toString());
    }, { noAck: true });
    await waitFor(() => got.length === 2, 2000, 'the two messages');
    release = hold();
    ch.sendToQueue('ord-q', Buffer.from('c'));
    const cancelled = ch.cancel(consumerTag);
    await release();
    await cancelled;
    assert.deepEqual(got, ['d', 'd', 'c'], 'the consumer got the publish before cancel-ok');

    release = hold();
    ch.sendToQueue('ord-q', Buffer.from('x'));
    p = ch.deleteQueue('ord-q');
    await release();
    assert.equal((await p).messageCount, 1, 'delete');
  });
});

test('the guarantee is per channel: another channel of the connection is not held up', async () => {
  // As in RabbitMQ, a get on another channel may or may not see the publish; the publishing
  // channel's own get must. Exactly one of them takes the message, every round.
  const c = await b.connect();
  const pub = await c.createChannel();
  const other = await c.createChannel();
  await pub.assertQueue('ord-other', { durable: true });
  for (let i = 0; i < ROUNDS; i++) {
    pub.sendToQueue('ord-other', Buffer.from('x'));
    const theirs = await other.get('ord-other', { noAck: true });
    const mine = await pub.get('ord-other', { noAck: true });
    assert.ok((theirs === false) !== (mine === false), `round ${i}: other ${theirs !== false}, own ${mine !== false}`);
  }
  await c.close();
});

test('tx: commit after publishes stores them before commit-ok; a get after the commit finds them', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('ord.tx', { durable: true });
  // amqplib has no tx API: its rpc with the method ids (class 90).
  const rpc = (ch as unknown as { rpc(method: number, fields: object, expect: number): Promise<unknown> }).rpc.bind(ch);
  await rpc((90 << 16) | 10, {}, (90 << 16) | 11);
  for (let i = 0; i < 5; i++) ch.sendToQueue('ord.tx', Buffer.from(`t${i}`));
  await rpc((90 << 16) | 20, {}, (90 << 16) | 21);
  assert.equal((await ch.checkQueue('ord.tx')).messageCount, 5);
  await c.close();
});

/** Sends `frames` in one write and returns the commands answered on `channel`, in order. */
async function replies(raw: RawClient, channel: number, frames: Buffer[], count: number): Promise<string[]> {
  const from = raw.commands.length;
  raw.write(Buffer.concat(frames));
  const mine = () => raw.commands.slice(from).filter((x) => x.channel === channel);
  await raw.until(() => (mine().length >= count ? true : undefined));
  return mine().map((x) => x.method.method);
}

test('basic.return of an unroutable mandatory publish goes out before the reply to any later method', async () => {
  // RabbitMQ 3.10 answers publish(mandatory, no route) + confirm.select with basic.return, then
  // confirm.select-ok. Sent in one write, so nothing but the broker orders the replies.
  const raw = await RawClient.connect(b.listener.port);
  await raw.handshake();
  const later: [AmqpMethodInput, string][] = [
    [{ method: 'confirm.select', nowait: false }, 'confirm.select-ok'],
    [{ method: 'basic.qos', prefetchSize: 0, prefetchCount: 5, global: false }, 'basic.qos-ok'],
    [{ method: 'tx.select' }, 'tx.select-ok'],
    [{ method: 'basic.recover', requeue: true }, 'basic.recover-ok'],
    [{ method: 'exchange.declare', exchange: 'amq.direct', type: 'direct', passive: true, durable: true, autoDelete: false, internal: false, nowait: false, arguments: {} }, 'exchange.declare-ok'],
    [{ method: 'queue.declare', queue: '', passive: false, durable: false, exclusive: true, autoDelete: true, nowait: false, arguments: {} }, 'queue.declare-ok'],
    [{ method: 'access.request', realm: '/data', exclusive: false, passive: true, active: true, write: true, read: true }, 'access.request-ok'],
  ];
  let id = 0;
  for (const [method, reply] of later) {
    for (let i = 0; i < 5; i++) {
      id++;
      raw.send(id, { method: 'channel.open' });
      await raw.until(() => raw.commands.find((x) => x.channel === id && x.method.method === 'channel.open-ok'));
      const publish = encodeMessage(id, { method: 'basic.publish', exchange: '', routingKey: 'ord.nowhere', mandatory: true, immediate: false }, {}, Buffer.from('x'), 131072);
      const got = await replies(raw, id, [publish, encodeMethodFrame(id, method)], 2);
      assert.deepEqual(got.slice(0, 2), ['basic.return', reply], `${method.method}, round ${i}`);
    }
  }
  raw.close();
});

test('queue.delete-ok goes to the deleting channel before the basic.cancel it causes, on every channel', async () => {
  // RabbitMQ 3.10, consumers on channels 2 and 3 of one connection, queue.delete on channel 2:
  // 2:queue.delete-ok, 2:basic.cancel, 3:basic.cancel.
  const raw = await RawClient.connect(b.listener.port);
  await raw.handshake({ capabilities: { consumer_cancel_notify: true } });
  for (const ch of [2, 3]) {
    raw.send(ch, { method: 'channel.open' });
    await raw.until(() => raw.commands.find((x) => x.channel === ch && x.method.method === 'channel.open-ok'));
  }
  for (let i = 0; i < 5; i++) {
    raw.send(2, { method: 'queue.declare', queue: 'ord.del', passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} });
    await raw.until(() => (raw.commands.filter((x) => x.method.method === 'queue.declare-ok').length === i + 1 ? true : undefined));
    for (const ch of [2, 3]) {
      raw.send(ch, { method: 'basic.consume', queue: 'ord.del', consumerTag: `t${ch}`, noLocal: false, noAck: false, exclusive: false, nowait: false, arguments: {} });
    }
    await raw.until(() => (raw.commands.filter((x) => x.method.method === 'basic.consume-ok').length === 2 * (i + 1) ? true : undefined));
    const from = raw.commands.length;
    raw.send(2, { method: 'queue.delete', queue: 'ord.del', ifUnused: false, ifEmpty: false, nowait: false });
    await raw.until(() => (raw.commands.length - from >= 3 ? true : undefined));
    const order = raw.commands.slice(from).map((x) => `${x.channel}:${x.method.method}`);
    assert.deepEqual(order, ['2:queue.delete-ok', '2:basic.cancel', '3:basic.cancel'], `round ${i}`);
  }
  raw.close();
});

test('amqplib: deleting a queue consumed on the same channel is answered, and the consumer is told', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('ord.del2', { durable: false });
  let cancelled = false;
  await ch.consume('ord.del2', (m) => {
    if (m === null) cancelled = true;
  });
  ch.sendToQueue('ord.del2', Buffer.from('x'));
  const ok = await ch.deleteQueue('ord.del2');
  assert.equal(typeof ok.messageCount, 'number');
  await waitFor(() => cancelled, 2000, 'the consumer cancel notification');
  await c.close();
});
