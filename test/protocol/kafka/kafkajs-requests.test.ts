/**
 * Requests as kafkajs 2.2.4 encodes them, for every API and version both sides know: our framer
 * and decoder read them, the decoded values are the ones kafkajs was given, and re-encoding the
 * decoded request reproduces kafkajs's bytes exactly (golden bytes from an independent encoder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { kafkaApis } from '../../../src/protocol/kafka/api/registry.js';
import type { ApiDef } from '../../../src/protocol/kafka/codec/api-def.js';
import { RequestFramer } from '../../../src/protocol/kafka/codec/framer.js';
import { decodeRequestBody, encodeRequest } from '../../../src/protocol/kafka/codec/message.js';
import { checkBatch, decodeRecords } from '../../../src/storage/codec/record-batch.js';
import { kjsRequestFrame, kjsVersions } from './kafkajs.js';

const require = createRequire(import.meta.url);
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => { writeBytes(b: Buffer): { buffer: Buffer } };

/* eslint-disable @typescript-eslint/no-explicit-any */
type Check = (d: any, v: number) => void;
const api = (name: string): ApiDef => kafkaApis.all.find((a) => a.name === name)!;

const TS = 1_700_000_000_000;
const cases: [string, string, object, Check][] = [
  ['Produce', 'produce', {
    acks: -1, timeout: 30000, transactionalId: 'tx-1', producerId: 4242, producerEpoch: 3,
    topicData: [{ topic: 'orders', partitions: [{ partition: 2, firstSequence: 7, messages: [
      { key: 'k1', value: 'v1', timestamp: TS, headers: { h: 'x' } }, { key: null, value: 'v2', timestamp: TS + 5 },
    ] }] }],
  }, (d) => {
    assert.deepEqual([d.transactionalId, d.acks, d.timeoutMs, d.topicData[0].name, d.topicData[0].partitionData[0].index], ['tx-1', -1, 30000, 'orders', 2]);
    const records: Buffer = d.topicData[0].partitionData[0].records;
    const h = checkBatch(records, 0, 1 << 20); // a real RecordBatch v2, CRC and all
    assert.deepEqual([h.producerId, h.producerEpoch, h.baseSequence, h.recordCount], [4242, 3, 7, 2]);
    assert.deepEqual(decodeRecords(records).map((r) => r.value?.toString()), ['v1', 'v2']);
  }],
  ['Fetch', 'fetch', {
    replicaId: -1, maxWaitTime: 500, minBytes: 1, maxBytes: 52428800, isolationLevel: 1, sessionId: 0, sessionEpoch: -1, rackId: 'eu-1',
    topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: '12345678901', maxBytes: 1048576, currentLeaderEpoch: 5, logStartOffset: 3 }] }],
    forgottenTopics: [{ topic: 'old', partitions: [1, 2] }],
  }, (d, v) => {
    assert.deepEqual([d.replicaId, d.maxWaitMs, d.minBytes, d.maxBytes, d.isolationLevel], [-1, 500, 1, 52428800, 1]);
    const p = d.topics[0].partitions[0];
    assert.deepEqual([d.topics[0].topic, p.partition, p.fetchOffset, p.partitionMaxBytes], ['t', 0, 12345678901, 1048576]);
    if (v >= 9) assert.equal(p.currentLeaderEpoch, 5);
    if (v >= 7) assert.deepEqual(d.forgottenTopicsData, [{ topic: 'old', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [1, 2] }]);
    if (v >= 11) assert.equal(d.rackId, 'eu-1');
  }],
  ['ListOffsets', 'listOffsets', { replicaId: -1, isolationLevel: 1, topics: [{ topic: 't', partitions: [{ partition: 3, timestamp: -2 }] }] }, (d) => {
    assert.deepEqual([d.replicaId, d.topics[0].name, d.topics[0].partitions[0].partitionIndex, d.topics[0].partitions[0].timestamp], [-1, 't', 3, -2]);
  }],
  ['Metadata', 'metadata', { topics: ['a', 'b'], allowAutoTopicCreation: false }, (d, v) => {
    assert.deepEqual(d.topics.map((t: any) => t.name), ['a', 'b']);
    if (v >= 4) assert.equal(d.allowAutoTopicCreation, false);
  }],
  ['OffsetCommit', 'offsetCommit', {
    groupId: 'g', groupGenerationId: 4, memberId: 'm-1', retentionTime: -1,
    topics: [{ topic: 't', partitions: [{ partition: 1, offset: '99', metadata: 'meta' }] }],
  }, (d) => {
    const p = d.topics[0].partitions[0];
    assert.deepEqual([d.groupId, d.generationIdOrMemberEpoch, d.memberId, p.partitionIndex, p.committedOffset, p.committedMetadata], ['g', 4, 'm-1', 1, 99, 'meta']);
  }],
  ['OffsetFetch', 'offsetFetch', { groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0 }, { partition: 5 }] }] }, (d) => {
    assert.deepEqual([d.groupId, d.topics[0].name, d.topics[0].partitionIndexes], ['g', 't', [0, 5]]);
  }],
  ['FindCoordinator', 'findCoordinator', { groupId: 'tx-1' /* kafkajs v0 */, coordinatorKey: 'tx-1', coordinatorType: 1 }, (d, v) => {
    // v0 has no key type: it always means a group.
    assert.deepEqual([d.key, d.keyType], ['tx-1', v >= 1 ? 1 : 0]);
  }],
  ['JoinGroup', 'joinGroup', {
    groupId: 'g', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: '', groupInstanceId: 'static-1', protocolType: 'consumer',
    groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }],
  }, (d, v) => {
    assert.deepEqual([d.groupId, d.sessionTimeoutMs, d.rebalanceTimeoutMs, d.memberId, d.protocolType], ['g', 30000, 60000, '', 'consumer']);
    assert.deepEqual(d.protocols, [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }]);
    if (v >= 5) assert.equal(d.groupInstanceId, 'static-1');
  }],
  ['Heartbeat', 'heartbeat', { groupId: 'g', groupGenerationId: 7, memberId: 'm', groupInstanceId: null }, (d) => {
    assert.deepEqual([d.groupId, d.generationId, d.memberId, d.groupInstanceId], ['g', 7, 'm', null]);
  }],
  ['LeaveGroup', 'leaveGroup', { groupId: 'g', memberId: 'm', members: [{ memberId: 'm', groupInstanceId: 'i' }] }, (d, v) => {
    assert.equal(d.groupId, 'g');
    if (v < 3) assert.equal(d.memberId, 'm');
    else assert.deepEqual(d.members, [{ memberId: 'm', groupInstanceId: 'i', reason: null }]);
  }],
  ['SyncGroup', 'syncGroup', {
    groupId: 'g', generationId: 2, memberId: 'm', groupInstanceId: null, groupAssignment: [{ memberId: 'm', memberAssignment: Buffer.from('abc') }],
  }, (d) => {
    assert.deepEqual([d.groupId, d.generationId, d.memberId], ['g', 2, 'm']);
    assert.deepEqual(d.assignments, [{ memberId: 'm', assignment: Buffer.from('abc') }]);
  }],
  ['DescribeGroups', 'describeGroups', { groupIds: ['g1', 'g2'] }, (d) => assert.deepEqual(d.groups, ['g1', 'g2'])],
  ['ListGroups', 'listGroups', {}, () => {}],
  ['SaslHandshake', 'saslHandshake', { mechanism: 'PLAIN' }, (d) => assert.equal(d.mechanism, 'PLAIN')],
  ['ApiVersions', 'apiVersions', {}, () => {}],
  ['CreateTopics', 'createTopics', {
    timeout: 5000, validateOnly: true,
    topics: [{ topic: 'new', numPartitions: 3, replicationFactor: 1, replicaAssignment: [], configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
  }, (d) => {
    const t = d.topics[0];
    assert.deepEqual([t.name, t.numPartitions, t.replicationFactor, t.configs, d.timeoutMs, d.validateOnly], ['new', 3, 1, [{ name: 'cleanup.policy', value: 'compact' }], 5000, true]);
  }],
  ['DeleteTopics', 'deleteTopics', { topics: ['x', 'y'], timeout: 1000 }, (d) => assert.deepEqual([d.topicNames, d.timeoutMs], [['x', 'y'], 1000])],
  ['DeleteRecords', 'deleteRecords', { topics: [{ topic: 't', partitions: [{ partition: 0, offset: '10' }] }], timeout: 500 }, (d) => {
    assert.deepEqual([d.topics[0].name, d.topics[0].partitions[0].partitionIndex, d.topics[0].partitions[0].offset, d.timeoutMs], ['t', 0, 10, 500]);
  }],
  ['InitProducerId', 'initProducerId', { transactionalId: 'tx', transactionTimeout: 60000 }, (d) => {
    assert.deepEqual([d.transactionalId, d.transactionTimeoutMs], ['tx', 60000]);
  }],
  ['AddPartitionsToTxn', 'addPartitionsToTxn', { transactionalId: 'tx', producerId: 9, producerEpoch: 1, topics: [{ topic: 't', partitions: [0, 1] }] }, (d) => {
    assert.deepEqual([d.v3AndBelowTransactionalId, d.v3AndBelowProducerId, d.v3AndBelowProducerEpoch, d.v3AndBelowTopics], ['tx', 9, 1, [{ name: 't', partitions: [0, 1] }]]);
  }],
  ['AddOffsetsToTxn', 'addOffsetsToTxn', { transactionalId: 'tx', producerId: 9, producerEpoch: 1, groupId: 'g' }, (d) => {
    assert.deepEqual([d.transactionalId, d.producerId, d.producerEpoch, d.groupId], ['tx', 9, 1, 'g']);
  }],
  ['EndTxn', 'endTxn', { transactionalId: 'tx', producerId: 9, producerEpoch: 1, transactionResult: true }, (d) => {
    assert.deepEqual([d.transactionalId, d.producerId, d.producerEpoch, d.committed], ['tx', 9, 1, true]);
  }],
  ['TxnOffsetCommit', 'txnOffsetCommit', {
    transactionalId: 'tx', groupId: 'g', producerId: 9, producerEpoch: 1, topics: [{ topic: 't', partitions: [{ partition: 0, offset: '5', metadata: null }] }],
  }, (d) => {
    assert.deepEqual([d.transactionalId, d.groupId, d.producerId, d.producerEpoch], ['tx', 'g', 9, 1]);
    assert.deepEqual(d.topics[0].partitions[0], { partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null });
  }],
  ['DescribeConfigs', 'describeConfigs', { resources: [{ type: 2, name: 't', configNames: ['retention.ms'] }], includeSynonyms: true }, (d) => {
    assert.deepEqual(d.resources, [{ resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms'] }]);
    assert.equal(d.includeSynonyms, true);
  }],
  ['AlterConfigs', 'alterConfigs', { resources: [{ type: 2, name: 't', configEntries: [{ name: 'retention.ms', value: '1000' }] }], validateOnly: false }, (d) => {
    assert.deepEqual(d.resources, [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1000' }] }]);
  }],
  ['SaslAuthenticate', 'saslAuthenticate', { authBytes: new Encoder().writeBytes(Buffer.from('\0user\0pass')).buffer }, (d) => {
    assert.deepEqual(d.authBytes, Buffer.from('\0user\0pass'));
  }],
  ['CreatePartitions', 'createPartitions', { topicPartitions: [{ topic: 't', count: 6, assignments: [[1], [2]] }], timeout: 100, validateOnly: false }, (d) => {
    assert.deepEqual(d.topics, [{ name: 't', count: 6, assignments: [{ brokerIds: [1] }, { brokerIds: [2] }] }]);
  }],
  ['DeleteGroups', 'deleteGroups', ['g1', 'g2'], (d) => assert.deepEqual(d.groupsNames, ['g1', 'g2'])],
];

for (const [name, dir, args, check] of cases) {
  const a = api(name);
  const versions = kjsVersions(dir).filter((v) => v >= a.minVersion && v <= a.maxVersion);
  test(`${name} requests v${versions.join(',v')} from kafkajs decode and re-encode byte for byte`, async () => {
    assert.ok(versions.length > 0);
    for (const v of versions) {
      const frame = await kjsRequestFrame(dir, v, args, 1234, 'hopper-test');
      const frames = new RequestFramer().push(frame);
      assert.equal(frames.length, 1);
      const f = frames[0]!;
      assert.equal(f.kind, 'request', `${name} v${v}`);
      assert.deepEqual([f.apiKey, f.apiVersion, f.correlationId, f.clientId], [a.apiKey, v, 1234, 'hopper-test']);
      const decoded = decodeRequestBody(a, v, f.body, undefined, true);
      check(decoded, v);
      const again = Buffer.concat(encodeRequest(a, v, { correlationId: 1234, clientId: 'hopper-test' }, decoded as never));
      assert.equal(again.toString('hex'), frame.toString('hex'), `${name} v${v} re-encoded`);
    }
  });
}

test('kafkajs versions below our floors are the ones KIP-896 removed', () => {
  // Each API kafkajs implements reaches at least our minimum, so its negotiation (the highest
  // version both sides know) always lands inside our range.
  for (const [name, dir] of cases) {
    const a = api(name);
    assert.ok(Math.max(...kjsVersions(dir)) >= a.minVersion, `${name}: kafkajs tops out below v${a.minVersion}`);
  }
});
