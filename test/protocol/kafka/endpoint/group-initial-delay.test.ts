/**
 * group.initial.rebalance.delay.ms: a new group waits (3 s by default, as Kafka) for more
 * members before its first generation, so consumers started together share the first
 * assignment instead of the first one taking every partition and then giving some back
 * (librdkafka 0113 counts the assignments). The harness turns the delay off for every other test.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Consumer } from 'kafkajs';
import { defaultKafkaEndpointOptions } from '../../../../src/protocol/kafka/server/options.js';
import { startHarness, waitFor } from './harness.js';

test('two kafkajs consumers started together both join the group\'s first generation (the default delay)', async () => {
  assert.equal(defaultKafkaEndpointOptions.groupInitialRebalanceDelayMs, 3000);
  const h = await startHarness({ groupInitialRebalanceDelayMs: defaultKafkaEndpointOptions.groupInitialRebalanceDelayMs });
  const consumers: Consumer[] = [];
  try {
    await h.broker.vhost('/').createTopic('delayed', { partitions: 2 });
    /** Per consumer, the partitions of each assignment it was given, in order. */
    const assignments: number[][][] = [[], []];
    for (const i of [0, 1]) {
      const c = h.kafka().consumer({ groupId: 'delayed-g', sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
      consumers.push(c);
      c.on(c.events.GROUP_JOIN, (e) => void assignments[i]!.push(e.payload.memberAssignment['delayed'] ?? []));
      await c.connect();
      await c.subscribe({ topic: 'delayed' });
    }
    // kafkajs's run() resolves once its member has joined: start both at once.
    await Promise.all(consumers.map((c) => c.run({ eachMessage: async () => undefined })));
    await waitFor(() => assignments.every((a) => a.length > 0), 20_000, 'both consumers to join');
    assert.deepEqual(assignments.map((a) => a.length), [1, 1], 'one assignment each: no second generation');
    assert.deepEqual(assignments.map((a) => a[0]!.length), [1, 1], 'a partition each');
  } finally {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await h.close();
  }
});
