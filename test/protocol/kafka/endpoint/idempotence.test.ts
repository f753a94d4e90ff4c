import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Partitioners } from 'kafkajs';
import { InitProducerId } from '../../../../src/protocol/kafka/api/init-producer-id.js';
import { Produce } from '../../../../src/protocol/kafka/api/produce.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { makeMessage } from '../../../../src/core/message.js';
import { encodeBatch } from '../../../../src/storage/codec/record-batch.js';
import { RawClient } from './raw-client.js';
import { startHarness, type Harness } from './harness.js';

describe('idempotent producers', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.broker.vhost('/').createTopic('idem', { partitions: 1 });
  });
  after(async () => {
    await h.close();
  });

  it('a retried batch gets its original offset; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER; an old epoch is refused', async () => {
    const c = await RawClient.open(h.listener.port);
    c.send(InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
    const init = await c.receive(InitProducerId, 4);
    assert.equal(init.body.errorCode, 0);
    const pid = init.body.producerId;
    const batch = (seq: number, n: number, epoch = 0) =>
      encodeBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`s${seq + i}`), timestamp: Date.now() })), { producerId: pid, producerEpoch: epoch, baseSequence: seq });
    const produce = async (records: Buffer) => {
      c.send(Produce, 9, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'idem', partitionData: [{ index: 0, records }] }] });
      return (await c.receive(Produce, 9)).body.responses[0]!.partitionResponses[0]!;
    };
    const first = await produce(batch(0, 3));
    assert.equal(first.errorCode, 0);
    assert.equal(first.baseOffset, 0);
    const second = await produce(batch(3, 2));
    assert.equal(second.baseOffset, 3);
    const retry = await produce(batch(0, 3));
    assert.equal(retry.errorCode, 0);
    assert.equal(retry.baseOffset, 0, 'the duplicate is answered with its original offset');
    const gap = await produce(batch(9, 1));
    assert.equal(gap.errorCode, KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const bumped = await produce(batch(0, 1, 1));
    assert.equal(bumped.errorCode, 0, 'a new epoch starts its sequences over');
    const stale = await produce(batch(5, 1, 0));
    assert.equal(stale.errorCode, KafkaError.INVALID_PRODUCER_EPOCH);
    assert.equal(h.broker.vhost('/').topic('idem').partition(0).nextOffset, 6);
    c.close();
  });

  it('a retry after a failed forward to a bound queue is not appended twice, and reaches the queue', async () => {
    const v = h.broker.vhost('/');
    await v.createTopic('idem-fwd', { partitions: 1 });
    await v.declareQueue('idem-fwd-q', { options: { maxLength: 1, overflow: 'reject-publish' } });
    await v.bind('amq.kafka.idem-fwd', { kind: 'queue', name: 'idem-fwd-q' }, '#');
    await v.publish('', 'idem-fwd-q', makeMessage('filler')); // the queue is full
    const c = await RawClient.open(h.listener.port);
    const records = encodeBatch([{ key: null, value: Buffer.from('once'), timestamp: Date.now() }], { producerId: 77_001, producerEpoch: 0, baseSequence: 0 });
    const produce = async () => {
      c.send(Produce, 9, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'idem-fwd', partitionData: [{ index: 0, records: Buffer.from(records) }] }] });
      return (await c.receive(Produce, 9)).body.responses[0]!.partitionResponses[0]!;
    };
    const first = await produce();
    assert.notEqual(first.errorCode, 0, 'the forward to the full queue failed');
    assert.equal(v.topic('idem-fwd').partition(0).nextOffset, 1, 'the record is in the log');
    await v.queue('idem-fwd-q').purge();
    const retry = await produce();
    assert.deepEqual([retry.errorCode, retry.baseOffset], [0, 0], 'the retry is a duplicate');
    assert.equal(v.topic('idem-fwd').partition(0).nextOffset, 1, 'not appended twice');
    const got = await v.queue('idem-fwd-q').receive({ max: 10, waitMs: 0 });
    assert.deepEqual(got.map((d) => d.message.value!.toString()), ['once'], 'and now in the queue');
    c.close();
  });

  it('kafkajs with idempotent: true produces exactly once', async () => {
    const producer = h.kafka().producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const before = h.broker.vhost('/').topic('idem').partition(0).nextOffset;
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'idem', acks: -1, messages: [{ value: `k${i}` }, { value: `k${i}b` }] });
    await producer.disconnect();
    assert.equal(h.broker.vhost('/').topic('idem').partition(0).nextOffset - before, 10);
  });

  it('a transactional producer gets a transaction (transactions: transactions.test.ts)', async () => {
    const producer = h.kafka({ retry: { retries: 1, initialRetryTime: 20, maxRetryTime: 50 } }).producer({ transactionalId: 'tx-1', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.abort();
    await producer.disconnect();
  });
});
