import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { startHarness, type Harness } from './harness.js';

describe('kafka endpoint with @platformatic/kafka', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('admin creates a topic; producer and consumer group round-trip messages', async () => {
    const brokers = [h.bootstrap];
    const admin = new Admin({ clientId: 'pk-admin', bootstrapBrokers: brokers });
    await admin.createTopics({ topics: ['pk'], partitions: 3, replicas: 1 });
    const md = await admin.metadata({ topics: ['pk'] });
    assert.equal(md.topics.get('pk')?.partitionsCount, 3);

    const producer = new Producer({ clientId: 'pk-producer', bootstrapBrokers: brokers, serializers: stringSerializers });
    const values = Array.from({ length: 30 }, (_, i) => `pv${i}`);
    await producer.send({ messages: values.map((v, i) => ({ topic: 'pk', key: `key${i % 5}`, value: v, headers: { n: String(i) } })) });
    await producer.close();

    const consumer = new Consumer({
      groupId: 'pk-g', clientId: 'pk-consumer', bootstrapBrokers: brokers, deserializers: stringDeserializers,
      sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTime: 200,
    });
    const stream = await consumer.consume({ topics: ['pk'], mode: 'earliest', autocommit: 100 });
    const got = new Set<string>();
    for await (const message of stream) {
      got.add(message.value as string);
      if (got.size === values.length) break;
    }
    assert.deepEqual([...got].sort(), [...values].sort());
    await stream.close();
    await consumer.close();

    await admin.deleteTopics({ topics: ['pk'] });
    assert.equal(h.broker.vhost('/').hasTopic('pk'), false);
    await admin.close();
  });

  it('a static member (group.instance.id) comes back and resumes from its committed offsets', async () => {
    const brokers = [h.bootstrap];
    await h.broker.vhost('/').createTopic('static');
    const producer = new Producer({ clientId: 'st-producer', bootstrapBrokers: brokers, serializers: stringSerializers });
    const send = (from: number) => producer.send({ messages: Array.from({ length: 10 }, (_, i) => ({ topic: 'static', value: `s${from + i}` })) });
    await send(0);
    const consumeSome = async (n: number) => {
      const consumer = new Consumer({
        groupId: 'static-g', groupInstanceId: 'inst-1', clientId: 'st-consumer', bootstrapBrokers: brokers,
        deserializers: stringDeserializers, sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTime: 200,
      });
      const stream = await consumer.consume({ topics: ['static'], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
      const got: string[] = [];
      for await (const message of stream) {
        got.push(message.value as string);
        await message.commit();
        if (got.length === n) break;
      }
      const d = h.listener.context.groups.describe('static-g')!;
      assert.deepEqual(d.members.map((m) => m.groupInstanceId), ['inst-1']);
      await stream.close();
      await consumer.close();
      return got;
    };
    assert.deepEqual(await consumeSome(10), Array.from({ length: 10 }, (_, i) => `s${i}`));
    await send(10);
    assert.deepEqual(await consumeSome(10), Array.from({ length: 10 }, (_, i) => `s${10 + i}`));
    await producer.close();
  });
});
