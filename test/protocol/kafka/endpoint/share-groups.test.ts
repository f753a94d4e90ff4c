/**
 * Share groups (KIP-932) with a real share consumer (@kafkats/client's ShareConsumer, which
 * speaks ShareGroupHeartbeat v1, ShareFetch v2 and ShareAcknowledge v2 as Kafka 4.2 serves them).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaClient, type ShareMessage } from '@kafkats/client';
import { Partitioners } from 'kafkajs';
import { defaultShareGroupOptions, type ShareGroupOptions } from '../../../../src/protocol/kafka/server/options.js';
import { readStored, startHarness, waitFor, type Harness } from './harness.js';

async function produce(h: Harness, topic: string, values: string[], partitions = 1): Promise<void> {
  const admin = h.kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] }).catch(() => undefined);
  await admin.disconnect();
  const p = h.kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await p.connect();
  await p.send({ topic, messages: values.map((value) => ({ value })) });
  await p.disconnect();
}

async function harness(share: Partial<ShareGroupOptions>): Promise<Harness> {
  return startHarness({ share: { ...defaultShareGroupOptions, autoOffsetReset: 'earliest', ...share } });
}

/** Runs a share consumer with `handler` until stop() is called. */
async function run(h: Harness, groupId: string, topic: string, handler: (m: ShareMessage) => Promise<void>, maxRecords = 500): Promise<{ stop: () => Promise<void> }> {
  const kc = new KafkaClient({ brokers: [h.bootstrap], clientId: 'share-test' });
  await kc.connect();
  const c = kc.shareConsumer({ groupId, maxWaitMs: 200, maxRecords });
  const done = c.runEach(topic, handler, { idleBackoffMs: 20 }).catch(() => undefined);
  return { stop: async () => { await c.stop(); await done; await kc.disconnect(); } };
}

test('share consumers split a topic: every record once, none to two consumers', async () => {
  const h = await harness({});
  try {
    const values = Array.from({ length: 60 }, (_, i) => `v${i}`);
    await produce(h, 'jobs', values, 3);
    const seen = new Map<string, number>();
    const byConsumer = [0, 0, 0];
    const consumers = await Promise.all([0, 1, 2].map((i) => run(h, 'workers', 'jobs', async (m) => {
      const v = m.value!.toString();
      seen.set(v, (seen.get(v) ?? 0) + 1);
      byConsumer[i]!++;
      await new Promise((r) => setTimeout(r, 5));
      await m.ack();
    }, 5)));
    await waitFor(() => seen.size === values.length, 20_000, 'every record consumed');
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all(consumers.map((c) => c.stop()));
    assert.deepEqual([...seen.values()].filter((n) => n !== 1), [], 'no record delivered twice');
    assert.ok(byConsumer.filter((n) => n > 0).length >= 2, `records were shared: ${byConsumer.join(',')}`);
  } finally {
    await h.close();
  }
});

test('release redelivers with the delivery count + 1; reject archives and dead-letters', async () => {
  const h = await harness({ deadLetterTopic: 'dlq-{group}' });
  try {
    await produce(h, 'tasks', ['release-me', 'reject-me', 'ok']);
    const log: string[] = [];
    let firstCount = -1;
    const c = await run(h, 'g1', 'tasks', async (m) => {
      const v = m.value!.toString();
      log.push(`${v}:${m.deliveryCount}`);
      if (v === 'release-me' && firstCount < 0) {
        firstCount = m.deliveryCount!;
        await m.release();
      }
      else if (v === 'reject-me') await m.reject();
      else await m.ack();
    });
    // (The client's warm-up fetch acquires and releases once before the first delivery.)
    await waitFor(() => firstCount > 0 && log.includes(`release-me:${firstCount + 1}`) && log.some((l) => l.startsWith('ok:')) && log.some((l) => l.startsWith('reject-me:')), 15_000, 'deliveries');
    await new Promise((r) => setTimeout(r, 300));
    await c.stop();
    assert.equal(log.filter((l) => l.startsWith('reject-me')).length, 1, 'a rejected record is not redelivered');
    await waitFor(() => h.broker.vhost('/').hasTopic('dlq-g1'), 5_000, 'dead-letter topic');
    const stored = await readStored(h.broker, 'dlq-g1');
    assert.deepEqual(stored.messages.map((m) => m.message.value?.toString()), ['reject-me']);
  } finally {
    await h.close();
  }
});
