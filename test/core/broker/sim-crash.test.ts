/** A broker on the simulated filesystem: its catalogue crashes and recovers with its logs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Broker } from '../../../src/core/broker/broker.js';
import { isHopperError } from '../../../src/core/errors.js';
import { makeMessage } from '../../../src/core/message.js';
import { SimFs } from '../../../src/storage/fs/sim.js';

const dataDir = '/data';
const catalogueTmp = `${dataDir}/catalogue.json.tmp`;
const q = (name: string) => ({ kind: 'queue' as const, name });
const tick = () => new Promise<void>((r) => setImmediate(r));

const open = (sim: SimFs) => Broker.open({ dataDir, fs: sim.mount(), fsync: { kind: 'always' } });

/** A broker on `sim` holding a durable exchange, queue and binding between them. */
async function withTopology(sim: SimFs): Promise<Broker> {
  const b = await open(sim);
  const v = b.vhost('/');
  await v.declareExchange({ name: 'orders', type: 'topic' });
  await v.declareQueue('eu');
  await v.bind('orders', q('eu'), 'eu.#');
  return b;
}

/** Power loss under `b`: the dead process's calls fail, so its close may too. */
async function crash(sim: SimFs, b: Broker): Promise<void> {
  sim.crash({ torn: true });
  await b.close().catch(() => undefined);
}

async function assertTopology(b: Broker): Promise<void> {
  const v = b.vhost('/');
  assert.equal(v.exchange('orders').type, 'topic');
  assert.equal(v.hasQueue('eu'), true);
  assert.deepEqual(b.catalogue.bindings('/').map((x) => [x.source, x.routingKey]), [['orders', 'eu.#']]);
  await v.publish('orders', 'eu.fr', makeMessage('m'));
  const ds = await v.queue('eu').receive({ max: 10, waitMs: 0 });
  assert.deepEqual(ds.map((d) => d.message.value!.toString()), ['m'], 'the binding routes');
}

test('a broker on a SimFs gets its durable topology back after a torn crash', async () => {
  const sim = new SimFs({ seed: 3 });
  await crash(sim, await withTopology(sim));
  const b = await open(sim);
  try {
    await assertTopology(b);
  } finally {
    await b.close();
  }
});

test('a failed catalogue write, then a crash, leaves the previous catalogue', async () => {
  for (const fault of ['write', 'fsync', 'rename', 'syncDir'] as const) {
    const sim = new SimFs({ seed: 5 });
    const b = await withTopology(sim);
    // A failed write still lands a seeded prefix of its bytes: a torn .tmp.
    sim.failNext(fault, 'EIO', { path: fault === 'syncDir' ? dataDir : catalogueTmp });
    await assert.rejects(b.vhost('/').declareQueue('late'), (e) => isHopperError(e, 'STORAGE_FAILED'), fault);
    await crash(sim, b);
    const b2 = await open(sim);
    try {
      await assertTopology(b2);
      assert.equal(b2.vhost('/').hasQueue('late'), false, `${fault}: the failed save is not there`);
    } finally {
      await b2.close();
    }
  }
});

test('a crash at any point of a catalogue save leaves the old or the new catalogue, never a broken one', async () => {
  const outcomes = new Set<string>();
  for (let ticks = 0; ticks <= 24; ticks++) {
    const sim = new SimFs({ seed: 100 + ticks });
    const b = await withTopology(sim);
    const declared = b.vhost('/').declareQueue('late').catch(() => undefined);
    for (let i = 0; i < ticks; i++) await tick();
    await crash(sim, b);
    await declared;
    const b2 = await open(sim); // a broken catalogue would refuse to open
    try {
      await assertTopology(b2);
      outcomes.add(b2.vhost('/').hasQueue('late') ? 'new' : 'old');
    } finally {
      await b2.close();
    }
  }
  assert.deepEqual([...outcomes].sort(), ['new', 'old'], 'the sweep crossed the save');
});

test('consumer acks cost the state log no fsync of their own; an ack waited for (ackDurable) is fsynced and survives a power loss', async () => {
  const sim = new SimFs({ seed: 11 });
  const b = await Broker.open({ dataDir, fs: sim.mount(), fsync: { kind: 'always' }, queueStateFsyncIntervalMs: 60_000 });
  const v = b.vhost('/');
  await v.declareQueue('jobs');
  for (let i = 0; i < 23; i++) await v.publish('', 'jobs', makeMessage(`m${i}`));
  const q = v.queue('jobs');
  const ds = await q.receive({ max: 23, waitMs: 0 });
  assert.equal(ds.length, 23);
  await q.ackDurable(ds[0]!.leaseId);
  const before = sim.stats.fsyncs;
  for (let i = 1; i <= 20; i++) {
    q.ack(ds[i]!.leaseId);
    await tick();
    await tick();
  }
  assert.ok(sim.stats.fsyncs - before <= 1, `${sim.stats.fsyncs - before} fsyncs for 20 acks`);
  sim.crash({ torn: false }); // every unsynced byte is lost
  await b.close().catch(() => undefined);
  const b2 = await open(sim);
  try {
    const left = (await b2.vhost('/').queue('jobs').receive({ max: 30, waitMs: 0 })).map((d) => d.message.value!.toString());
    assert.ok(!left.includes('m0'), 'the ack waited for is durable');
    assert.ok(left.includes('m21') && left.includes('m22'), 'unacked messages are back');
    assert.ok(left.includes('m1'), 'acks not yet fsynced come back as redeliveries after a power loss');
  } finally {
    await b2.close();
  }
});
