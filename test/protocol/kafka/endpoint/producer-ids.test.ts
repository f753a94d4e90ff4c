/**
 * Producer ids are never shared: InitProducerId without a transactional id always hands out a
 * new id with epoch 0 (as Kafka does), and ids handed out before a restart are not handed out
 * again after it, even when the clock has gone back. Two producers sharing an id and epoch lose
 * records: the log takes the second one's batch for a retry of the first one's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { Broker } from '../../../../src/core/broker/broker.js';
import { InitProducerId } from '../../../../src/protocol/kafka/api/init-producer-id.js';
import { listenKafka } from '../../../../src/protocol/kafka/server/listener.js';
import { tempDir } from '../../../helpers/tmp.js';
import { RawClient } from './raw-client.js';
import { readStored, startHarness, type Harness } from './harness.js';

async function initProducerId(port: number, producerId = -1, producerEpoch = -1): Promise<{ errorCode: number; producerId: number; producerEpoch: number }> {
  const c = await RawClient.open(port);
  try {
    c.send(InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId, producerEpoch });
    return (await c.receive(InitProducerId, 4)).body;
  } finally {
    c.close();
  }
}

describe('producer ids', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.broker.vhost('/').createTopic('pids', { partitions: 1 });
  });
  after(async () => {
    await h.close();
  });

  it('three @platformatic/kafka idempotent producers each write one record: three offsets, three records stored', async () => {
    const offsets: number[] = [];
    for (const name of ['one', 'two', 'three']) {
      const producer = new Producer({ clientId: `pid-${name}`, bootstrapBrokers: [h.bootstrap], serializers: stringSerializers, idempotent: true });
      const r = await producer.send({ messages: [{ topic: 'pids', partition: 0, value: name }] });
      offsets.push(Number(r.offsets![0]!.offset));
      await producer.close();
    }
    assert.deepEqual(offsets, [0, 1, 2]);
    const { messages } = await readStored(h.broker, 'pids');
    assert.deepEqual(messages.map((m) => m.message.value?.toString()), ['one', 'two', 'three']);
  });

  it('InitProducerId without a transactional id naming an id and epoch gets a new id with epoch 0', async () => {
    const first = await initProducerId(h.listener.port);
    assert.equal(first.errorCode, 0);
    const named = await initProducerId(h.listener.port, first.producerId, 0);
    assert.equal(named.errorCode, 0);
    assert.notEqual(named.producerId, first.producerId);
    assert.equal(named.producerEpoch, 0);
    const zero = await initProducerId(h.listener.port, 0, 0);
    assert.ok(![0, first.producerId, named.producerId].includes(zero.producerId));
    assert.equal(zero.producerEpoch, 0);
  });
});

it('ids handed out before a restart are not handed out again after it, even with the clock set back a day', async () => {
  const tmp = await tempDir();
  let now = Date.UTC(2030, 0, 2);
  const clock = { now: () => now };
  const open = async () => {
    const broker = await Broker.open({ dataDir: tmp.dir, clock });
    return { broker, listener: await listenKafka(broker, { port: 0 }) };
  };
  try {
    let { broker, listener } = await open();
    const before = new Set<number>();
    for (let i = 0; i < 3; i++) before.add((await initProducerId(listener.port)).producerId);
    assert.equal(before.size, 3);
    await listener.close();
    await broker.close();
    now -= 24 * 3600 * 1000;
    ({ broker, listener } = await open());
    const after = (await initProducerId(listener.port)).producerId;
    assert.ok(after > Math.max(...before), `${after} comes after ${[...before].join(', ')}`);
    await listener.close();
    await broker.close();
  } finally {
    await tmp.cleanup();
  }
});
