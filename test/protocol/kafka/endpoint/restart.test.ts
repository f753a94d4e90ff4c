import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from 'node:net';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Broker } from '../../../../src/core/broker/broker.js';
import { ApiVersions } from '../../../../src/protocol/kafka/api/api-versions.js';
import { Metadata } from '../../../../src/protocol/kafka/api/metadata.js';
import { Produce } from '../../../../src/protocol/kafka/api/produce.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { encodeBatch } from '../../../../src/storage/codec/record-batch.js';
import { RawClient } from './raw-client.js';
import { encodeRequest } from '../../../../src/protocol/kafka/codec/message.js';
import { listenKafka } from '../../../../src/protocol/kafka/server/listener.js';
import { tempDir } from '../../../helpers/tmp.js';

test('records, committed offsets and topic ids survive a broker restart', async () => {
  const tmp = await tempDir();
  try {
    let broker = await Broker.open({ dataDir: tmp.dir });
    let listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
    let kafka = new Kafka({ brokers: [`127.0.0.1:${listener.port}`], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'durable', messages: [1, 2, 3, 4].map((i) => ({ value: `d${i}` })) });
    await producer.disconnect();
    let admin = kafka.admin();
    await admin.connect();
    // (kafkajs's setOffsets waits out a 5 s fetch; the commit path itself is covered by the group tests.)
    await (await broker.vhost('/').groupOffsets()).commit('durable-g', [{ topic: 'durable', partition: 0, offset: 3 }]);
    const id = listener.context.topicId('durable');
    await admin.disconnect();
    await listener.close();
    await broker.close();

    broker = await Broker.open({ dataDir: tmp.dir });
    listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
    kafka = new Kafka({ brokers: [`127.0.0.1:${listener.port}`], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } });
    admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'durable-g', topics: ['durable'] });
    assert.equal(offsets[0]!.partitions[0]!.offset, '3');
    assert.equal((await admin.fetchTopicOffsets('durable'))[0]!.high, '4');
    assert.equal(listener.context.topicId('durable'), id);
    const consumer = kafka.consumer({ groupId: 'durable-g', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'durable' });
    const got: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    const until = Date.now() + 10_000;
    while (got.length < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await consumer.disconnect();
    assert.deepEqual(got, ['d4'], 'resumes from the committed offset');
    await admin.disconnect();
    await listener.close();
    await broker.close();
  } finally {
    await tmp.cleanup();
  }
});

test('requests split at random byte boundaries are answered in order', async () => {
  const tmp = await tempDir();
  const broker = await Broker.open({ dataDir: tmp.dir });
  const listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
  try {
    const frames: Buffer[] = [];
    for (let i = 1; i <= 30; i++) {
      frames.push(Buffer.concat(i % 2 === 0
        ? encodeRequest(ApiVersions, 3, { correlationId: i, clientId: 'split' }, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })
        : encodeRequest(Metadata, 9, { correlationId: i, clientId: 'split' }, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })));
    }
    const all = Buffer.concat(frames);
    const socket = connect(listener.port, '127.0.0.1');
    socket.setNoDelay(true);
    const seen: number[] = [];
    let buf = Buffer.alloc(0);
    const done = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 8 && buf.length >= 4 + buf.readInt32BE(0)) {
          seen.push(buf.readInt32BE(4));
          buf = buf.subarray(4 + buf.readInt32BE(0));
        }
        if (seen.length === 30) resolve();
      });
    });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let pos = 0; pos < all.length;) {
      const n = 1 + Math.floor(rand() * 40);
      socket.write(all.subarray(pos, pos + n));
      pos += n;
      if (rand() < 0.2) await new Promise((r) => setImmediate(r));
    }
    await done;
    assert.deepEqual(seen, Array.from({ length: 30 }, (_, i) => i + 1));
    socket.destroy();
  } finally {
    await listener.close();
    await broker.close();
    await tmp.cleanup();
  }
});

test('idempotent producer state is rebuilt from the log after a restart', async () => {
  const tmp = await tempDir();
  try {
    const pid = 4242;
    const batch = (seq: number) => encodeBatch([{ key: null, value: Buffer.from(`s${seq}`), timestamp: Date.now() }, { key: null, value: Buffer.from(`s${seq + 1}`), timestamp: Date.now() }], { producerId: pid, producerEpoch: 3, baseSequence: seq });
    const produce = async (port: number, records: Buffer) => {
      const c = await RawClient.open(port);
      c.send(Produce, 9, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'idem-r', partitionData: [{ index: 0, records }] }] });
      const r = (await c.receive(Produce, 9)).body.responses[0]!.partitionResponses[0]!;
      c.close();
      return r;
    };
    let broker = await Broker.open({ dataDir: tmp.dir });
    let listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
    await broker.vhost('/').createTopic('idem-r');
    await produce(listener.port, encodeBatch([{ key: null, value: Buffer.from('plain'), timestamp: Date.now() }]));
    assert.equal((await produce(listener.port, batch(0))).baseOffset, 1);
    assert.equal((await produce(listener.port, batch(2))).baseOffset, 3);
    await listener.close();
    await broker.close();

    broker = await Broker.open({ dataDir: tmp.dir });
    listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
    const retry = await produce(listener.port, batch(2));
    assert.deepEqual([retry.errorCode, retry.baseOffset], [0, 3], 'a retry across the restart is a duplicate');
    assert.equal((await produce(listener.port, batch(7))).errorCode, KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.equal((await produce(listener.port, batch(4))).baseOffset, 5);
    assert.equal(broker.vhost('/').topic('idem-r').partition(0).nextOffset, 7);
    await listener.close();
    await broker.close();
  } finally {
    await tmp.cleanup();
  }
});
