/** Direct reply-to RPC, stream queues, and AMQP ↔ topic interoperability. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { listenKafka } from '../../../../src/protocol/kafka/server/listener.js';
import { decodeMessages } from '../../../../src/storage/codec/message-codec.js';
import { encodeBatch } from '../../../../src/storage/codec/record-batch.js';
import { channelClosed, collect, startBroker, waitFor, type TestBroker } from './helpers.js';

let b: TestBroker;
before(async () => {
  b = await startBroker();
});
after(async () => {
  await b.stop();
});

test('direct reply-to: an RPC round trip without a reply queue', async () => {
  const server = await b.connect();
  const sch = await server.createChannel();
  await sch.assertQueue('rpc.requests', { durable: false });
  await sch.consume('rpc.requests', (m) => {
    if (!m) return;
    assert.match(m.properties.replyTo, /^amq\.rabbitmq\.reply-to\./);
    sch.sendToQueue(m.properties.replyTo, Buffer.from(`re: ${m.content.toString()}`), { correlationId: m.properties.correlationId });
    sch.ack(m);
  });

  const client = await b.connect();
  const cch = await client.createChannel();
  const replies: { body: string; cid: string }[] = [];
  await cch.consume('amq.rabbitmq.reply-to', (m) => m && replies.push({ body: m.content.toString(), cid: m.properties.correlationId }), { noAck: true });
  for (let i = 0; i < 3; i++) cch.sendToQueue('rpc.requests', Buffer.from(`q${i}`), { replyTo: 'amq.rabbitmq.reply-to', correlationId: `c${i}` });
  await waitFor(() => replies.length === 3);
  assert.deepEqual(replies.sort((x, y) => x.cid.localeCompare(y.cid)), [
    { body: 're: q0', cid: 'c0' },
    { body: 're: q1', cid: 'c1' },
    { body: 're: q2', cid: 'c2' },
  ]);
  await client.close();
  await server.close();
});

test('publishing with reply-to amq.rabbitmq.reply-to without consuming it is 406', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  const closed = new Promise<{ code: number }>((r) => ch.once('error', r));
  ch.sendToQueue('anything', Buffer.from('x'), { replyTo: 'amq.rabbitmq.reply-to' });
  assert.equal((await closed).code, 406);
  await c.close();
});

test('a message published over AMQP to an exchange bound to a topic is a topic record', async () => {
  const vhost = b.broker.vhost();
  await vhost.createTopic('interop.events', { partitions: 1 });
  const c = await b.connect();
  const ch = await c.createConfirmChannel();
  await ch.assertExchange('interop.x', 'topic', { durable: true });
  await ch.bindQueue('interop.events', 'interop.x', 'orders.*');
  ch.publish('interop.x', 'orders.created', Buffer.from('{"id":1}'), { contentType: 'application/json', headers: { region: 'eu' }, messageId: 'o-1' });
  await ch.waitForConfirms();
  const log = vhost.topic('interop.events').partition(0);
  const r = await log.read(0, 1 << 20);
  const [rec] = decodeMessages(r.bytes, 0);
  assert.ok(rec);
  assert.equal(rec.message.value?.toString(), '{"id":1}');
  assert.equal(rec.message.properties.contentType, 'application/json');
  assert.equal(rec.message.properties.messageId, 'o-1');
  assert.equal(rec.message.properties.exchange, 'interop.x');
  assert.equal(rec.message.properties.routingKey, 'orders.created');
  assert.deepEqual(rec.message.properties.attributes, { region: { type: 'string', value: 'eu' } });
  await c.close();
});

test('stream queues (x-queue-type=stream) are topics: consume from first, next, or an offset', async () => {
  const c = await b.connect();
  const ch = await c.createConfirmChannel();
  await ch.assertQueue('interop.stream', { durable: true, arguments: { 'x-queue-type': 'stream' } });
  assert.ok(b.broker.vhost().hasTopic('interop.stream'));
  for (let i = 0; i < 5; i++) ch.sendToQueue('interop.stream', Buffer.from(`s${i}`));
  await ch.waitForConfirms();

  const rch = await c.createChannel();
  await rch.prefetch(2);
  const all = await collect(rch, 'interop.stream', { arguments: { 'x-stream-offset': 'first' } });
  await waitFor(() => all.msgs.length === 2);
  assert.equal(all.msgs.length, 2, 'credit is the prefetch');
  for (const m of [...all.msgs]) rch.ack(m);
  await waitFor(() => all.msgs.length === 4);
  for (const m of all.msgs.slice(2)) rch.ack(m);
  await waitFor(() => all.msgs.length === 5);
  assert.deepEqual(
    all.msgs.map((m) => [m.content.toString(), m.properties.headers?.['x-stream-offset']]),
    [
      ['s0', 0],
      ['s1', 1],
      ['s2', 2],
      ['s3', 3],
      ['s4', 4],
    ],
  );
  rch.ack(all.msgs[4]!);

  const fromThree = await collect(rch, 'interop.stream', { noAck: true, arguments: { 'x-stream-offset': 3 } });
  await waitFor(() => fromThree.msgs.length === 2);
  const tail = await collect(rch, 'interop.stream', { noAck: true, arguments: { 'x-stream-offset': 'next' } });
  ch.sendToQueue('interop.stream', Buffer.from('s5'));
  await waitFor(() => tail.msgs.length === 1, 2000, 'a new record for the tail reader');
  assert.equal(tail.msgs[0]!.content.toString(), 's5');
  // The stream keeps its records: another reader from the start sees all six.
  const again = await collect(rch, 'interop.stream', { noAck: true, arguments: { 'x-stream-offset': 'first' } });
  await waitFor(() => again.msgs.length === 6);
  await c.close();
});

test('records appended to a topic (as Kafka producers do) reach an AMQP queue bound to amq.kafka.<topic>', async () => {
  await b.broker.vhost('/').createTopic('interop-clicks', { partitions: 1 });
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('interop-clicks-work', { durable: true });
  await ch.bindQueue('interop-clicks-work', 'amq.kafka.interop-clicks', 'eu.#');
  const batch = encodeBatch([
    { key: Buffer.from('eu.paris'), value: Buffer.from('kept') },
    { key: Buffer.from('us.nyc'), value: Buffer.from('filtered out') },
  ]);
  await b.broker.vhost('/').topic('interop-clicks').appendBatch(0, batch);
  const { msgs } = await collect(ch, 'interop-clicks-work');
  await waitFor(() => msgs.length >= 1);
  assert.deepEqual(msgs.map((m) => [m.content.toString(), m.fields.exchange, m.fields.routingKey]), [['kept', 'amq.kafka.interop-clicks', 'eu.paris']]);
  // The records exchange is internal: a client publishing to it gets 403 on the channel.
  const pub = await c.createChannel();
  const closed = channelClosed(pub);
  pub.publish('amq.kafka.interop-clicks', 'eu.x', Buffer.from('no'));
  assert.equal((await closed).code, 403);
});

test('kafkajs transactions reach an amqplib queue bound to amq.kafka.<topic> only once committed', async () => {
  await b.broker.vhost('/').createTopic('interop-orders', { partitions: 1 });
  const kafkaListener = await listenKafka(b.broker, { port: 0 });
  const kafka = new Kafka({ brokers: [`127.0.0.1:${kafkaListener.port}`], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } });
  const plain = kafka.producer();
  const txp = kafka.producer({ transactionalId: 'interop-orders-tx', idempotent: true, maxInFlightRequests: 1 });
  try {
    const c = await b.connect();
    const ch = await c.createChannel();
    await ch.assertQueue('interop-orders-work', { durable: true });
    await ch.bindQueue('interop-orders-work', 'amq.kafka.interop-orders', '#');
    const { msgs } = await collect(ch, 'interop-orders-work', { noAck: true });
    const got = () => msgs.map((m) => m.content.toString());
    await plain.connect();
    await txp.connect();

    const aborted = await txp.transaction();
    await aborted.send({ topic: 'interop-orders', messages: [{ key: 'a', value: 'aborted-1' }, { key: 'b', value: 'aborted-2' }] });
    await aborted.abort();

    const tx = await txp.transaction();
    await tx.send({ topic: 'interop-orders', messages: [{ key: 'c', value: 'committed-1' }, { key: 'd', value: 'committed-2' }] });
    await plain.send({ topic: 'interop-orders', messages: [{ key: 'e', value: 'plain-while-open' }] });
    await waitFor(() => got().includes('plain-while-open'), 5000, 'the plain record');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(got(), ['plain-while-open'], 'nothing of the open or the aborted transaction');
    await tx.commit();
    await waitFor(() => got().length >= 3, 5000, 'the committed records');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(got(), ['plain-while-open', 'committed-1', 'committed-2'], 'the committed transaction once; no marker, no aborted record');
    assert.deepEqual(msgs.map((m) => [m.fields.exchange, m.fields.routingKey]).slice(1), [['amq.kafka.interop-orders', 'c'], ['amq.kafka.interop-orders', 'd']]);
  } finally {
    await txp.disconnect().catch(() => undefined);
    await plain.disconnect().catch(() => undefined);
    await kafkaListener.close();
  }
});
