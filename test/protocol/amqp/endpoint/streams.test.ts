/**
 * Stream consumers (queues declared with x-queue-type=stream, which are topics), with AMQP and
 * Kafka clients on one broker: a caught-up consumer waits for the next append (from either
 * protocol) instead of polling, keeps its prefetch credit, sees what a read_committed Kafka
 * consumer sees of transactions, and is cancelled when the stream is deleted, by AMQP
 * queue.delete or Kafka DeleteTopics.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import type { Vhost } from '../../../../src/core/broker/vhost.js';
import { listenKafka, type KafkaListener } from '../../../../src/protocol/kafka/server/listener.js';
import { collect, sleep, startBroker, waitFor, type TestBroker } from './helpers.js';

let b: TestBroker;
let kafkaListener: KafkaListener;
let kafka: Kafka;
let vhost: Vhost;
before(async () => {
  b = await startBroker();
  kafkaListener = await listenKafka(b.broker, { port: 0 });
  kafka = new Kafka({ clientId: 'streams-test', brokers: [`127.0.0.1:${kafkaListener.port}`], logLevel: logLevel.NOTHING, retry: { initialRetryTime: 50, retries: 8 } });
  vhost = b.broker.vhost('/');
});
after(async () => {
  await kafkaListener.close();
  await b.stop();
});

/** Readers of the stream's partition now waiting for an append. */
function waiting(stream: string, partition = 0): number {
  return vhost.appends.waiting(vhost.topic(stream).waitKey(partition));
}

test('a caught-up stream consumer waits for the next append and is woken by it, from AMQP or a Kafka producer', async () => {
  const c = await b.connect();
  const ch = await c.createConfirmChannel();
  await ch.assertQueue('streams.push', { durable: true, arguments: { 'x-queue-type': 'stream' } });
  const rch = await c.createChannel();
  const { msgs, tag } = await collect(rch, 'streams.push', { noAck: true, arguments: { 'x-stream-offset': 'next' } });
  // Idle: registered as a waiter on the partition (no timer); give it time to be idle for a while.
  await waitFor(() => waiting('streams.push') === 1, 2000, 'the consumer waiting for appends');
  await sleep(100);
  assert.equal(msgs.length, 0);

  ch.sendToQueue('streams.push', Buffer.from('from amqp'));
  await ch.waitForConfirms();
  await waitFor(() => msgs.length === 1, 5000, 'the AMQP-published record');

  await waitFor(() => waiting('streams.push') === 1, 2000, 'the consumer waiting again');
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'streams.push', messages: [{ key: 'k', value: 'from kafka' }] });
  await producer.disconnect();
  await waitFor(() => msgs.length === 2, 5000, 'the Kafka-produced record');
  assert.deepEqual(
    msgs.map((m) => [m.content.toString(), m.properties.headers?.['x-stream-offset']]),
    [
      ['from amqp', 0],
      ['from kafka', 1],
    ],
  );

  await rch.cancel(tag);
  assert.equal(waiting('streams.push'), 0, 'a cancelled consumer leaves no waiter');
  await c.close();
});

test('a consumer of a multi-partition topic is woken by an append to any partition', async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'streams.parts', numPartitions: 3 }] });
  const c = await b.connect();
  const ch = await c.createChannel();
  const { msgs } = await collect(ch, 'streams.parts', { noAck: true });
  await waitFor(() => waiting('streams.parts', 0) === 1 && waiting('streams.parts', 2) === 1, 2000, 'the consumer waiting on every partition');
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'streams.parts', messages: [{ value: 'p2', partition: 2 }] });
  await producer.disconnect();
  await waitFor(() => msgs.length === 1, 5000, 'the record appended to partition 2');
  assert.equal(msgs[0]!.content.toString(), 'p2');
  await admin.disconnect();
  await c.close();
});

test('prefetch credit still bounds a stream consumer: out of credit it does not wait, an ack resumes it', async () => {
  const c = await b.connect();
  const ch = await c.createConfirmChannel();
  await ch.assertQueue('streams.credit', { durable: true, arguments: { 'x-queue-type': 'stream' } });
  const rch = await c.createChannel();
  await rch.prefetch(1);
  const { msgs } = await collect(rch, 'streams.credit', { arguments: { 'x-stream-offset': 'next' } });
  await waitFor(() => waiting('streams.credit') === 1, 2000, 'the consumer waiting for appends');
  ch.sendToQueue('streams.credit', Buffer.from('c1'));
  ch.sendToQueue('streams.credit', Buffer.from('c2'));
  await ch.waitForConfirms();
  await waitFor(() => msgs.length === 1);
  await sleep(100);
  assert.equal(msgs.length, 1, 'one unacked delivery uses the whole credit');
  assert.equal(waiting('streams.credit'), 0, 'a consumer without credit does not wait for appends');
  rch.ack(msgs[0]!);
  await waitFor(() => msgs.length === 2);
  assert.equal(msgs[1]!.content.toString(), 'c2');
  rch.ack(msgs[1]!);
  await waitFor(() => waiting('streams.credit') === 1, 2000, 'the consumer, caught up with credit back, waiting again');
  await c.close();
});

test('deleting a stream cancels its consumers (basic.cancel), by AMQP queue.delete or Kafka DeleteTopics', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('streams.gone-amqp', { durable: true, arguments: { 'x-queue-type': 'stream' } });
  await ch.assertQueue('streams.gone-kafka', { durable: true, arguments: { 'x-queue-type': 'stream' } });
  const cancelled: string[] = [];
  for (const name of ['streams.gone-amqp', 'streams.gone-kafka']) {
    await ch.consume(name, (m) => {
      if (m === null) cancelled.push(name);
    }, { noAck: true });
  }
  const keys = ['streams.gone-amqp', 'streams.gone-kafka'].map((n) => vhost.topic(n).waitKey(0));
  await waitFor(() => keys.every((k) => vhost.appends.waiting(k) === 1), 2000, 'both consumers waiting');

  const other = await (await b.connect()).createChannel();
  await other.deleteQueue('streams.gone-amqp');
  await waitFor(() => cancelled.length === 1, 2000, 'cancel after queue.delete');
  assert.deepEqual(cancelled, ['streams.gone-amqp']);

  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: ['streams.gone-kafka'] });
  await admin.disconnect();
  await waitFor(() => cancelled.length === 2, 2000, 'cancel after DeleteTopics');
  assert.deepEqual(cancelled, ['streams.gone-amqp', 'streams.gone-kafka']);
  assert.ok(keys.every((k) => vhost.appends.waiting(k) === 0), 'cancelled consumers leave no waiters');

  // The channel stays open and usable.
  await ch.assertQueue('streams.after', { durable: false });
  await c.close();
});

test('a stream consumer sees what read_committed sees: a transaction once it commits, never an aborted one, never a marker', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('streams.txn', { durable: true, arguments: { 'x-queue-type': 'stream' } });
  const live = await collect(ch, 'streams.txn', { noAck: true, arguments: { 'x-stream-offset': 'first' } });
  const plain = kafka.producer();
  const txp = kafka.producer({ transactionalId: 'streams-txn', idempotent: true, maxInFlightRequests: 1 });
  await plain.connect();
  await txp.connect();
  const body = (msgs: { content: Buffer }[]) => msgs.map((m) => m.content.toString());

  await plain.send({ topic: 'streams.txn', messages: [{ value: 'p0' }] });
  const aborted = await txp.transaction();
  await aborted.send({ topic: 'streams.txn', messages: [{ value: 'a1' }, { value: 'a2' }] });
  await aborted.abort();
  const open = await txp.transaction();
  await open.send({ topic: 'streams.txn', messages: [{ value: 'c1' }] });
  await plain.send({ topic: 'streams.txn', messages: [{ value: 'p1' }] });
  await waitFor(() => live.msgs.length === 1, 5000, 'the record before the open transaction');
  // Held at the last stable offset (the open transaction's first record), waiting for an append.
  await waitFor(() => waiting('streams.txn') === 1, 2000, 'the consumer waiting at the open transaction');
  await sleep(100);
  assert.deepEqual(body(live.msgs), ['p0'], 'nothing of or after the open transaction yet');

  await open.commit();
  await waitFor(() => live.msgs.length === 3, 5000, 'the committed transaction and what follows it');
  await sleep(100);
  assert.deepEqual(body(live.msgs), ['p0', 'c1', 'p1'], 'in offset order, aborted records and markers skipped');
  const offsets = live.msgs.map((m) => Number(m.properties.headers?.['x-stream-offset']));
  assert.ok(offsets[1]! > offsets[0]! + 3, 'the aborted records and the abort marker lie between');

  // A consumer reading it all afterwards sees the same.
  const later = await collect(ch, 'streams.txn', { noAck: true, arguments: { 'x-stream-offset': 'first' } });
  await waitFor(() => later.msgs.length === 3, 5000, 'the late reader');
  await sleep(100);
  assert.deepEqual(body(later.msgs), ['p0', 'c1', 'p1']);
  await plain.disconnect();
  await txp.disconnect();
  await c.close();
});
