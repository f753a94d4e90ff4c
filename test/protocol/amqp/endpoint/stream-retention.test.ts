/**
 * Retention of streams declared over AMQP follows RabbitMQ (kept until a limit says otherwise),
 * not Kafka's 7-day default that topics created by Kafka clients get.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, startBroker, waitFor } from './helpers.js';

test('a stream declared over AMQP keeps its records past 7 days; a topic created without settings does not', async () => {
  let aheadMs = 0;
  const b = await startBroker({ broker: { clock: { now: () => Date.now() + aheadMs }, retentionCheckIntervalMs: 3_600_000 } });
  try {
    const c = await b.connect();
    const ch = await c.createConfirmChannel();
    await ch.assertQueue('ret.stream', { durable: true, arguments: { 'x-queue-type': 'stream' } });
    const vhost = b.broker.vhost('/');
    await vhost.createTopic('ret.topic');
    for (let i = 0; i < 5; i++) {
      ch.sendToQueue('ret.stream', Buffer.from(`s${i}`));
      await vhost.topic('ret.topic').appendMessage({ key: null, value: Buffer.from(`t${i}`), headers: [], timestamp: Date.now(), properties: {} });
    }
    await ch.waitForConfirms();
    aheadMs = 8 * 24 * 3600 * 1000;
    await b.broker.enforceRetention();
    assert.equal(vhost.topic('ret.stream').partition(0).logStartOffset, 0, 'the stream kept everything');
    assert.equal(vhost.topic('ret.topic').partition(0).logStartOffset, vhost.topic('ret.topic').partition(0).nextOffset, 'the topic kept 7 days');
    const rch = await c.createChannel();
    await rch.prefetch(10);
    const { msgs } = await collect(rch, 'ret.stream', { arguments: { 'x-stream-offset': 'first' } });
    await waitFor(() => msgs.length === 5);
    assert.deepEqual(msgs.map((m) => m.content.toString()), ['s0', 's1', 's2', 's3', 's4']);
  } finally {
    await b.stop();
  }
});
