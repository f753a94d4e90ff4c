/**
 * KIP-848 consumer groups with real clients: @platformatic/kafka with groupProtocol 'consumer'
 * (ConsumerGroupHeartbeat, OffsetCommit/OffsetFetch v9 with member epochs) and kafkajs's
 * classic members in the same group (online migration both ways).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, Consumer, type MessagesStream, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import type { Consumer as KafkajsConsumer } from 'kafkajs';
import { startHarness, waitFor, type Harness } from './harness.js';

type Stream = MessagesStream<string, string, string, string>;

describe('KIP-848 consumer groups with @platformatic/kafka and kafkajs', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ groupConsumerHeartbeatIntervalMs: 300, groupConsumerSessionTimeoutMs: 10_000 });
  });
  after(async () => {
    await h.close();
  });

  const consumer = (groupId: string, clientId: string) => new Consumer({
    groupId, clientId, bootstrapBrokers: [h.bootstrap], deserializers: stringDeserializers, groupProtocol: 'consumer', maxWaitTime: 100,
  });

  async function produce(topic: string, values: string[]): Promise<void> {
    const producer = new Producer({ clientId: 'p848', bootstrapBrokers: [h.bootstrap], serializers: stringSerializers });
    await producer.send({ messages: values.map((v, i) => ({ topic, key: `k${i}`, value: v })) });
    await producer.close();
  }

  /** Reads from a stream into `into` until told to stop (returns the loop's promise). */
  function drain(stream: Stream, into: string[]): Promise<void> {
    return (async () => {
      for await (const m of stream) into.push(m.value as string);
    })();
  }

  it('splits partitions between members, commits with member epochs, and a new member resumes from the commits', async () => {
    await h.broker.vhost('/').createTopic('orders', { partitions: 4 });
    const values = Array.from({ length: 40 }, (_, i) => `o${i}`);
    await produce('orders', values);
    const a = consumer('g-split', 'a');
    const sa = await a.consume({ topics: ['orders'], mode: 'committed', fallbackMode: 'earliest', autocommit: 50 });
    const gotA: string[] = [];
    const loopA = drain(sa, gotA);
    await waitFor(() => gotA.length === 40, 15_000, 'a reads everything');
    const b = consumer('g-split', 'b');
    const sb = await b.consume({ topics: ['orders'], mode: 'committed', fallbackMode: 'earliest', autocommit: 50 });
    const gotB: string[] = [];
    const loopB = drain(sb, gotB);
    await waitFor(() => a.assignments?.[0]?.partitions.length === 2 && b.assignments?.[0]?.partitions.length === 2, 15_000, '2 + 2 partitions');
    const d = h.listener.context.groups.describeConsumerGroup('g-split')!;
    assert.equal(d.state, 'Stable');
    assert.equal(d.members.length, 2);
    assert.ok(d.members.every((m) => m.memberEpoch === d.groupEpoch));
    // Partitions moved from a to b only after a revoked them: never owned by both at once.
    const owned = d.members.flatMap((m) => m.assignment.topicPartitions.flatMap((tp) => tp.partitions));
    assert.deepEqual(owned.sort(), [0, 1, 2, 3]);
    await produce('orders', values.map((v) => `${v}-2`));
    await waitFor(() => gotA.length + gotB.length === 80, 15_000, 'the second batch, split');
    assert.ok(gotB.length > 0 && gotB.every((v) => v.endsWith('-2')), 'b starts from the committed offsets, not from the beginning');
    await sa.close();
    await sb.close();
    await Promise.all([loopA, loopB]);
    await a.close();
    await b.close();
    await waitFor(() => h.listener.context.groups.describeConsumerGroup('g-split')?.state === 'Empty', 10_000, 'both left');
  });

  it('ListGroups v5 filters by type; DescribeGroups shows a consumer group as Dead, as Kafka does', async () => {
    await h.broker.vhost('/').createTopic('lg');
    const c = consumer('g-types', 'c');
    const s = await c.consume({ topics: ['lg'], mode: 'earliest' });
    const admin = new Admin({ clientId: 'adm', bootstrapBrokers: [h.bootstrap] });
    const consumerGroups = await admin.listGroups({ types: ['consumer'] });
    assert.equal(consumerGroups.get('g-types')?.groupType, 'consumer');
    assert.equal(consumerGroups.get('g-types')?.state, 'STABLE');
    const classic = await admin.listGroups({ types: ['classic'] });
    assert.equal(classic.has('g-types'), false);
    const described = await admin.describeGroups({ groups: ['g-types'] });
    assert.equal(described.get('g-types')?.state, 'DEAD');
    await s.close();
    await c.close();
    await admin.close();
  });

  it('a classic group converts to a consumer group when a KIP-848 member joins, and back when it leaves', async () => {
    const topic = 'migrate';
    await h.broker.vhost('/').createTopic(topic, { partitions: 4 });
    const kafka = h.kafka();
    const seen = new Map<string, number>();
    const assigned = new Map<string, number>();
    const classicMembers: KafkajsConsumer[] = [];
    for (const id of ['k1', 'k2']) {
      const c = kafka.consumer({ groupId: 'g-mig', sessionTimeout: 8000, rebalanceTimeout: 5000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
      c.on(c.events.GROUP_JOIN, (e) => assigned.set(id, (e.payload.memberAssignment[topic] ?? []).length));
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({ autoCommitThreshold: 1, eachMessage: async ({ message }) => void seen.set(message.value!.toString(), (seen.get(message.value!.toString()) ?? 0) + 1) });
      classicMembers.push(c);
    }
    await waitFor(() => assigned.get('k1') === 2 && assigned.get('k2') === 2, 20_000, 'classic group stable, 2 + 2');
    assert.equal(h.listener.context.groups.kind('g-mig'), 'classic');
    await produce(topic, Array.from({ length: 20 }, (_, i) => `m${i}`));
    await waitFor(() => seen.size === 20, 15_000, 'classic members read');

    // A KIP-848 member joins: the group converts, the classic members keep working in it.
    const modern = consumer('g-mig', 'modern');
    const stream = await modern.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: 50 });
    const gotModern: string[] = [];
    const loop = drain(stream, gotModern);
    assert.equal(h.listener.context.groups.kind('g-mig'), 'consumer');
    await waitFor(() => {
      const d = h.listener.context.groups.describeConsumerGroup('g-mig');
      return d?.state === 'Stable' && d.members.length === 3 && d.members.every((m) => m.assignment.topicPartitions.length > 0);
    }, 20_000, 'three members of both protocols, all assigned');
    const d = h.listener.context.groups.describeConsumerGroup('g-mig')!;
    assert.deepEqual(d.members.map((m) => m.memberType).sort(), [0, 0, 1]);
    await produce(topic, Array.from({ length: 40 }, (_, i) => `n${i}`));
    await waitFor(() => [...seen.keys()].filter((k) => k.startsWith('n')).length + gotModern.length === 40, 20_000, 'all new messages, once');
    assert.ok(gotModern.every((v) => v.startsWith('n')), 'the KIP-848 member resumed from the classic members\' commits');

    // The KIP-848 member leaves: only classic members remain, so the group is classic again.
    await stream.close();
    await loop;
    await modern.close();
    await waitFor(() => h.listener.context.groups.kind('g-mig') === 'classic', 10_000, 'downgraded');
    await waitFor(() => h.listener.context.groups.describe('g-mig')?.state === 'Stable' && assigned.get('k1')! + assigned.get('k2')! === 4, 20_000, 'classic rebalance');
    await produce(topic, ['last']);
    await waitFor(() => seen.has('last'), 15_000, 'classic members read after the downgrade');
    assert.ok([...seen.values()].every((n) => n === 1), 'nothing read twice');
    for (const c of classicMembers) await c.disconnect();
  });
});
