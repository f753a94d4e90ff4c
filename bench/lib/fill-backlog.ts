/**
 * Child process of startup.bench: fills a data directory through an embedded broker, then
 * prints "filled" and waits to be killed (kill -9: the restart recovers from a crash) or
 * stopped (SIGTERM: a clean stop first).
 *
 *   node fill-backlog.js <dataDir> <queueMessages> <topicRecords> <topicPartitions> <bytes> [acks]
 *
 * `acks` of the queue's messages are then received and acknowledged, every other one (so the
 * settled ones are scattered), leaving a journal of acks for recovery to replay.
 *
 * Messages are published in windows of concurrent publishes, so group commit batches them as a
 * busy broker would; fsync is the default (always).
 */
import { Broker } from '../../src/core/broker/broker.js';
import { makeMessage } from '../../src/core/message.js';
import { encodeBatch } from '../../src/storage/codec/record-batch.js';

const [dataDir, queueMessages, topicRecords, topicPartitions, bytes, acks] = process.argv.slice(2);
if (dataDir === undefined) throw new Error('usage: fill-backlog <dataDir> <queueMessages> <topicRecords> <topicPartitions> <bytes>');
const nQueue = Number(queueMessages ?? 0);
const nTopic = Number(topicRecords ?? 0);
const partitions = Number(topicPartitions ?? 1);
const size = Number(bytes ?? 100);
const nAcks = Number(acks ?? 0);
const WINDOW = 1000;
const RECORDS_PER_BATCH = 100;

const broker = await Broker.open({ dataDir });
const v = broker.vhost('/');
const body = Buffer.alloc(size, 0x61);
if (nQueue > 0) {
  await v.declareQueue('backlog');
  for (let i = 0; i < nQueue; i += WINDOW) {
    const pending: Promise<unknown>[] = [];
    for (let k = i; k < Math.min(nQueue, i + WINDOW); k++) pending.push(v.publish('', 'backlog', makeMessage(body)));
    await Promise.all(pending);
  }
}
if (nAcks > 0) {
  const q = v.queue('backlog');
  let acked = 0;
  while (acked < nAcks) {
    const ds = await q.receive({ max: 1000, waitMs: 0, visibilityTimeoutMs: 3_600_000 });
    if (ds.length === 0) break;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < ds.length; i++) {
      if (i % 2 === 0 && acked < nAcks) {
        pending.push(q.ackDurable(ds[i]!.leaseId));
        acked++;
      } else q.nack(ds[i]!.leaseId, true);
    }
    await Promise.all(pending);
  }
}
if (nTopic > 0) {
  const topic = v.hasTopic('big') ? v.topic('big') : await v.createTopic('big', { partitions });
  const now = Date.now();
  const batch = encodeBatch(Array.from({ length: RECORDS_PER_BATCH }, () => ({ key: null, value: body, timestamp: now })));
  for (let i = 0; i < nTopic; i += RECORDS_PER_BATCH * partitions * 10) {
    const pending: Promise<unknown>[] = [];
    for (let k = 0; k < 10; k++) for (let p = 0; p < partitions; p++) pending.push(topic.appendBatch(p, batch));
    await Promise.all(pending);
  }
}
process.stdout.write('filled\n');
process.once('SIGTERM', () => {
  void broker.close().then(() => process.exit(0));
});
setInterval(() => undefined, 1 << 30);
