/**
 * Large Produce requests are assembled in pooled memory that is reused once the request is
 * answered (src/protocol/kafka/codec/frame-pool.ts). Reuse must never change stored data: every
 * record is read back from the log by a kafkajs consumer, and from a queue bound to the topic
 * (whose forwarded messages must not be views of a reused frame).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Partitioners } from 'kafkajs';
import { startHarness, waitFor, type Harness } from './harness.js';

const SENDS = 40;
const PER_SEND = 100;
const valueOf = (send: number, i: number): string => `${send}:${i}:`.padEnd(1024, String.fromCharCode(97 + ((send + i) % 26)));

describe('pooled Produce frames', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('reuses frame memory without changing what was stored or forwarded', async () => {
    const v = h.broker.vhost('/');
    await v.createTopic('reuse', { partitions: 1 });
    await v.declareQueue('reuse-copy');
    await v.bind('amq.kafka.reuse', { kind: 'queue', name: 'reuse-copy' }, '#');

    const producer = h.kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    for (let s = 0; s < SENDS; s++) {
      // ~100 KiB per request: more than one socket read, so assembled in a pooled buffer.
      await producer.send({ topic: 'reuse', messages: Array.from({ length: PER_SEND }, (_, i) => ({ value: valueOf(s, i) })) });
    }
    await producer.disconnect();
    const stats = h.listener.context.framePool.stats;
    assert.ok(stats.reused >= SENDS / 2, `frames were reused (${JSON.stringify(stats)})`);

    const expected = Array.from({ length: SENDS * PER_SEND }, (_, n) => valueOf(Math.floor(n / PER_SEND), n % PER_SEND));
    const consumer = h.kafka().consumer({ groupId: 'reuse-g', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'reuse', fromBeginning: true });
    const got: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    await waitFor(() => got.length >= expected.length, 20_000, 'every record');
    await consumer.disconnect();
    assert.deepEqual(got, expected);

    const q = v.queue('reuse-copy');
    const fromQueue: string[] = [];
    while (fromQueue.length < expected.length) {
      const ds = await q.receive({ max: 500, waitMs: 1000 });
      assert.ok(ds.length > 0, `queue has ${fromQueue.length} of ${expected.length}`);
      for (const d of ds) {
        fromQueue.push(d.message.value!.toString());
        q.ack(d.leaseId);
      }
    }
    assert.deepEqual(fromQueue, expected);
  });
});
