/**
 * Closing the Kafka endpoint closes its transaction-state log (it used to be left open, and a
 * broker restarted in-process leaked its file handles until garbage collection closed them):
 * operations under way finish and are durable first, later ones are refused, and the state is
 * all there after a restart.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Broker } from '../../../../src/core/broker/broker.js';
import { listenKafka } from '../../../../src/protocol/kafka/server/listener.js';
import { transactions } from '../../../../src/protocol/kafka/txn/service.js';
import { diskFs } from '../../../../src/storage/fs/disk.js';
import type { StorageFile, StorageFs } from '../../../../src/storage/fs/types.js';
import { tempDir } from '../../../helpers/tmp.js';

/** diskFs, keeping the paths of the files it has open. */
function trackingFs(): { fs: StorageFs; open: Map<StorageFile, string> } {
  const open = new Map<StorageFile, string>();
  const fs: StorageFs = Object.create(diskFs) as StorageFs;
  fs.open = async (path, mode) => {
    const f = await diskFs.open(path, mode);
    open.set(f, path);
    const close = f.close.bind(f);
    f.close = async () => {
      open.delete(f);
      await close();
    };
    return f;
  };
  return { fs, open };
}

const stateFiles = (open: Map<StorageFile, string>): string[] => [...open.values()].filter((p) => p.includes('kafka-transaction-state'));

test('the transaction-state log is closed with the endpoint, after the operations under way', async () => {
  const tmp = await tempDir();
  const { fs, open } = trackingFs();
  let broker = await Broker.open({ dataDir: tmp.dir, fs });
  let listener = await listenKafka(broker, { port: 0 });
  try {
    const kafka = new Kafka({ brokers: [`127.0.0.1:${listener.port}`], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } });
    await broker.vhost('/').createTopic('tx-close');
    const producer = kafka.producer({ transactionalId: 'closing-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({ topic: 'tx-close', messages: [{ value: 'committed' }] });
    await tx.commit();
    await producer.disconnect();
    assert.ok(stateFiles(open).length > 0, 'the state log is open');

    // An operation under way when the endpoint closes completes, and is stored.
    const { coordinator } = await transactions(listener.context);
    const late = coordinator.initProducerId('late-tx', 60_000);
    await listener.close();
    const init = await late;
    assert.equal(init.errorCode, 0);
    assert.deepEqual(stateFiles(open), [], 'closed with the endpoint');
    await assert.rejects(transactions(listener.context), /closed/, 'no state log is opened again behind a closed endpoint');
    await broker.close();
    assert.deepEqual([...open.values()], [], 'every file is closed');

    broker = await Broker.open({ dataDir: tmp.dir, fs });
    listener = await listenKafka(broker, { port: 0 });
    const { coordinator: again } = await transactions(listener.context);
    assert.equal(again.get('late-tx')?.producerId, init.producerId, 'the late operation was durable');
    assert.equal(again.get('closing-tx')?.lastResult, 'commit');
    await listener.close();
    await broker.close();
    assert.deepEqual([...open.values()], []);
  } finally {
    await listener.close();
    await broker.close();
    await tmp.cleanup();
  }
});
