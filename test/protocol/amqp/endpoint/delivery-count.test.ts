/**
 * x-delivery-count on queues declared x-queue-type: quorum, as RabbitMQ 3.10.8's quorum queues
 * set it (observed with pika): the number of earlier deliveries that did not end in an ack
 * (nack or reject with requeue, a closed channel, basic.recover), as a long. basic.get-ok
 * always carries it (0 the first time); basic.deliver only on a redelivery. Classic queues
 * never add it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, startBroker, waitFor, type TestBroker } from './helpers.js';

let b: TestBroker;
before(async () => {
  b = await startBroker();
});
after(async () => {
  await b.stop();
});

test('basic.get on a quorum queue: x-delivery-count counts nacks, rejects, closed channels and recovers', async () => {
  const c = await b.connect();
  let ch = await c.createChannel();
  await ch.assertQueue('dc.quorum', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  ch.sendToQueue('dc.quorum', Buffer.from('m'), { headers: { a: 1 } });
  const get = async () => {
    let m: Awaited<ReturnType<typeof ch.get>> = false;
    await waitFor(async () => (m = await ch.get('dc.quorum')) !== false, 2000, 'the message');
    return m as unknown as { properties: { headers: Record<string, unknown> }; fields: { redelivered: boolean } };
  };
  let m = await get();
  assert.deepEqual(m.properties.headers, { a: 1, 'x-delivery-count': 0 });
  assert.equal(m.fields.redelivered, false);
  ch.nack(m as never, false, true);
  m = await get();
  assert.deepEqual(m.properties.headers, { a: 1, 'x-delivery-count': 1 });
  ch.reject(m as never, true);
  m = await get();
  assert.deepEqual(m.properties.headers, { a: 1, 'x-delivery-count': 2 });
  await ch.close();
  ch = await c.createChannel();
  m = await get();
  assert.deepEqual(m.properties.headers, { a: 1, 'x-delivery-count': 3 });
  await ch.recover();
  m = await get();
  assert.deepEqual(m.properties.headers, { a: 1, 'x-delivery-count': 4 });
  assert.equal(m.fields.redelivered, true);
  ch.ack(m as never);
  await c.close();
});

test('basic.deliver on a quorum queue: no header the first time, then the count of earlier deliveries', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('dc.quorum2', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  ch.sendToQueue('dc.quorum2', Buffer.from('m'));
  const { msgs } = await collect(ch, 'dc.quorum2');
  for (let i = 1; i <= 3; i++) {
    await waitFor(() => msgs.length === i, 2000, `delivery ${i}`);
    ch.nack(msgs[i - 1]!, false, true);
  }
  await waitFor(() => msgs.length === 4, 2000, 'delivery 4');
  ch.ack(msgs[3]!);
  assert.deepEqual(
    msgs.map((m) => m.properties.headers?.['x-delivery-count']),
    [undefined, 1, 2, 3],
  );
  await c.close();
});

test('classic queues never add x-delivery-count', async () => {
  const c = await b.connect();
  const ch = await c.createChannel();
  await ch.assertQueue('dc.classic', { durable: true });
  ch.sendToQueue('dc.classic', Buffer.from('m'));
  let m: Awaited<ReturnType<typeof ch.get>> = false;
  await waitFor(async () => (m = await ch.get('dc.classic')) !== false, 2000, 'the message');
  ch.nack(m as never, false, true);
  await waitFor(async () => (m = await ch.get('dc.classic')) !== false, 2000, 'the redelivery');
  assert.equal((m as unknown as { fields: { redelivered: boolean } }).fields.redelivered, true);
  assert.equal((m as unknown as { properties: { headers?: Record<string, unknown> } }).properties.headers?.['x-delivery-count'], undefined);
  await c.close();
});
