import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Consumer, Partitioners } from 'kafkajs';
import { startHarness, waitFor, type Harness } from './harness.js';

describe('kafka consumer groups with kafkajs', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('3 members join and leave without losing or duplicating committed messages', async () => {
    const kafka = h.kafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'grp', numPartitions: 6 }] });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();

    const seen = new Map<string, number>();
    const members: Consumer[] = [];
    const assigned = new Map<Consumer, number>();
    const start = async (): Promise<Consumer> => {
      const c = kafka.consumer({ groupId: 'grp-g', sessionTimeout: 6000, rebalanceTimeout: 4000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
      c.on(c.events.GROUP_JOIN, (e) => assigned.set(c, (e.payload.memberAssignment.grp ?? []).length));
      await c.connect();
      await c.subscribe({ topic: 'grp', fromBeginning: true });
      // Commit after each message, so a handover neither loses nor repeats one.
      await c.run({
        autoCommitThreshold: 1,
        eachMessage: async ({ message }) => {
          const v = message.value!.toString();
          seen.set(v, (seen.get(v) ?? 0) + 1);
        },
      });
      members.push(c);
      return c;
    };
    let n = 0;
    const produce = async (count: number) => {
      const batch = [];
      for (let i = 0; i < count; i++, n++) batch.push({ key: `k${n % 17}`, value: `m${n}` });
      await producer.send({ topic: 'grp', messages: batch });
    };

    await start();
    await produce(60);
    await waitFor(() => seen.size >= 60, 15_000, 'first 60');
    await start();
    await start();
    await waitFor(() => assigned.size === 3 && [...assigned.values()].every((x) => x === 2), 15_000, 'even assignment over 3 members');
    const d = await admin.describeGroups(['grp-g']);
    assert.equal(d.groups[0]!.members.length, 3);
    assert.equal(d.groups[0]!.state, 'Stable');
    await produce(60);
    await waitFor(() => seen.size >= 120, 15_000, '120');
    // Two members leave; the last one takes over every partition.
    await members[0]!.disconnect();
    await members[1]!.disconnect();
    await produce(60);
    await waitFor(() => seen.size >= 180, 20_000, '180');
    await members[2]!.disconnect();

    for (let i = 0; i < 180; i++) assert.equal(seen.get(`m${i}`), 1, `m${i} seen ${seen.get(`m${i}`)} times`);
    const committed = await admin.fetchOffsets({ groupId: 'grp-g', topics: ['grp'] });
    const high = await admin.fetchTopicOffsets('grp');
    for (const p of committed[0]!.partitions) {
      assert.equal(p.offset, high.find((x) => x.partition === p.partition)!.high, `partition ${p.partition} fully committed`);
    }
    const listed = await admin.listGroups();
    assert.ok(listed.groups.some((g) => g.groupId === 'grp-g'));
    await producer.disconnect();
    await admin.deleteGroups(['grp-g']);
    assert.ok(!(await admin.listGroups()).groups.some((g) => g.groupId === 'grp-g'));
    await admin.disconnect();
  });

  it('a member that stops heartbeating is expired after its session timeout', async () => {
    const kafka = h.kafka();
    const coordinator = h.listener.context.groups;
    const join = coordinator.join({
      groupId: 'expire-g', memberId: '', groupInstanceId: null, clientId: 'raw', clientHost: '/127.0.0.1',
      sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    const r = await join;
    assert.equal(r.errorCode, 0);
    assert.equal(coordinator.describe('expire-g')!.members.length, 1);
    await waitFor(() => coordinator.describe('expire-g')!.members.length === 0, 5000, 'expiry');
    assert.equal(coordinator.describe('expire-g')!.state, 'Empty');
    void kafka;
  });
});
