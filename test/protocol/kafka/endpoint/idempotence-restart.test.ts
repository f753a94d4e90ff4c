/**
 * Idempotent producer state across a restart, for a log of any length: a kafkajs producer's
 * batch is followed by more than 10,000 records of another producer (past the window the old
 * tail rebuild looked at), the broker restarts, and a retry of that batch (its exact bytes, read
 * back from the log) must be answered with its original offset and not stored twice, while the
 * producer's next sequence is accepted and a gap is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Broker } from '../../../../src/core/broker/broker.js';
import { Produce } from '../../../../src/protocol/kafka/api/produce.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { listenKafka, type KafkaListener } from '../../../../src/protocol/kafka/server/listener.js';
import { encodeBatch, forEachBatch, LOG_OVERHEAD, readBatchHeader } from '../../../../src/storage/codec/record-batch.js';
import type { Log } from '../../../../src/storage/types.js';
import { tempDir } from '../../../helpers/tmp.js';
import { RawClient } from './raw-client.js';

const TOPIC = 'idem-long';

async function produce(port: number, records: Buffer): Promise<{ errorCode: number; baseOffset: number }> {
  const c = await RawClient.open(port);
  try {
    c.send(Produce, 9, { acks: -1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] });
    return (await c.receive(Produce, 9)).body.responses[0]!.partitionResponses[0]!;
  } finally {
    c.close();
  }
}

/** The stored batch that holds `offset`: its bytes as kafkajs sent them (bar the base offset). */
async function storedBatch(log: Log, offset: number): Promise<Buffer> {
  const { bytes } = await log.read(offset, 1);
  let out: Buffer | null = null;
  forEachBatch(bytes, (h, pos) => {
    if (out === null) out = Buffer.from(bytes.subarray(pos, pos + LOG_OVERHEAD + h.batchLength));
  });
  return out!;
}

test('a retry of a batch followed by > 10,000 records is a duplicate after a restart; the next sequence is accepted, a gap refused', async () => {
  const tmp = await tempDir();
  const open = async (port = 0): Promise<{ broker: Broker; listener: KafkaListener }> => {
    // Small segments, so the records span several and the state comes from roll-time snapshots.
    const broker = await Broker.open({ dataDir: tmp.dir, segmentMaxBytes: 32 * 1024 });
    return { broker, listener: await listenKafka(broker, { port }) };
  };
  let { broker, listener } = await open();
  const port = listener.port;
  const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 } });
  const a = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  const b = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await broker.vhost('/').createTopic(TOPIC, { partitions: 1 });
    const log = () => broker.vhost('/').topic(TOPIC).partition(0);
    await a.connect();
    await a.send({ topic: TOPIC, acks: -1, messages: [{ value: 'a0' }, { value: 'a1' }] });
    const [last] = await a.send({ topic: TOPIC, acks: -1, messages: [{ value: 'a2' }, { value: 'a3' }, { value: 'a4' }] });
    const lastOffset = Number(last!.baseOffset);
    const retry = await storedBatch(log(), lastOffset);
    const h = readBatchHeader(retry, 0);
    assert.ok(h.producerId >= 0 && h.baseSequence === 2 && h.recordCount === 3, 'kafkajs sent an idempotent batch');

    await b.connect();
    for (let i = 0; i < 12; i++) {
      await b.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 1000 }, (_, j) => ({ value: `b${i}-${j}` })) });
    }
    const end = log().nextOffset;
    assert.equal(end, 12_005);
    assert.ok((log() as unknown as { segments: unknown[] }).segments.length > 2, 'several segments');
    await b.disconnect();

    await listener.close();
    await broker.close();
    ({ broker, listener } = await open(port));

    const again = await produce(port, Buffer.from(retry));
    assert.deepEqual([again.errorCode, again.baseOffset], [KafkaError.NONE, lastOffset], 'acknowledged with its original offset');
    assert.equal(log().nextOffset, end, 'not appended a second time');

    // The same kafkajs producer, reconnected to the restarted broker, goes on with its next sequence.
    await a.send({ topic: TOPIC, acks: -1, messages: [{ value: 'a5' }] });
    assert.equal(log().nextOffset, end + 1);
    const next = readBatchHeader(await storedBatch(log(), end), 0);
    assert.deepEqual([next.producerId, next.producerEpoch, next.baseSequence], [h.producerId, h.producerEpoch, 5]);

    const forged = (seq: number) => encodeBatch([{ key: null, value: Buffer.from(`forged-${seq}`), timestamp: Date.now() }], { producerId: h.producerId, producerEpoch: h.producerEpoch, baseSequence: seq });
    const gap = await produce(port, forged(8));
    assert.equal(gap.errorCode, KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER, 'a gap is refused');
    const ok = await produce(port, forged(6));
    assert.deepEqual([ok.errorCode, ok.baseOffset], [KafkaError.NONE, end + 1], 'the next sequence is accepted');
    assert.equal(log().nextOffset, end + 2);
  } finally {
    await a.disconnect().catch(() => undefined);
    await listener.close();
    await broker.close();
    await tmp.cleanup();
  }
});
