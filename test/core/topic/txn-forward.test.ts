/**
 * Topic records forwarded to queues bound to amq.kafka.<topic> are what a read_committed
 * consumer sees: transactional records only once committed (also when the commit is completed
 * after a restart), never aborted or open ones, never markers; other records at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Broker } from '../../../src/core/broker/broker.js';
import { controlKey, controlValue, encodeBatch, type EncodeBatchOptions } from '../../../src/storage/codec/record-batch.js';
import { tempDir } from '../../helpers/tmp.js';

const q = (name: string) => ({ kind: 'queue' as const, name });

function records(values: string[], opts: EncodeBatchOptions = {}): Buffer {
  return encodeBatch(values.map((v) => ({ key: Buffer.from(`k.${v}`), value: Buffer.from(v) })), opts);
}
const txnData = (pid: number, values: string[], compression: EncodeBatchOptions['compression'] = 'none') =>
  records(values, { producerId: pid, producerEpoch: 0, baseSequence: 0, transactional: true, compression });
const marker = (pid: number, commit: boolean) =>
  encodeBatch([{ key: controlKey(commit), value: controlValue(0) }], { producerId: pid, producerEpoch: 0, baseSequence: -1, transactional: true, control: true });

async function drain(b: Broker, queue: string): Promise<string[]> {
  const ds = await b.vhost('/').queue(queue).receive({ max: 100, waitMs: 0 });
  for (const d of ds) b.vhost('/').queue(queue).ack(d.leaseId);
  return ds.map((d) => d.message.value!.toString());
}

test('transactional records reach bound queues once committed, never when aborted or open', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    let b = await Broker.open({ dataDir: dir });
    const v = b.vhost('/');
    await v.createTopic('orders', { partitions: 1 });
    await v.declareQueue('orders-work');
    await v.bind('amq.kafka.orders', q('orders-work'), '#');
    let topic = v.topic('orders');

    await topic.appendBatch(0, txnData(7, ['t7-a', 't7-b']));
    await topic.appendBatch(0, records(['plain-1']));
    assert.deepEqual(await drain(b, 'orders-work'), ['plain-1'], 'plain records at once, not held behind the open transaction');
    await topic.appendBatch(0, txnData(8, ['t8-aborted']));
    await topic.appendBatch(0, txnData(7, ['t7-c'], 'gzip'));
    await topic.appendBatch(0, marker(8, false));
    assert.deepEqual(await drain(b, 'orders-work'), [], 'an abort forwards nothing');
    await topic.appendBatch(0, marker(7, true));
    assert.deepEqual(await drain(b, 'orders-work'), ['t7-a', 't7-b', 't7-c'], 'the commit forwards the transaction, compressed batches too');

    // The broker stops with a transaction open in the log; after the restart the coordinator
    // completes its commit (a PrepareCommit it had recorded) by writing the marker then.
    await topic.appendBatch(0, txnData(9, ['t9-a']));
    await topic.appendBatch(0, records(['plain-2']));
    await topic.appendBatch(0, txnData(9, ['t9-b']));
    assert.deepEqual(await drain(b, 'orders-work'), ['plain-2']);
    await b.close();
    b = await Broker.open({ dataDir: dir });
    topic = b.vhost('/').topic('orders');
    await topic.appendBatch(0, marker(9, true));
    assert.deepEqual(await drain(b, 'orders-work'), ['t9-a', 't9-b']);
    await topic.appendBatch(0, marker(9, true)); // a repeated marker: the transaction is closed already
    assert.deepEqual(await drain(b, 'orders-work'), []);
    assert.equal(topic.partition(0).transactions!.lastStableOffset(), topic.partition(0).nextOffset);
    await b.close();
  } finally {
    await cleanup();
  }
});
