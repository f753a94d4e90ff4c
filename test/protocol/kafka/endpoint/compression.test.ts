/**
 * Every Kafka compression type through real clients against the broker: kafkajs (gzip built in,
 * kafkajs-snappy, lz4 and zstd plugins) and @platformatic/kafka (its own gzip, snappy, lz4; zstd
 * only where node:zlib has it, Node >= 22.15). Each produced batch is stored as received (the
 * codec id is still in its attributes), is consumed by the other client, and reads back through
 * decodeMessages, the path AMQP and SQS take to topic records. librdkafka's batches (kcat -z) are
 * in kcat.test.ts.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { decompress as fzstdDecompress } from 'fzstd';
import { Partitioners } from 'kafkajs';
import { Consumer, Producer, compressionsAlgorithms, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { lz4Compress, lz4Decompress } from '@platformatic/wasm-utils';
import { zstdCompress } from '../../../../src/storage/codec/zstd.js';
import { readStored, startHarness, waitFor, type Harness } from './harness.js';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const { CompressionCodecs } = require('kafkajs') as { CompressionCodecs: Record<number, () => any> };
const SnappyCodec = require('kafkajs-snappy') as () => any;
const plugin = (compress: (b: Buffer) => Buffer, decompressFn: (b: Buffer) => Buffer) => () => ({
  compress: async (encoder: { buffer: Buffer }) => compress(encoder.buffer),
  decompress: async (buffer: Buffer) => decompressFn(buffer),
});

const CODECS = [
  ['none', 0],
  ['gzip', 1],
  ['snappy', 2],
  ['lz4', 3],
  ['zstd', 4],
] as const;


describe('kafka endpoint: every compression codec through real clients', () => {
  let h: Harness;
  const saved: Record<number, () => any> = {};
  before(async () => {
    h = await startHarness();
    Object.assign(saved, CompressionCodecs);
    CompressionCodecs[2] = SnappyCodec;
    CompressionCodecs[3] = plugin((b) => lz4Compress(b), (b) => lz4Decompress(b));
    CompressionCodecs[4] = plugin((b) => zstdCompress(b), (b) => Buffer.from(fzstdDecompress(b)));
  });
  after(async () => {
    for (const k of Object.keys(CompressionCodecs)) delete CompressionCodecs[Number(k)];
    Object.assign(CompressionCodecs, saved);
    await h.close();
  });

  async function consumePlatformatic(topic: string, n: number): Promise<string[]> {
    const consumer = new Consumer({
      groupId: `pk-${topic}`, clientId: 'pk-consumer', bootstrapBrokers: [h.bootstrap], deserializers: stringDeserializers,
      sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTime: 200,
    });
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const got: string[] = [];
    for await (const message of stream) {
      got.push(message.value as string);
      if (got.length === n) break;
    }
    await stream.close();
    await consumer.close();
    return got;
  }

  async function consumeKafkajs(topic: string, n: number): Promise<string[]> {
    const consumer = h.kafka().consumer({ groupId: `kjs-${topic}`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    await waitFor(() => got.length >= n, 15_000, `${topic} messages`);
    await consumer.disconnect();
    return got;
  }

  for (const [name, id] of CODECS) {
    const platformaticHas = (compressionsAlgorithms as Record<string, { available: boolean }>)[name]?.available === true;
    it(`${name}: kafkajs produces, ${platformaticHas ? '@platformatic/kafka' : 'kafkajs'} consumes, decodeMessages reads it`, async () => {
      const topic = `kjs-${name}`;
      await h.broker.vhost('/').createTopic(topic, { partitions: 1 });
      const values = Array.from({ length: 40 }, (_, i) => `${name} value ${i} ${'abc'.repeat(i)}`);
      const producer = h.kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic, compression: id, messages: values.map((value, i) => ({ key: `k${i}`, value, headers: { n: String(i) } })) });
      await producer.disconnect();

      const stored = await readStored(h.broker, topic);
      assert.deepEqual([...new Set(stored.codecs)], [id], 'stored as received');
      assert.deepEqual(stored.messages.map((m) => m.message.value?.toString()), values);
      assert.equal(stored.messages[7]!.message.key?.toString(), 'k7');
      assert.equal(stored.messages[7]!.message.headers[0]?.value?.toString(), '7');

      // @platformatic/kafka cannot decompress what it has no codec for: kafkajs consumes those.
      const got = platformaticHas ? await consumePlatformatic(topic, values.length) : await consumeKafkajs(topic, values.length);
      assert.deepEqual(got, values);
    });

    it(`${name}: @platformatic/kafka produces, kafkajs consumes, decodeMessages reads it`, { skip: platformaticHas ? false : `@platformatic/kafka has no ${name} on Node ${process.versions.node} (node:zlib zstd)` }, async () => {
      const topic = `pk-${name}`;
      await h.broker.vhost('/').createTopic(topic, { partitions: 1 });
      const values = Array.from({ length: 40 }, (_, i) => `${name} pk value ${i} ${'xyz'.repeat(i)}`);
      const producer = new Producer({ clientId: 'pk-producer', bootstrapBrokers: [h.bootstrap], serializers: stringSerializers });
      await producer.send({ compression: name, messages: values.map((value, i) => ({ topic, key: `k${i}`, value, headers: { n: String(i) } })) });
      await producer.close();

      const stored = await readStored(h.broker, topic);
      assert.deepEqual([...new Set(stored.codecs)], [id], 'stored as received');
      assert.deepEqual(stored.messages.map((m) => m.message.value?.toString()), values);
      assert.equal(stored.messages[3]!.message.key?.toString(), 'k3');

      const got = await consumeKafkajs(topic, values.length);
      assert.deepEqual(got, values);
    });
  }
});
