/**
 * Races declares, creates and deletes of the same few names with appends, on the simulated
 * filesystem (every I/O completes on a later macrotask, so starting operations a random number
 * of ticks apart interleaves them at their awaits), then stops the broker cleanly or crashes it
 * and opens it again. Checks:
 *   - one object per name: every queue or topic object handed out is either the one the name
 *     leads to at the end or one that was deleted (two objects alive over one name's files
 *     overwrote each other's appends);
 *   - every acknowledged append to the surviving object is there after the reopen;
 *   - exchanges and bindings after the reopen are those the broker had before it stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Broker } from '../../../src/core/broker/broker.js';
import type { Vhost } from '../../../src/core/broker/vhost.js';
import { makeMessage } from '../../../src/core/message.js';
import type { Queue } from '../../../src/core/queue/queue.js';
import type { Topic } from '../../../src/core/topic/topic.js';
import { decodeMessages } from '../../../src/storage/codec/message-codec.js';
import { SimFs } from '../../../src/storage/fs/sim.js';

const dataDir = '/data';
const queueNames = ['q0', 'q1'] as const;
const topicNames = ['t0', 't1'] as const;
const exchangeNames = ['x0'] as const;

type Op =
  | { kind: 'declareQueue' | 'deleteQueue' | 'publish'; name: string }
  | { kind: 'createTopic' | 'ensureTopic'; name: string; partitions: number }
  | { kind: 'deleteTopic' | 'append' | 'addPartition'; name: string }
  | { kind: 'declareExchange' | 'deleteExchange'; name: string }
  | { kind: 'bind' | 'unbind'; name: string; queue: string };

const queueName = fc.constantFrom(...queueNames);
const topicName = fc.constantFrom(...topicNames);
const exchangeName = fc.constantFrom(...exchangeNames);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('declareQueue' as const), name: queueName }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteQueue' as const), name: queueName }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('publish' as const), name: queueName }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('createTopic' as const, 'ensureTopic' as const), name: topicName, partitions: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('deleteTopic' as const, 'addPartition' as const), name: topicName }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), name: topicName }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('declareExchange' as const, 'deleteExchange' as const), name: exchangeName }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('bind' as const, 'unbind' as const), name: exchangeName, queue: queueName }) },
);

/** Each operation starts after a number of macrotask ticks: that is the interleaving. */
const scenario = fc.record({
  steps: fc.array(fc.record({ op, delayTicks: fc.integer({ min: 0, max: 12 }) }), { minLength: 1, maxLength: 30 }),
  ending: fc.constantFrom('close' as const, 'crash' as const),
});

const tick = () => new Promise<void>((r) => setImmediate(r));

interface Observed {
  /** Every queue and topic object an operation handed out or appended to. */
  queues: Map<string, Set<Queue>>;
  topics: Map<string, Set<Topic>>;
  deleted: Set<object>;
  /** Acknowledged appends per object. */
  acked: Map<object, string[]>;
}

function note<T>(m: Map<string, Set<T>>, name: string, o: T): void {
  let s = m.get(name);
  if (!s) m.set(name, (s = new Set()));
  s.add(o);
}

function ack(seen: Observed, o: object, id: string): void {
  let l = seen.acked.get(o);
  if (!l) seen.acked.set(o, (l = []));
  l.push(id);
}

/** Runs one operation; refusals (NOT_FOUND, ALREADY_EXISTS, ...) are part of the race. */
async function run(v: Vhost, o: Op, id: string, seen: Observed): Promise<void> {
  switch (o.kind) {
    case 'declareQueue':
      note(seen.queues, o.name, (await v.declareQueue(o.name)).queue);
      return;
    case 'deleteQueue':
      await v.deleteQueue(o.name);
      return;
    case 'publish': {
      if (!v.hasQueue(o.name)) return;
      // Routing picks the queue synchronously, so this is the object the message goes to.
      const q = v.queue(o.name);
      note(seen.queues, o.name, q);
      if ((await v.publish('', o.name, makeMessage(id))).routed === 1) ack(seen, q, id);
      return;
    }
    case 'createTopic':
    case 'ensureTopic': {
      const t = await (o.kind === 'createTopic' ? v.createTopic(o.name, { partitions: o.partitions }) : v.ensureTopic(o.name, { partitions: o.partitions }));
      note(seen.topics, o.name, t);
      return;
    }
    case 'deleteTopic':
      await v.deleteTopic(o.name);
      return;
    case 'addPartition':
      await v.addPartitions(o.name, v.topic(o.name).partitionCount + 1);
      return;
    case 'append': {
      const t = v.topic(o.name);
      note(seen.topics, o.name, t);
      await t.appendMessage(makeMessage(id));
      ack(seen, t, id);
      return;
    }
    case 'declareExchange':
      await v.declareExchange({ name: o.name, type: 'fanout' });
      return;
    case 'deleteExchange':
      await v.deleteExchange(o.name);
      return;
    case 'bind':
      await v.bind(o.name, { kind: 'queue', name: o.queue }, '');
      return;
    case 'unbind':
      await v.unbind(o.name, { kind: 'queue', name: o.queue }, '');
      return;
  }
}

async function queueContents(q: Queue): Promise<string[]> {
  const ds = await q.receive({ max: 10_000, waitMs: 0 });
  return ds.map((d) => d.message.value!.toString());
}

async function topicContents(t: Topic): Promise<string[]> {
  const out: string[] = [];
  for (let p = 0; p < t.partitionCount; p++) {
    const log = t.partition(p);
    for (let offset = log.logStartOffset; offset < log.nextOffset; ) {
      const { bytes } = await log.read(offset, 1 << 20);
      const ms = decodeMessages(bytes, offset);
      if (ms.length === 0) break;
      for (const m of ms) out.push(m.message.value!.toString());
      offset = ms[ms.length - 1]!.offset + 1;
    }
  }
  return out;
}

/** Durable exchanges and bindings as comparable text (the predeclared amq.* ones included). */
function topology(v: Vhost): { exchanges: string[]; bindings: string[] } {
  return {
    exchanges: v.router.exchanges().filter((x) => x.durable).map((x) => JSON.stringify([x.name, x.type])).sort(),
    bindings: v.router.bindings().map((b) => JSON.stringify([b.source, b.destination, b.routingKey])).sort(),
  };
}

const sorted = (xs: readonly string[]) => [...xs].sort();

test('concurrent declares, creates, deletes and appends of the same names: one object per name, no acknowledged append lost', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ steps, ending }) => {
      const sim = new SimFs({ seed: 7 });
      const open = () => Broker.open({ dataDir, fs: sim.mount(), fsync: { kind: 'always' }, defaultUser: null });
      const seen: Observed = { queues: new Map(), topics: new Map(), deleted: new Set(), acked: new Map() };
      let b = await open();
      let v = b.vhost('/');
      v.onQueueDeleted((e) => seen.deleted.add(e.queue));
      v.onTopicDeleted((t) => seen.deleted.add(t));
      await Promise.allSettled(
        steps.map(async ({ op: o, delayTicks }, i) => {
          for (let k = 0; k < delayTicks; k++) await tick();
          await run(v, o, `m${i}`, seen);
        }),
      );

      // One object per name: anything handed out is the survivor or was deleted.
      const finalQueues = new Map<string, Queue>();
      for (const [name, objects] of seen.queues) {
        const current = v.hasQueue(name) ? v.queue(name) : undefined;
        if (current) finalQueues.set(name, current);
        for (const o of objects) assert.ok(o === current || seen.deleted.has(o), `a second queue object for '${name}' is alive`);
      }
      const finalTopics = new Map<string, Topic>();
      for (const [name, objects] of seen.topics) {
        const current = v.hasTopic(name) ? v.topic(name) : undefined;
        if (current) finalTopics.set(name, current);
        for (const o of objects) assert.ok(o === current || seen.deleted.has(o), `a second topic object for '${name}' is alive`);
      }
      const partitions = new Map([...finalTopics].map(([n, t]) => [n, t.partitionCount]));
      const before = topology(v);

      if (ending === 'close') await b.close();
      else {
        sim.crash();
        await b.close().catch(() => undefined);
      }
      b = await open();
      v = b.vhost('/');
      try {
        assert.deepEqual(sorted(v.queueNames()), sorted([...finalQueues.keys()]), 'queues after the reopen');
        assert.deepEqual(sorted(v.topicNames()), sorted([...finalTopics.keys()]), 'topics after the reopen');
        for (const [name, q] of finalQueues) {
          assert.deepEqual(sorted(await queueContents(v.queue(name))), sorted(seen.acked.get(q) ?? []), `messages of queue '${name}'`);
        }
        for (const [name, t] of finalTopics) {
          assert.equal(v.topic(name).partitionCount, partitions.get(name), `partitions of topic '${name}'`);
          assert.deepEqual(sorted(await topicContents(v.topic(name))), sorted(seen.acked.get(t) ?? []), `records of topic '${name}'`);
        }
        assert.deepEqual(topology(v), before, 'exchanges and bindings after the reopen');
      } finally {
        await b.close();
      }
    }),
    { numRuns: 200 },
  );
});

/** Only operations that add: whatever was acknowledged before a crash must be there after it. */
const growing: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('declareQueue' as const), name: queueName }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('publish' as const), name: queueName }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('createTopic' as const, 'ensureTopic' as const), name: topicName, partitions: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('addPartition' as const), name: topicName }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), name: topicName }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('declareExchange' as const), name: exchangeName }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('bind' as const), name: exchangeName, queue: queueName }) },
);

test('a crash in the middle of concurrent declares and appends keeps everything acknowledged before it', async () => {
  await fc.assert(
    fc.asyncProperty(
      // Wider spreads than above: binds and appends need their queue or topic to exist first.
      fc.array(fc.record({ op: growing, delayTicks: fc.integer({ min: 0, max: 80 }) }), { minLength: 1, maxLength: 30 }),
      fc.integer({ min: 0, max: 120 }),
      async (steps, crashAfterTicks) => {
        const sim = new SimFs({ seed: 11 });
        const open = () => Broker.open({ dataDir, fs: sim.mount(), fsync: { kind: 'always' }, defaultUser: null });
        const seen: Observed = { queues: new Map(), topics: new Map(), deleted: new Set(), acked: new Map() };
        let b = await open();
        let v = b.vhost('/');
        let crashed = false;
        /** What was acknowledged before the crash, by kind and name. */
        const done = new Set<string>();
        const ops = steps.map(async ({ op: o, delayTicks }, i) => {
          for (let k = 0; k < delayTicks; k++) await tick();
          if (crashed) return;
          try {
            await run(v, o, `m${i}`, seen);
          } catch {
            return; // refused (NOT_FOUND, ...) or cut short by the crash
          }
          if (!crashed) done.add(JSON.stringify(o.kind === 'bind' ? [o.kind, o.name, o.queue] : [o.kind, o.name]));
        });
        for (let k = 0; k < crashAfterTicks; k++) await tick();
        crashed = true;
        // Acknowledgements from here on do not count: copy what counted so far.
        const acked = new Map([...seen.acked].map(([o, ids]) => [o, [...ids]]));
        const handedOut = new Map([...seen.queues].map(([n, s]) => [n, [...s]]));
        const topicsOut = new Map([...seen.topics].map(([n, s]) => [n, [...s]]));
        const doneBefore = new Set(done);
        sim.crash();
        await Promise.allSettled(ops);
        await b.close().catch(() => undefined);
        b = await open();
        v = b.vhost('/');
        try {
          for (const name of queueNames) {
            if (!doneBefore.has(JSON.stringify(['declareQueue', name]))) continue;
            const want = (handedOut.get(name) ?? []).flatMap((q) => acked.get(q) ?? []);
            const got = await queueContents(v.queue(name));
            for (const id of want) assert.ok(got.includes(id), `acknowledged ${id} missing from queue '${name}'`);
          }
          for (const name of topicNames) {
            if (!doneBefore.has(JSON.stringify(['createTopic', name])) && !doneBefore.has(JSON.stringify(['ensureTopic', name]))) continue;
            const want = (topicsOut.get(name) ?? []).flatMap((t) => acked.get(t) ?? []);
            const got = await topicContents(v.topic(name));
            for (const id of want) assert.ok(got.includes(id), `acknowledged ${id} missing from topic '${name}'`);
          }
          if (doneBefore.has(JSON.stringify(['declareExchange', 'x0']))) assert.ok(v.router.exchange('x0'), 'exchange x0 lost');
          for (const name of queueNames) {
            if (!doneBefore.has(JSON.stringify(['bind', 'x0', name]))) continue;
            assert.ok(v.router.bindingsTo({ kind: 'queue', name }).some((x) => x.source === 'x0'), `binding x0 -> ${name} lost`);
          }
        } finally {
          await b.close();
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('two embedded createTopic calls for one new name: one succeeds, and 100 appends survive a reopen', async () => {
  const sim = new SimFs({ seed: 1 });
  const open = () => Broker.open({ dataDir, fs: sim.mount(), fsync: { kind: 'always' }, defaultUser: null });
  let b = await open();
  const results = await Promise.allSettled([b.vhost('/').createTopic('t'), b.vhost('/').createTopic('t')]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  for (let i = 0; i < 100; i++) await b.vhost('/').topic('t').appendMessage(makeMessage(`m${i}`));
  await b.close();
  b = await open();
  try {
    assert.equal((await topicContents(b.vhost('/').topic('t'))).length, 100);
  } finally {
    await b.close();
  }
});

test('concurrent first uses of group offsets and concurrent addVhost calls open one object each', async () => {
  const sim = new SimFs({ seed: 2 });
  const open = () => Broker.open({ dataDir, fs: sim.mount(), fsync: { kind: 'always' }, defaultUser: null });
  let b = await open();
  const v = b.vhost('/');
  const [a, c] = await Promise.all([v.groupOffsets(), v.groupOffsets()]);
  assert.equal(a, c, 'one offsets store');
  await a.commit('g', [{ topic: 't', partition: 0, offset: 5 }]);
  const [v1, v2] = await Promise.all([b.addVhost('other'), b.addVhost('other')]);
  assert.equal(v1, v2, 'one Vhost object');
  await v1.declareQueue('q');
  await v1.publish('', 'q', makeMessage('kept'));
  await b.close();
  b = await open();
  try {
    assert.equal((await b.vhost('/').groupOffsets()).fetch('g', 't', 0)?.offset, 5);
    assert.deepEqual(await queueContents(b.vhost('other').queue('q')), ['kept']);
  } finally {
    await b.close();
  }
});
