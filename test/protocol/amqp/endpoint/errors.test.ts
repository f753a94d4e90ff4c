/**
 * Errors as RabbitMQ reports them, and hostile input: each bad connection is closed with the
 * right code while a well-behaved connection on the same broker keeps working.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type amqp from 'amqplib';
import { encodeMessage, encodeMethodFrame } from '../../../../src/protocol/amqp/codec/encode.js';
import { FRAME_END, FrameType, writeFrameHeader } from '../../../../src/protocol/amqp/codec/frame.js';
import { channelClosed, RawClient, startBroker, waitFor, type TestBroker } from './helpers.js';

let b: TestBroker;
let good: amqp.Channel;
before(async () => {
  b = await startBroker({ broker: { maxMessageBytes: 64 * 1024 } });
  const c = await b.connect();
  good = await c.createChannel();
  await good.assertQueue('err.good', { durable: false });
});
after(async () => {
  await b.stop();
});

/** The innocent bystander: publishes and reads back one message. */
async function stillWorks(): Promise<void> {
  good.sendToQueue('err.good', Buffer.from('ok'));
  await waitFor(async () => {
    const m = await good.get('err.good', { noAck: true });
    return m !== false && m.content.toString() === 'ok';
  });
}

/** A raw connection with channel 1 open. */
async function openRaw(): Promise<RawClient> {
  const raw = await RawClient.connect(b.listener.port);
  await raw.handshake();
  raw.send(1, { method: 'channel.open' });
  await raw.method('channel.open-ok');
  return raw;
}

async function closeCode(raw: RawClient, which: 'connection.close' | 'channel.close' = 'connection.close'): Promise<{ code: number; text: string }> {
  const m = (await raw.method(which)).method as { replyCode: number; replyText: string };
  return { code: m.replyCode, text: m.replyText };
}

function frame(type: number, channel: number, payload: Buffer, end = FRAME_END): Buffer {
  const buf = Buffer.alloc(8 + payload.length);
  writeFrameHeader(buf, 0, type as FrameType, channel, payload.length);
  payload.copy(buf, 7);
  buf[7 + payload.length] = end;
  return buf;
}

test('garbage bytes: 501 FRAME_ERROR, the connection is closed', async () => {
  const raw = await openRaw();
  raw.write(Buffer.from('this is not an AMQP frame at all, just noise'));
  assert.equal((await closeCode(raw)).code, 501);
  await raw.waitClosed();
  await stillWorks();
});

test('an oversized frame: 501 before its payload is buffered', async () => {
  const raw = await openRaw();
  const head = Buffer.alloc(7);
  writeFrameHeader(head, 0, FrameType.BODY, 1, 0x7fff_0000);
  raw.write(head);
  const c = await closeCode(raw);
  assert.equal(c.code, 501);
  assert.match(c.text, /frame-max/);
  await raw.waitClosed();
  await stillWorks();
});

test('a bad frame-end octet: 501', async () => {
  const raw = await openRaw();
  const f = encodeMethodFrame(1, { method: 'basic.qos', prefetchCount: 1 });
  f[f.length - 1] = 0x00;
  raw.write(f);
  assert.equal((await closeCode(raw)).code, 501);
  await raw.waitClosed();
  await stillWorks();
});

test('more than 8 KiB before tune: 501', async () => {
  const raw = await RawClient.connect(b.listener.port);
  raw.write(Buffer.from('AMQP\u0000\u0000\u0009\u0001', 'latin1'));
  await raw.method('connection.start');
  raw.write(frame(FrameType.METHOD, 0, Buffer.alloc(9000)));
  assert.equal((await closeCode(raw)).code, 501);
  await raw.waitClosed();
  await stillWorks();
});

test('a method whose fields do not parse: 502 SYNTAX_ERROR', async () => {
  const raw = await openRaw();
  // queue.declare (50/10) cut after the ticket.
  raw.write(frame(FrameType.METHOD, 1, Buffer.from([0, 50, 0, 10, 0, 0, 200])));
  assert.equal((await closeCode(raw)).code, 502);
  await stillWorks();
  raw.close();
});

test('a connection method in the wrong state: 503 COMMAND_INVALID', async () => {
  const raw = await openRaw();
  raw.send(0, { method: 'connection.tune-ok', channelMax: 0, frameMax: 131072, heartbeat: 0 });
  assert.equal((await closeCode(raw)).code, 503);
  raw.close();
});

test('a frame on a channel that is not open: 504 CHANNEL_ERROR; a second channel.open: 504', async () => {
  const raw = await openRaw();
  raw.send(3, { method: 'basic.qos', prefetchCount: 1 });
  assert.equal((await closeCode(raw)).code, 504);
  raw.close();
  const raw2 = await openRaw();
  raw2.send(1, { method: 'channel.open' });
  assert.equal((await closeCode(raw2)).code, 504);
  raw2.close();
});

test('a body frame without a publish: 505 UNEXPECTED_FRAME', async () => {
  const raw = await openRaw();
  raw.write(frame(FrameType.BODY, 1, Buffer.from('orphan body')));
  assert.equal((await closeCode(raw)).code, 505);
  await stillWorks();
  raw.close();
});

test('an unknown method: 540 NOT_IMPLEMENTED; immediate=true too', async () => {
  const raw = await openRaw();
  raw.write(frame(FrameType.METHOD, 1, Buffer.from([0, 60, 0x03, 0xe7])));
  assert.equal((await closeCode(raw)).code, 540);
  raw.close();
  const raw2 = await openRaw();
  raw2.write(encodeMessage(1, { method: 'basic.publish', exchange: '', routingKey: 'err.good', immediate: true }, {}, Buffer.from('x'), 131072));
  assert.equal((await closeCode(raw2)).code, 540);
  raw2.close();
});

test('basic.recover with requeue=false: connection.close 540 naming the method, as RabbitMQ', async () => {
  for (const [method, methodId] of [['basic.recover', 110], ['basic.recover-async', 100]] as const) {
    const raw = await openRaw();
    raw.send(1, { method, requeue: false });
    const close = (await raw.method('connection.close')).method as { replyCode: number; replyText: string; classId: number; methodId: number };
    assert.deepEqual([close.replyCode, close.replyText, close.classId, close.methodId], [540, 'NOT_IMPLEMENTED - requeue=false', 60, methodId]);
    raw.close();
  }
});

test('reusing a consumer tag: 530 NOT_ALLOWED', async () => {
  const raw = await openRaw();
  raw.send(1, { method: 'queue.declare', queue: 'err.tags', durable: false });
  await raw.method('queue.declare-ok');
  raw.send(1, { method: 'basic.consume', queue: 'err.tags', consumerTag: 'same' });
  await raw.method('basic.consume-ok');
  raw.send(1, { method: 'basic.consume', queue: 'err.tags', consumerTag: 'same' });
  assert.equal((await closeCode(raw)).code, 530);
  raw.close();
});

test('a message over the size limit closes only its channel (406); the connection goes on', async () => {
  const raw = await openRaw();
  raw.write(encodeMessage(1, { method: 'basic.publish', exchange: '', routingKey: 'err.good' }, {}, Buffer.alloc(100 * 1024), 131072));
  const c = await closeCode(raw, 'channel.close');
  assert.equal(c.code, 406);
  assert.match(c.text, /larger than configured max size/);
  raw.send(1, { method: 'channel.close-ok' });
  raw.send(2, { method: 'channel.open' });
  await raw.until(() => raw.commands.find((x) => x.channel === 2 && x.method.method === 'channel.open-ok'));
  raw.close();
  await stillWorks();
});

test('channel errors: 404 unknown exchange, 406 preconditions, 403 access refused (405: topology tests)', async () => {
  const c = await b.connect();
  const ch1 = await c.createChannel();
  const e1 = channelClosed(ch1);
  ch1.publish('err.no-such-exchange', 'k', Buffer.from('x'));
  const r1 = await e1;
  assert.equal(r1.code, 404);
  assert.match(r1.message, /NOT_FOUND - no exchange/);

  const ch2 = await c.createChannel();
  const e2 = channelClosed(ch2);
  ch2.sendToQueue('err.good', Buffer.from('x'), { userId: 'someone-else' });
  assert.equal((await e2).code, 406);

  const ch3 = await c.createChannel();
  const e3 = channelClosed(ch3);
  ch3.sendToQueue('err.good', Buffer.from('x'), { expiration: 'tomorrow' });
  assert.equal((await e3).code, 406);

  const ch4 = await c.createChannel();
  const e4 = channelClosed(ch4);
  await ch4.consume('amq.rabbitmq.reply-to', () => undefined, { noAck: false }).catch(() => undefined);
  assert.equal((await e4).code, 406);

  await b.broker.access.addUser('limited', 'pw');
  await b.broker.access.setPermissions('limited', '/', { configure: '^limited\\.', write: '^limited\\.', read: '^limited\\.' });
  const { default: amqplib } = await import('amqplib');
  const limited = await amqplib.connect(b.url.replace('guest:guest', 'limited:pw'));
  limited.on('error', () => undefined);
  const lch = await limited.createChannel();
  await lch.assertQueue('limited.q', { durable: false });
  const e5 = channelClosed(lch);
  await lch.assertQueue('other.q', { durable: false }).catch(() => undefined);
  const r5 = await e5;
  assert.equal(r5.code, 403);
  assert.match(r5.message, /ACCESS_REFUSED/);
  await limited.close();
  await c.close();
});
