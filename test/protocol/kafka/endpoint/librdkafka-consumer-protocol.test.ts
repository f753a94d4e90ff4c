/**
 * KIP-848 with librdkafka (node-rdkafka 3.6.1 = librdkafka 2.12, built from source by npm; not a
 * dependency, as it compiles for minutes: .ci/run installs it with `npm install --no-save`, and
 * these tests skip, saying so, where it is missing):
 * `group.protocol=consumer`, as Java's and Confluent's clients use it. Two members share a topic's
 * partitions and commit; a subscription by regex (`^prefix`, which librdkafka sends to the
 * coordinator as SubscribedTopicRegex) follows the topics it matches. Each consumer runs in a
 * child process (./rdkafka-member.ts).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Partitioners } from 'kafkajs';
import { startHarness, waitFor, type Harness } from './harness.js';

const memberScript = fileURLToPath(new URL('./rdkafka-member.js', import.meta.url));

function rdkafkaMissing(): string | false {
  try {
    createRequire(import.meta.url)('node-rdkafka');
    return false;
  } catch (e) {
    return `node-rdkafka is not installed (npm install --no-save node-rdkafka@3.6.1): ${(e as Error).message.split('\n')[0]}`;
  }
}

interface Member {
  child: ChildProcess;
  got: string[];
  close(): Promise<void>;
}

describe('KIP-848 consumer groups with librdkafka (node-rdkafka)', { skip: rdkafkaMissing() }, () => {
  let h: Harness;
  const children: ChildProcess[] = [];
  before(async () => {
    h = await startHarness({ groupConsumerHeartbeatIntervalMs: 300 });
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill();
    await h.close();
  });

  async function produce(topic: string, n: number, prefix: string): Promise<void> {
    const p = h.kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await p.connect();
    await p.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ key: `key${i}`, value: `${prefix}${i}` })) });
    await p.disconnect();
  }

  async function member(groupId: string, clientId: string, topics: string[], extra: Record<string, unknown> = {}): Promise<Member> {
    const child = fork(memberScript, [JSON.stringify({ bootstrap: h.bootstrap, groupId, clientId, topics, extra })], { stdio: 'inherit' });
    children.push(child);
    const got: string[] = [];
    let closed = false;
    const errors: string[] = [];
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { value?: string; ready?: boolean; closed?: boolean; error?: string }) => {
        if (m.value !== undefined) got.push(m.value);
        if (m.ready) resolve();
        if (m.closed) closed = true;
        if (m.error) errors.push(m.error);
      });
      child.once('exit', (code) => reject(new Error(`${clientId} exited (${code}): ${errors.join('; ')}`)));
    });
    return {
      child, got,
      close: async () => {
        child.send({ close: true });
        await waitFor(() => closed, 20_000, `${clientId} closed`);
      },
    };
  }

  it('two members split the partitions, every record is read once, and commits land', async () => {
    await h.broker.vhost('/').createTopic('rd', { partitions: 4 });
    await produce('rd', 40, 'a');
    const c1 = await member('rd-g', 'c1', ['rd']);
    await waitFor(() => c1.got.length === 40, 20_000, 'c1 reads all 40');
    const c2 = await member('rd-g', 'c2', ['rd']);
    const groups = h.listener.context.groups;
    await waitFor(() => {
      const d = groups.describeConsumerGroup('rd-g');
      return d?.state === 'Stable' && d.members.length === 2 && d.members.every((m) => m.assignment.topicPartitions[0]?.partitions.length === 2);
    }, 20_000, 'two members with two partitions each');
    await produce('rd', 40, 'b');
    await waitFor(() => c1.got.length + c2.got.length === 80, 20_000, 'the second 40, split');
    assert.ok(c2.got.length > 0 && c2.got.every((v) => v.startsWith('b')), 'c2 starts where c1 committed');
    assert.equal(new Set([...c1.got, ...c2.got]).size, 80, 'nothing read twice');
    await c2.close();
    await c1.close();
    assert.equal(groups.describeConsumerGroup('rd-g')?.state, 'Empty');
    const offsets = await h.broker.vhost('/').groupOffsets();
    const committed = [0, 1, 2, 3].map((p) => offsets.fetch('rd-g', 'rd', p)?.offset ?? -1);
    assert.equal(committed.reduce((a, b) => a + b, 0), 80, `every partition committed to its end: ${committed}`);
  });

  it('a regex subscription resolves on the coordinator and takes in a topic created later', async () => {
    await h.broker.vhost('/').createTopic('rx-one');
    await h.broker.vhost('/').createTopic('other');
    await produce('rx-one', 3, 'one');
    await produce('other', 3, 'no');
    const c = await member('rx-g', 'rx', ['^rx-.*']);
    await waitFor(() => c.got.length === 3, 20_000, 'rx-one read');
    const d = h.listener.context.groups.describeConsumerGroup('rx-g')!;
    assert.match(d.members[0]!.subscribedTopicRegex!, /\^rx-\.\*/, 'as librdkafka sends it: (^rx-.*)');
    await h.broker.vhost('/').createTopic('rx-two');
    await produce('rx-two', 3, 'two');
    // Kafka refreshes a group's regexes at most every 10 s.
    await waitFor(() => c.got.length === 6, 30_000, 'rx-two read once the regex is refreshed');
    assert.ok(c.got.every((v) => !v.startsWith('no')));
    await c.close();
  });

  it('classic librdkafka members and a KIP-848 one share a group: it converts, and converts back when the KIP-848 member leaves', async () => {
    const groups = h.listener.context.groups;
    await h.broker.vhost('/').createTopic('mix', { partitions: 4 });
    await produce('mix', 20, 'x');
    // range: librdkafka's sticky assignors put user data in their assignments, which Kafka refuses to carry over.
    const classic = { 'group.protocol': 'classic', 'partition.assignment.strategy': 'range', 'session.timeout.ms': 10_000, 'heartbeat.interval.ms': 300 };
    const k1 = await member('mix-g', 'k1', ['mix'], classic);
    const k2 = await member('mix-g', 'k2', ['mix'], classic);
    await waitFor(() => groups.describe('mix-g')?.state === 'Stable' && groups.describe('mix-g')!.members.length === 2 && k1.got.length + k2.got.length === 20, 20_000, 'classic group reading');
    const m = await member('mix-g', 'modern', ['mix']);
    await waitFor(() => {
      const d = groups.describeConsumerGroup('mix-g');
      return d?.state === 'Stable' && d.members.length === 3 && d.members.every((x) => x.assignment.topicPartitions.length > 0);
    }, 20_000, 'one group, three members of two protocols, each assigned');
    assert.deepEqual(groups.describeConsumerGroup('mix-g')!.members.map((x) => x.memberType).sort(), [0, 0, 1]);
    await produce('mix', 20, 'y');
    await waitFor(() => k1.got.length + k2.got.length + m.got.length === 40, 20_000, 'the second 20');
    await m.close();
    await waitFor(() => groups.kind('mix-g') === 'classic' && groups.describe('mix-g')?.state === 'Stable', 20_000, 'classic again');
    await produce('mix', 20, 'z');
    await waitFor(() => k1.got.length + k2.got.length + m.got.length === 60, 20_000, 'the third 20, by the classic members');
    assert.equal(new Set([...k1.got, ...k2.got, ...m.got]).size, 60, 'nothing read twice');
    await k1.close();
    await k2.close();
  });
});
