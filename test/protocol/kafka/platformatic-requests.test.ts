/**
 * Requests as @platformatic/kafka encodes them, mostly flexible versions kafkajs does not know:
 * our decoder reads the values it was given, and re-encoding reproduces its bytes exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaApis } from '../../../src/protocol/kafka/api/registry.js';
import { isFlexible } from '../../../src/protocol/kafka/codec/api-def.js';
import { decodeRequestBody, encodeRequest } from '../../../src/protocol/kafka/codec/message.js';
import { checkBatch, decodeRecords } from '../../../src/storage/codec/record-batch.js';
import { pltApi, pltVersions } from './platformatic.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const TOPIC_ID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301'; // platformatic takes UUIDs as hex text
const TOPIC_ID_B64 = Buffer.from(TOPIC_ID.replace(/-/g, ''), 'hex').toString('base64url');

const cases: [string, any[] | ((v: number) => any[]), (d: any, v: number) => void][] = [
  ['Produce', [-1, 3000, [
    { topic: 't', partition: 1, key: Buffer.from('k'), value: Buffer.from('v1'), timestamp: 1_700_000_000_000n },
    { topic: 't', partition: 1, value: Buffer.from('v2'), timestamp: 1_700_000_000_001n },
  ], { transactionalId: 'tx', compression: 'none', producerId: 77n, producerEpoch: 2, partitionLeaderEpoch: -1, sequences: { getWithDefault: () => 5 } }], (d) => {
    assert.deepEqual([d.transactionalId, d.acks, d.timeoutMs, d.topicData[0].name, d.topicData[0].partitionData[0].index], ['tx', -1, 3000, 't', 1]);
    const records: Buffer = d.topicData[0].partitionData[0].records;
    assert.deepEqual([checkBatch(records, 0, 1 << 20).producerId, checkBatch(records, 0, 1 << 20).baseSequence], [77, 5]);
    assert.deepEqual(decodeRecords(records).map((r) => r.value?.toString()), ['v1', 'v2']);
  }],
  // Its Fetch takes the topic's name (v12) or id (v13+) in `topicId`, and forgotten topics by id.
  ['Fetch', (v) => [500, 1, 1 << 20, 1, 0, -1, [{ topicId: v >= 13 ? TOPIC_ID : 't', partitions: [{ partition: 2, currentLeaderEpoch: 4, fetchOffset: 99n, lastFetchedEpoch: 3, partitionMaxBytes: 65536 }] }], v >= 13 ? [{ topic: TOPIC_ID, partitions: [7] }] : [], 'rack-a'], (d, v) => {
    assert.deepEqual([d.maxWaitMs, d.minBytes, d.maxBytes, d.isolationLevel, d.rackId], [500, 1, 1 << 20, 1, 'rack-a']);
    const p = d.topics[0].partitions[0];
    assert.deepEqual([p.partition, p.currentLeaderEpoch, p.fetchOffset, p.lastFetchedEpoch, p.partitionMaxBytes], [2, 4, 99, 3, 65536]);
    if (v >= 13) assert.deepEqual([d.topics[0].topicId, d.forgottenTopicsData[0].topicId, d.forgottenTopicsData[0].partitions], [TOPIC_ID_B64, TOPIC_ID_B64, [7]]);
    else assert.equal(d.topics[0].topic, 't');
  }],
  ['ListOffsets', [-1, 0, [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 5, timestamp: -1n }] }]], (d) => {
    assert.deepEqual(d.topics, [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 5, timestamp: -1 }] }]);
  }],
  ['Metadata', [['a', 'b'], true, true], (d) => {
    assert.deepEqual(d.topics.map((t: any) => t.name), ['a', 'b']);
    assert.equal(d.includeTopicAuthorizedOperations, true);
  }],
  ['OffsetCommit', ['g', 3, 'm', null, [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 10n, committedLeaderEpoch: 2, committedMetadata: 'x' }] }]], (d) => {
    assert.deepEqual([d.groupId, d.generationIdOrMemberEpoch, d.memberId, d.groupInstanceId], ['g', 3, 'm', null]);
    assert.deepEqual(d.topics[0].partitions[0], { partitionIndex: 1, committedOffset: 10, committedLeaderEpoch: 2, committedMetadata: 'x' });
  }],
  ['OffsetFetch', [[{ groupId: 'g', memberId: 'm', memberEpoch: 5, topics: [{ name: 't', partitionIndexes: [0, 1] }] }], true], (d, v) => {
    assert.equal(d.requireStable, true);
    assert.equal(d.groups[0].groupId, 'g');
    assert.deepEqual(d.groups[0].topics, [{ name: 't', partitionIndexes: [0, 1] }]);
    if (v >= 9) assert.deepEqual([d.groups[0].memberId, d.groups[0].memberEpoch], ['m', 5]);
  }],
  ['FindCoordinator', [0, ['g1', 'g2']], (d) => assert.deepEqual([d.keyType, d.coordinatorKeys], [0, ['g1', 'g2']])],
  ['JoinGroup', ['g', 30000, 60000, 'm', 'inst', 'consumer', [{ name: 'range', metadata: Buffer.from([1, 2]) }], 'because'], (d, v) => {
    assert.deepEqual([d.groupId, d.sessionTimeoutMs, d.rebalanceTimeoutMs, d.memberId, d.groupInstanceId, d.protocolType], ['g', 30000, 60000, 'm', 'inst', 'consumer']);
    assert.deepEqual(d.protocols, [{ name: 'range', metadata: Buffer.from([1, 2]) }]);
    if (v >= 8) assert.equal(d.reason, 'because');
  }],
  ['Heartbeat', ['g', 1, 'm', 'inst'], (d) => assert.deepEqual([d.groupId, d.generationId, d.memberId, d.groupInstanceId], ['g', 1, 'm', 'inst'])],
  ['LeaveGroup', ['g', [{ memberId: 'm', groupInstanceId: null, reason: 'bye' }]], (d, v) => {
    assert.deepEqual(d.members, [{ memberId: 'm', groupInstanceId: null, reason: v >= 5 ? 'bye' : null }]);
  }],
  ['SyncGroup', ['g', 1, 'm', null, 'consumer', 'range', [{ memberId: 'm', assignment: Buffer.from('a') }]], (d, v) => {
    assert.deepEqual(d.assignments, [{ memberId: 'm', assignment: Buffer.from('a') }]);
    if (v >= 5) assert.deepEqual([d.protocolType, d.protocolName], ['consumer', 'range']);
  }],
  ['DescribeGroups', [['g1'], true], (d) => assert.deepEqual([d.groups, d.includeAuthorizedOperations], [['g1'], true])],
  ['ListGroups', [['STABLE'], ['classic']], (d, v) => {
    assert.deepEqual(d.statesFilter.map((x: string) => x.toUpperCase()), ['STABLE']); // its v4 and v5 spell it differently
    if (v >= 5) assert.deepEqual(d.typesFilter, ['classic']);
  }],
  ['SaslHandshake', ['SCRAM-SHA-256'], (d) => assert.equal(d.mechanism, 'SCRAM-SHA-256')],
  ['ApiVersions', ['hopper-test', '1.2.3'], (d) => assert.deepEqual([d.clientSoftwareName, d.clientSoftwareVersion], ['hopper-test', '1.2.3'])],
  ['CreateTopics', [[{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }], configs: [{ name: 'a', value: null }] }], 1000, false], (d) => {
    assert.deepEqual(d.topics, [{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }], configs: [{ name: 'a', value: null }] }]);
  }],
  ['DeleteTopics', [[{ name: 't', topicId: TOPIC_ID }], 500], (d) => assert.deepEqual(d.topics, [{ name: 't', topicId: TOPIC_ID_B64 }])],
  ['DeleteRecords', [[{ name: 't', partitions: [{ partitionIndex: 0, offset: 5n }] }], 100], (d) => {
    assert.deepEqual(d.topics, [{ name: 't', partitions: [{ partitionIndex: 0, offset: 5 }] }]);
  }],
  ['InitProducerId', ['tx', 60000, 12n, 3], (d) => assert.deepEqual([d.transactionalId, d.transactionTimeoutMs, d.producerId, d.producerEpoch], ['tx', 60000, 12, 3])],
  ['OffsetForLeaderEpoch', [-1, [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 3, leaderEpoch: 2 }] }]], (d) => {
    assert.deepEqual(d.topics, [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 3, leaderEpoch: 2 }] }]);
  }],
  ['AddPartitionsToTxn', [[{ transactionalId: 'tx', producerId: 5n, producerEpoch: 1, verifyOnly: false, topics: [{ name: 't', partitions: [0, 3] }] }]], (d) => {
    assert.deepEqual(d.v3AndBelowTopics, [{ name: 't', partitions: [0, 3] }]);
  }],
  ['AddOffsetsToTxn', ['tx', 5n, 1, 'g'], (d) => assert.deepEqual([d.transactionalId, d.producerId, d.producerEpoch, d.groupId], ['tx', 5, 1, 'g'])],
  ['EndTxn', ['tx', 5n, 1, false], (d) => assert.equal(d.committed, false)],
  ['TxnOffsetCommit', ['tx', 'g', 5n, 1, 2, 'm', null, [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 8n, committedLeaderEpoch: -1, committedMetadata: null }] }]], (d) => {
    assert.deepEqual([d.generationId, d.memberId, d.groupInstanceId], [2, 'm', null]);
  }],
  ['DescribeConfigs', [[{ resourceType: 2, resourceName: 't', configurationKeys: null }], true, true], (d) => {
    assert.deepEqual(d.resources, [{ resourceType: 2, resourceName: 't', configurationKeys: null }]);
  }],
  ['AlterConfigs', [[{ resourceType: 2, resourceName: 't', configs: [{ name: 'a', value: 'b' }] }], true], (d) => {
    assert.deepEqual(d.resources[0].configs, [{ name: 'a', value: 'b' }]);
  }],
  ['SaslAuthenticate', [Buffer.from('token')], (d) => assert.deepEqual(d.authBytes, Buffer.from('token'))],
  ['CreatePartitions', [[{ name: 't', count: 4, assignments: null }], 100, true], (d) => assert.deepEqual(d.topics, [{ name: 't', count: 4, assignments: null }])],
  ['DeleteGroups', [['g1', 'g2']], (d) => assert.deepEqual(d.groupsNames, ['g1', 'g2'])],
  ['IncrementalAlterConfigs', [[{ resourceType: 2, resourceName: 't', configs: [{ name: 'a', configOperation: 0, value: 'b' }] }], false], (d) => {
    assert.deepEqual(d.resources[0].configs, [{ name: 'a', configOperation: 0, value: 'b' }]);
  }],
  ['DescribeCluster', [true, 1], (d, v) => {
    assert.equal(d.includeClusterAuthorizedOperations, true);
    if (v >= 1) assert.equal(d.endpointType, 1);
  }],
  ['ConsumerGroupHeartbeat', ['g', 'm', 3, 'inst', null, 45000, ['t1', 't2'], 'r.*', 'uniform', [{ topicId: TOPIC_ID, partitions: [0, 2] }]], (d, v) => {
    assert.deepEqual([d.groupId, d.memberId, d.memberEpoch, d.instanceId, d.rackId, d.rebalanceTimeoutMs], ['g', 'm', 3, 'inst', null, 45000]);
    assert.deepEqual([d.subscribedTopicNames, d.serverAssignor, d.subscribedTopicRegex], [['t1', 't2'], 'uniform', v >= 1 ? 'r.*' : null]);
    assert.deepEqual(d.topicPartitions, [{ topicId: TOPIC_ID_B64, partitions: [0, 2] }]);
  }],
  ['ConsumerGroupDescribe', [['g1', 'g2'], true], (d) => assert.deepEqual([d.groupIds, d.includeAuthorizedOperations], [['g1', 'g2'], true])],
];

/** Where its encoder departs from Kafka's message definitions (checked against the JSON files). */
const pltBugs: Record<string, string> = {
  'Metadata v11': 'writes IncludeClusterAuthorizedOperations, which ends at v10',
  'DescribeConfigs v2': 'writes IncludeDocumentation, which starts at v3',
};

for (const [name, args, check] of cases) {
  const api = kafkaApis.all.find((a) => a.name === name)!;
  const versions = pltVersions(api).filter((v) => v >= api.minVersion && v <= api.maxVersion && !pltBugs[`${name} v${v}`]);
  test(`${name} requests v${versions.join(',v')} from @platformatic/kafka decode and re-encode byte for byte`, async () => {
    assert.ok(versions.length > 0);
    for (const v of versions) {
      const body = (await pltApi(api, v)).createRequest(...(typeof args === 'function' ? args(v) : args)).buffer;
      const decoded = decodeRequestBody(api, v, body, undefined, true);
      check(decoded, v);
      const frame = Buffer.concat(encodeRequest(api, v, { correlationId: 1, clientId: null }, decoded as never));
      const headerBytes = 4 + 10 + (isFlexible(api, v) ? 1 : 0);
      assert.equal(frame.subarray(headerBytes).toString('hex'), body.toString('hex'), `${name} v${v} re-encoded`);
    }
  });
}
