import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { fencedAs, TxnCoordinator, type TopicPartition, type TxnRecord } from '../../../../src/protocol/kafka/txn/coordinator.js';
import type { OffsetCommit } from '../../../../src/core/topic/group-offsets.js';

function setup(records: TxnRecord[] = []) {
  let now = 1_000;
  let nextPid = 100;
  const persisted: TxnRecord[] = [];
  const markers: { producerId: number; epoch: number; partitions: TopicPartition[]; commit: boolean }[] = [];
  const committed: { group: string; commits: OffsetCommit[] }[] = [];
  const co = new TxnCoordinator({ now: () => now }, {
    allocateProducerId: () => nextPid++,
    persist: async (r) => void persisted.push(structuredClone(r)),
    writeMarkers: async (producerId, epoch, partitions, commit) => void markers.push({ producerId, epoch, partitions: [...partitions], commit }),
    commitOffsets: async (group, commits) => void committed.push({ group, commits: [...commits] }),
  });
  co.recover(records);
  return { co, persisted, markers, committed, advance: (ms: number) => (now += ms) };
}

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

describe('transaction coordinator', () => {
  it('Empty → Ongoing → commit writes markers, commits offsets, returns to Empty', async () => {
    const { co, markers, committed, persisted } = setup();
    const init = await co.initProducerId('t', 10_000);
    assert.deepEqual(init, { errorCode: 0, producerId: 100, producerEpoch: 0 });
    assert.equal(co.checkProduce(100, 0, 'a', 0), KafkaError.INVALID_TXN_STATE, 'not added yet');
    assert.equal(await co.addPartitions('t', 100, 0, [tp('a', 0), tp('b', 1)]), 0);
    assert.equal(co.get('t')!.state, 'Ongoing');
    assert.equal(co.checkProduce(100, 0, 'a', 0), 0);
    assert.equal(await co.addOffsets('t', 100, 0, 'g'), 0);
    assert.equal(await co.txnOffsetCommit('t', 100, 0, 'g', [{ topic: 'src', partition: 0, offset: 7 }]), 0);
    assert.equal(committed.length, 0, 'offsets wait for the commit');
    assert.equal(await co.endTxn('t', 100, 0, true), 0);
    assert.deepEqual(markers, [{ producerId: 100, epoch: 0, partitions: [tp('a', 0), tp('b', 1)], commit: true }]);
    assert.deepEqual(committed, [{ group: 'g', commits: [{ topic: 'src', partition: 0, offset: 7 }] }]);
    assert.equal(co.get('t')!.state, 'Empty');
    assert.ok(persisted.some((r) => r.state === 'PrepareCommit'), 'the prepared state is persisted before the markers');
    assert.equal(await co.endTxn('t', 100, 0, true), 0, 'a retried EndTxn succeeds');
    assert.equal(await co.endTxn('t', 100, 0, false), KafkaError.INVALID_TXN_STATE);
  });

  it('abort drops the offsets', async () => {
    const { co, markers, committed } = setup();
    await co.initProducerId('t', 10_000);
    await co.addPartitions('t', 100, 0, [tp('a', 0)]);
    await co.addOffsets('t', 100, 0, 'g');
    await co.txnOffsetCommit('t', 100, 0, 'g', [{ topic: 'src', partition: 0, offset: 7 }]);
    assert.equal(await co.endTxn('t', 100, 0, false), 0);
    assert.equal(markers[0]!.commit, false);
    assert.equal(committed.length, 0);
  });

  it('a new InitProducerId bumps the epoch, aborts the ongoing transaction and fences the old epoch', async () => {
    const { co, markers } = setup();
    await co.initProducerId('t', 10_000);
    await co.addPartitions('t', 100, 0, [tp('a', 0)]);
    const again = await co.initProducerId('t', 10_000);
    assert.equal(again.producerId, 100);
    assert.ok(again.producerEpoch > 0);
    assert.equal(markers.length, 1);
    assert.equal(markers[0]!.commit, false);
    assert.equal(markers[0]!.producerId, 100);
    assert.equal(co.checkProduce(100, 0, 'a', 0), KafkaError.INVALID_PRODUCER_EPOCH);
    assert.equal(await co.endTxn('t', 100, 0, true), KafkaError.PRODUCER_FENCED);
    assert.equal(await co.addPartitions('t', 100, 0, [tp('a', 0)]), KafkaError.PRODUCER_FENCED);
    assert.equal(fencedAs(KafkaError.PRODUCER_FENCED, 1, 2), KafkaError.INVALID_PRODUCER_EPOCH);
    assert.equal(await co.addPartitions('t', 999, again.producerEpoch, [tp('a', 0)]), KafkaError.INVALID_PRODUCER_ID_MAPPING);
    assert.equal((await co.initProducerId('t', 0)).errorCode, KafkaError.INVALID_TRANSACTION_TIMEOUT);
  });

  it('a transaction past its timeout is aborted with a bumped epoch', async () => {
    const { co, markers, advance } = setup();
    await co.initProducerId('t', 500);
    await co.addPartitions('t', 100, 0, [tp('a', 0)]);
    advance(400);
    await co.tick();
    assert.equal(markers.length, 0);
    advance(200);
    await co.tick();
    assert.equal(markers.length, 1);
    assert.equal(markers[0]!.commit, false);
    assert.equal(co.get('t')!.state, 'Empty');
    assert.equal(await co.endTxn('t', 100, 0, true), KafkaError.PRODUCER_FENCED);
  });

  it('recovered Ongoing and Prepare states are finished', async () => {
    const base = { producerId: 5, epoch: 2, timeoutMs: 60_000, startMs: 900, offsets: {}, lastResult: null } as const;
    const { co, markers, committed } = setup([
      { ...base, transactionalId: 'ongoing', state: 'Ongoing', partitions: [tp('a', 0)] },
      { ...base, transactionalId: 'prepared', producerId: 6, state: 'PrepareCommit', partitions: [tp('b', 0)], offsets: { g: [{ topic: 'x', partition: 0, offset: 3 }] } },
    ]);
    await co.tick();
    assert.deepEqual(markers, [{ producerId: 6, epoch: 2, partitions: [tp('b', 0)], commit: true }]);
    assert.equal(committed.length, 1);
    const init = await co.initProducerId('ongoing', 10_000);
    assert.equal(init.producerId, 5);
    assert.equal(markers[1]!.commit, false);
    assert.equal(markers[1]!.producerId, 5);
  });
});
