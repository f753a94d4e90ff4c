/**
 * Fetch keeps within the request's maxBytes and each partition's partitionMaxBytes, except that
 * the first partition with data returns its first batch whole however large (KIP-74), as Kafka.
 * Clients size their receive buffers on these limits (librdkafka refuses a larger response).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Fetch } from '../../../../src/protocol/kafka/api/fetch.js';
import { Produce } from '../../../../src/protocol/kafka/api/produce.js';
import { encodeBatch } from '../../../../src/storage/codec/record-batch.js';
import { RawClient } from './raw-client.js';
import { startHarness, type Harness } from './harness.js';

const TOPIC = 'fetch-limits';
const VALUE_BYTES = 100_000;

describe('Fetch size limits', () => {
  let h: Harness;
  let c: RawClient;
  /** Stored size of each batch, by partition: partitions 0 and 1 hold two batches, 2 holds one. */
  const sizes: number[][] = [[], [], []];
  before(async () => {
    h = await startHarness();
    await h.broker.vhost('/').createTopic(TOPIC, { partitions: 3 });
    c = await RawClient.open(h.listener.port);
    for (const [p, n] of [[0, 2], [1, 2], [2, 1]] as const) {
      for (let i = 0; i < n; i++) {
        const records = encodeBatch([{ key: null, value: Buffer.alloc(VALUE_BYTES, 65 + p), timestamp: Date.now() }]);
        sizes[p]!.push(records.length);
        c.send(Produce, 9, { acks: -1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: p, records }] }] });
        assert.equal((await c.receive(Produce, 9)).body.responses[0]!.partitionResponses[0]!.errorCode, 0);
      }
    }
  });
  after(async () => {
    c.close();
    await h.close();
  });

  /** Bytes of records returned per partition, in the order asked. */
  async function fetch(maxBytes: number, partitionMaxBytes: number, order = [0, 1, 2]): Promise<number[]> {
    c.send(Fetch, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: TOPIC, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: order.map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes })) }],
      forgottenTopicsData: [], rackId: '',
    });
    const r = (await c.receive(Fetch, 11)).body;
    return r.responses[0]!.partitions.map((p) => p.records?.length ?? 0);
  }

  it('no limit reached: every batch of every partition', async () => {
    assert.deepEqual(await fetch(10_000_000, 10_000_000), sizes.map((s) => s[0]! + (s[1] ?? 0)));
  });

  it('maxBytes: whole batches while they fit; a partition whose next batch does not fit returns nothing', async () => {
    const [a0, a1] = sizes[0]!;
    const [b0] = sizes[1]!;
    // Room for partition 0's two batches and not for partition 1's first: partition 2's (the
    // same size) does not fit either.
    assert.deepEqual(await fetch(a0! + a1! + b0! - 1, 10_000_000), [a0! + a1!, 0, 0]);
    // Room for one batch and a half: partition 0's first only.
    assert.deepEqual(await fetch(a0! + Math.floor(a1! / 2), 10_000_000), [a0!, 0, 0]);
  });

  it('the first partition with data returns its first batch even when larger than maxBytes (KIP-74), and nothing else', async () => {
    assert.deepEqual(await fetch(100, 10_000_000), [sizes[0]![0]!, 0, 0]);
    assert.deepEqual(await fetch(100, 10_000_000, [2, 0, 1]), [sizes[2]![0]!, 0, 0]);
  });

  it('partitionMaxBytes: one batch for the first partition with data, nothing for a later one whose batch is larger', async () => {
    assert.deepEqual(await fetch(10_000_000, 100), [sizes[0]![0]!, 0, 0]);
    // Each partition's limit fits exactly one batch.
    assert.deepEqual(await fetch(10_000_000, sizes[0]![0]!), [sizes[0]![0]!, sizes[1]![0]!, sizes[2]![0]!]);
  });
});
