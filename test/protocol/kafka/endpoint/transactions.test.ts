import assert from 'node:assert/strict';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Broker } from '../../../../src/core/broker/broker.js';
import { Fetch } from '../../../../src/protocol/kafka/api/fetch.js';
import { ListOffsets } from '../../../../src/protocol/kafka/api/list-offsets.js';
import { listenKafka } from '../../../../src/protocol/kafka/server/listener.js';
import { tempDir } from '../../../helpers/tmp.js';
import { RawClient } from './raw-client.js';
import { startHarness, waitFor, type Harness } from './harness.js';

let groupSeq = 0;

/** Every value a fresh consumer group reads from the beginning of `topic`, once `until` holds. */
async function readAll(kafka: Kafka, topic: string, readUncommitted: boolean, until: (vals: string[]) => boolean): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${groupSeq++}`, readUncommitted, maxWaitTimeInMs: 50, sessionTimeout: 6000, heartbeatInterval: 500 });
  const got: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    await waitFor(() => until(got), 10_000, `messages of ${topic}`);
    return got;
  } finally {
    await consumer.disconnect();
  }
}

function txProducer(kafka: Kafka, id: string, transactionTimeout = 10_000): Producer {
  return kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1, transactionTimeout });
}

async function listLatest(port: number, topic: string, isolationLevel: number): Promise<number> {
  const c = await RawClient.open(port);
  try {
    c.send(ListOffsets, 3, { replicaId: -1, isolationLevel, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] } as never);
    return (await c.receive(ListOffsets, 3)).body.topics[0]!.partitions[0]!.offset;
  } finally {
    c.close();
  }
}

describe('kafka transactions', () => {
  let h: Harness;
  let kafka: Kafka;
  before(async () => {
    h = await startHarness();
    kafka = h.kafka();
    for (const t of ['tx-commit', 'tx-abort', 'tx-lso', 'ctp-src', 'ctp-dst', 'tx-zombie']) await h.broker.vhost('/').createTopic(t, { partitions: t === 'tx-commit' ? 2 : 1 });
  });
  after(async () => {
    await h.close();
  });

  it('committed messages are seen by read_committed consumers', async () => {
    const p = txProducer(kafka, 'tx-commit-id');
    await p.connect();
    const tx = await p.transaction();
    await tx.send({ topic: 'tx-commit', messages: [{ key: 'a', value: 'c1' }, { key: 'b', value: 'c2' }, { key: 'c', value: 'c3' }] });
    await tx.commit();
    await p.disconnect();
    const got = await readAll(kafka, 'tx-commit', false, (v) => v.length >= 3);
    assert.deepEqual([...got].sort(), ['c1', 'c2', 'c3']);
  });

  it('aborted messages are hidden from read_committed, seen by read_uncommitted', async () => {
    const p = txProducer(kafka, 'tx-abort-id');
    await p.connect();
    const t1 = await p.transaction();
    await t1.send({ topic: 'tx-abort', messages: [{ value: 'a1' }, { value: 'a2' }] });
    await t1.abort();
    const t2 = await p.transaction();
    await t2.send({ topic: 'tx-abort', messages: [{ value: 'ok' }] });
    await t2.commit();
    await p.disconnect();
    const committed = await readAll(kafka, 'tx-abort', false, (v) => v.includes('ok'));
    assert.deepEqual(committed, ['ok']);
    const uncommitted = await readAll(kafka, 'tx-abort', true, (v) => v.includes('ok'));
    assert.deepEqual(uncommitted, ['a1', 'a2', 'ok']);

    // The raw answer: the aborted transaction is listed for read_committed, not for read_uncommitted.
    const c = await RawClient.open(h.listener.port);
    const fetch = async (isolationLevel: number) => {
      c.send(Fetch, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: 'tx-abort', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [], rackId: '',
      } as never);
      return (await c.receive(Fetch, 11)).body.responses[0]!.partitions[0]!;
    };
    const rc = await fetch(1);
    assert.equal(rc.abortedTransactions?.length, 1);
    assert.equal(rc.abortedTransactions![0]!.firstOffset, 0);
    assert.equal(rc.lastStableOffset, rc.highWatermark);
    const ru = await fetch(0);
    assert.equal(ru.abortedTransactions, null);
    c.close();
  });

  it('an open transaction holds the last stable offset; read_committed waits for the commit', async () => {
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: 'tx-lso', messages: [{ value: 'before' }] });
    const p = txProducer(kafka, 'tx-lso-id');
    await p.connect();
    const tx = await p.transaction();
    await tx.send({ topic: 'tx-lso', messages: [{ value: 'in-tx' }] });
    await plain.send({ topic: 'tx-lso', messages: [{ value: 'after' }] });
    assert.equal(await listLatest(h.listener.port, 'tx-lso', 0), 3);
    assert.equal(await listLatest(h.listener.port, 'tx-lso', 1), 1, 'LSO = first offset of the open transaction');
    const early = await readAll(kafka, 'tx-lso', false, (v) => v.includes('before'));
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(early, ['before']);
    await tx.commit();
    assert.equal(await listLatest(h.listener.port, 'tx-lso', 1), 4, 'after the commit marker the LSO is the high watermark');
    const all = await readAll(kafka, 'tx-lso', false, (v) => v.includes('after'));
    assert.deepEqual(all, ['before', 'in-tx', 'after']);
    await p.disconnect();
    await plain.disconnect();
  });

  it('sendOffsets within a transaction commits the offsets only on commit', async () => {
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: 'ctp-src', messages: [1, 2, 3, 4, 5].map((i) => ({ value: `s${i}` })) });
    await plain.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const committedOffset = async () => (await admin.fetchOffsets({ groupId: 'ctp-group', topics: ['ctp-src'] }))[0]!.partitions[0]!.offset;
    const p = txProducer(kafka, 'ctp-id');
    await p.connect();

    const t1 = await p.transaction();
    await t1.send({ topic: 'ctp-dst', messages: [{ value: 'S1' }, { value: 'S2' }, { value: 'S3' }] });
    await t1.sendOffsets({ consumerGroupId: 'ctp-group', topics: [{ topic: 'ctp-src', partitions: [{ partition: 0, offset: '3' }] }] });
    assert.equal(await committedOffset(), '-1', 'not visible before the commit');
    await t1.commit();
    assert.equal(await committedOffset(), '3');

    const t2 = await p.transaction();
    await t2.send({ topic: 'ctp-dst', messages: [{ value: 'S4' }] });
    await t2.sendOffsets({ consumerGroupId: 'ctp-group', topics: [{ topic: 'ctp-src', partitions: [{ partition: 0, offset: '5' }] }] });
    await t2.abort();
    assert.equal(await committedOffset(), '3', 'dropped on abort');
    await p.disconnect();
    await admin.disconnect();
    const out = await readAll(kafka, 'ctp-dst', false, (v) => v.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(out, ['S1', 'S2', 'S3']);
  });

  it('a second producer with the same transactional id fences the first', async () => {
    const zombie = txProducer(kafka, 'zombie-id');
    await zombie.connect();
    const zt = await zombie.transaction();
    await zt.send({ topic: 'tx-zombie', messages: [{ value: 'zombie-1' }] });

    const fresh = txProducer(kafka, 'zombie-id');
    await fresh.connect();
    const ft = await fresh.transaction(); // kafkajs's InitProducerId: bumps the epoch, aborting the zombie's transaction
    await assert.rejects(zt.send({ topic: 'tx-zombie', messages: [{ value: 'zombie-2' }] }));
    await assert.rejects(zt.commit());
    await ft.send({ topic: 'tx-zombie', messages: [{ value: 'fresh' }] });
    await ft.commit();
    const got = await readAll(kafka, 'tx-zombie', false, (v) => v.includes('fresh'));
    assert.deepEqual(got, ['fresh']);
    await fresh.disconnect();
    await zombie.disconnect().catch(() => undefined);
  });

  it('a transaction past its timeout is aborted and its producer fenced', async () => {
    await h.broker.vhost('/').createTopic('tx-timeout', { partitions: 1 });
    const p = txProducer(kafka, 'timeout-id', 300);
    await p.connect();
    const tx = await p.transaction();
    await tx.send({ topic: 'tx-timeout', messages: [{ value: 'late' }] });
    await new Promise((r) => setTimeout(r, 700));
    await assert.rejects(tx.commit());
    assert.equal(await listLatest(h.listener.port, 'tx-timeout', 1), 2, 'the abort marker ends the transaction');
    const got = await readAll(kafka, 'tx-timeout', true, (v) => v.includes('late'));
    assert.deepEqual(got, ['late']);
    await p.disconnect().catch(() => undefined);
  });
});

test('after a restart, the open transaction of a dead producer is aborted by the next InitProducerId', async () => {
  const tmp = await tempDir();
  const clientOf = (port: number) => new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } });
  try {
    let broker = await Broker.open({ dataDir: tmp.dir });
    await broker.vhost('/').createTopic('tx-restart', { partitions: 1 });
    let listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
    const dead = txProducer(clientOf(listener.port), 'restart-id');
    await dead.connect();
    const tx = await dead.transaction();
    await tx.send({ topic: 'tx-restart', messages: [{ value: 'lost' }] });
    // The producer dies with its transaction open; the broker restarts.
    await dead.disconnect().catch(() => undefined);
    await listener.close();
    await broker.close();

    broker = await Broker.open({ dataDir: tmp.dir });
    listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
    try {
      assert.equal(await listLatest(listener.port, 'tx-restart', 1), 0, 'the rebuilt index knows the open transaction');
      const kafka = clientOf(listener.port);
      const next = txProducer(kafka, 'restart-id');
      await next.connect();
      const t2 = await next.transaction(); // kafkajs's InitProducerId
      assert.equal(await listLatest(listener.port, 'tx-restart', 1), 2, 'aborted: LSO = high watermark');
      await t2.send({ topic: 'tx-restart', messages: [{ value: 'kept' }] });
      await t2.commit();
      await next.disconnect();
      const got = await readAll(kafka, 'tx-restart', false, (v) => v.includes('kept'));
      assert.deepEqual(got, ['kept']);
    } finally {
      await listener.close();
      await broker.close();
    }
    // Once more: the aborted-transaction index is rebuilt from the control batches in the log.
    broker = await Broker.open({ dataDir: tmp.dir });
    listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
    try {
      const kafka = clientOf(listener.port);
      assert.equal(await listLatest(listener.port, 'tx-restart', 1), 4);
      assert.deepEqual(await readAll(kafka, 'tx-restart', false, (v) => v.includes('kept')), ['kept']);
      assert.deepEqual(await readAll(kafka, 'tx-restart', true, (v) => v.includes('kept')), ['lost', 'kept']);
    } finally {
      await listener.close();
      await broker.close();
    }
  } finally {
    await tmp.cleanup();
  }
});

test('after a restart, read_committed hides aborted transactions however much was written after them', async () => {
  const tmp = await tempDir();
  const clientOf = (port: number) => new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } });
  // 4 MiB segments: the early abort ends up in a sealed segment, found through its .txnindex.
  const open = () => Broker.open({ dataDir: tmp.dir, segmentMaxBytes: 4 * 1024 * 1024 });
  const PLAIN = 101_000;
  const BIG = 33;
  try {
    let broker = await open();
    await broker.vhost('/').createTopic('tx-long', { partitions: 1 });
    let listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
    const kafka = clientOf(listener.port);
    const p = txProducer(kafka, 'tx-long-id');
    await p.connect();
    const early = await p.transaction();
    await early.send({ topic: 'tx-long', messages: [{ value: 'aborted-early-1' }, { value: 'aborted-early-2' }] });
    await early.abort();
    // More than 100,000 records and more than 32 MiB after it: past any tail window.
    const plain = kafka.producer();
    await plain.connect();
    for (let i = 0; i < PLAIN; i += 10_000) {
      await plain.send({ topic: 'tx-long', messages: Array.from({ length: Math.min(10_000, PLAIN - i) }, (_, j) => ({ value: `v${i + j}` })) });
    }
    const mib = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < BIG; i += 3) await plain.send({ topic: 'tx-long', messages: [0, 1, 2].slice(0, BIG - i).map(() => ({ value: mib })) });
    await plain.disconnect();
    const late = await p.transaction();
    await late.send({ topic: 'tx-long', messages: [{ value: 'aborted-late' }] });
    await late.abort();
    const last = await p.transaction();
    await last.send({ topic: 'tx-long', messages: [{ value: 'committed-last' }] });
    await last.commit();
    await p.disconnect();
    await listener.close();
    await broker.close();

    const partitionDir = async (): Promise<string> => {
      const found = (await readdir(tmp.dir, { recursive: true })).filter((n) => n.endsWith('.txnindex'));
      assert.ok(found.length >= 9, `${found.length} .txnindex files`);
      return join(tmp.dir, found[0]!, '..');
    };
    const check = async (what: string) => {
      broker = await open();
      listener = await listenKafka(broker, { port: 0, groupInitialRebalanceDelayMs: 0 });
      try {
        const hw = broker.vhost('/').topic('tx-long').partition(0).nextOffset;
        assert.equal(await listLatest(listener.port, 'tx-long', 1), hw, `${what}: nothing open, LSO = high watermark`);
        const consumer = clientOf(listener.port).consumer({ groupId: `long-${what}`, maxWaitTimeInMs: 50, maxBytes: 16 << 20 });
        let count = 0;
        let big = 0;
        const shown: string[] = [];
        await consumer.connect();
        try {
          await consumer.subscribe({ topic: 'tx-long', fromBeginning: true });
          await consumer.run({
            eachBatch: async ({ batch }) => {
              for (const m of batch.messages) {
                count++;
                if (m.value!.length === mib.length) big++;
                else if (!m.value!.toString().startsWith('v')) shown.push(m.value!.toString());
              }
            },
          });
          await waitFor(() => shown.includes('committed-last'), 30_000, `${what}: the whole partition`);
        } finally {
          await consumer.disconnect();
        }
        assert.deepEqual(shown, ['committed-last'], `${what}: no aborted record`);
        assert.equal(count, PLAIN + BIG + 1);
        assert.equal(big, BIG);
      } finally {
        await listener.close();
        await broker.close();
      }
    };
    await check('reopened');
    // Without any .txnindex (as a log written by an older Hopper): rebuilt from the whole log.
    const dir = await partitionDir();
    for (const n of await readdir(dir)) if (n.endsWith('.txnindex')) await unlink(join(dir, n));
    await check('rebuilt');
  } finally {
    await tmp.cleanup();
  }
});
