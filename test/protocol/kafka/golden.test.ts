/**
 * Hand-assembled bytes for what the client oracles cannot check: flexible versions with tagged
 * fields (in structs, nested structs and at the top level), header v2 / response header v1, and
 * ApiVersions answering in header v0 even when flexible. Each golden is written out field by
 * field from the protocol guide, then both decoded and re-encoded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiVersions } from '../../../src/protocol/kafka/api/api-versions.js';
import { Fetch } from '../../../src/protocol/kafka/api/fetch.js';
import { Metadata } from '../../../src/protocol/kafka/api/metadata.js';
import { Produce } from '../../../src/protocol/kafka/api/produce.js';
import { RequestFramer } from '../../../src/protocol/kafka/codec/framer.js';
import { decodeRequest, decodeRequestBody, decodeResponse, encodeRequest, encodeResponse } from '../../../src/protocol/kafka/codec/message.js';
import { ZERO_UUID } from '../../../src/protocol/kafka/codec/schema.js';

const hex = (...parts: string[]) => Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');
const flat = (chunks: Buffer[]) => Buffer.concat(chunks).toString('hex');
const TOPIC_ID_HEX = '000102030405060708090a0b0c0d0e0f';
const TOPIC_ID = Buffer.from(TOPIC_ID_HEX, 'hex').toString('base64url');

test('ApiVersions v3 request: header v2, compact strings, empty tag buffers', () => {
  const golden = hex(
    '00000018', // size
    '0012 0003 00000001', // api key 18, version 3, correlation id 1
    '0001 63', // client id "c": INT16 length even in header v2
    '00', // header tagged fields
    '07 686f70706572', // client software name "hopper" (compact: length + 1)
    '04 312e30', // client software version "1.0"
    '00', // body tagged fields
  );
  const body = { clientSoftwareName: 'hopper', clientSoftwareVersion: '1.0' };
  assert.equal(flat(encodeRequest(ApiVersions, 3, { correlationId: 1, clientId: 'c' }, body)), golden.toString('hex'));
  const [f] = new RequestFramer().push(golden);
  assert.deepEqual(decodeRequestBody(ApiVersions, 3, f!.body), body);
});

test('ApiVersions v3 response: header v0 (no tag buffer), a tagged int64 at the top level', () => {
  const golden = hex(
    '0000001d', // size
    '00000001', // correlation id; ApiVersions responses never carry a header tag buffer
    '0000', // error code
    '02 0012 0000 0004 00', // api keys: one entry (ApiVersions 0-4) with its tag buffer
    '00000000', // throttle time
    '01 01 08 0000000000000005', // one tagged field: tag 1 (finalized features epoch), 8 bytes
  );
  const body = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0, finalizedFeaturesEpoch: 5 };
  assert.equal(flat(encodeResponse(ApiVersions, 3, 1, body)), golden.toString('hex'));
  const decoded = decodeResponse(ApiVersions, 3, golden.subarray(4));
  assert.deepEqual(decoded.body, { ...body, supportedFeatures: [], finalizedFeatures: [], zkMigrationReady: false });
});

test('Fetch v12 response: response header v1, a tagged struct inside a partition', () => {
  const golden = hex(
    '00000048', // size: 72
    '00000007 00', // correlation id, header tag buffer
    '00000000 0000 00000000', // throttle time, error code, session id
    '02', // responses: 1
    '02 74', // topic "t"
    '02', // partitions: 1
    '00000000 0000', // partition 0, error code
    '000000000000000a ffffffffffffffff 0000000000000000', // high watermark 10, last stable -1, log start 0
    '00', // aborted transactions: null
    'ffffffff', // preferred read replica -1
    '04 616263', // records: 3 bytes
    '01 01 09 00000002 00000007 00', // tag 1 (current leader): leader 2, epoch 7, its own tag buffer
    '00', // topic tag buffer
    '00', // response tag buffer
  );
  const body = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [{
      topic: 't',
      topicId: ZERO_UUID, // v13+: handlers fill every version's fields, the encoder writes this version's
      partitions: [{
        partitionIndex: 0, errorCode: 0, highWatermark: 10, lastStableOffset: -1, logStartOffset: 0,
        abortedTransactions: null, preferredReadReplica: -1, records: Buffer.from('abc'),
        currentLeader: { leaderId: 2, leaderEpoch: 7 },
      }],
    }],
  };
  assert.equal(flat(encodeResponse(Fetch, 12, 7, body)), golden.toString('hex'));
  const d = decodeResponse(Fetch, 12, golden.subarray(4)).body;
  const p = d.responses[0]!.partitions[0]!;
  assert.deepEqual(p.currentLeader, { leaderId: 2, leaderEpoch: 7 });
  assert.deepEqual(p.divergingEpoch, { epoch: -1, endOffset: -1 }, 'absent tagged struct: defaults');
  assert.deepEqual(d.responses[0]!.topicId, ZERO_UUID, 'field of other versions: default');
});

test('Fetch v15 request: topic ids, two top-level tagged fields in tag order, replica id gone', () => {
  const golden = hex(
    '000001f4 00000001 7fffffff 00 00000000 ffffffff', // max wait, min bytes, max bytes, isolation, session id, epoch
    '02', // topics: 1
    TOPIC_ID_HEX,
    '02 00000000 ffffffff 0000000000000000 ffffffff ffffffffffffffff 00100000 00', // one partition
    '00', // topic tag buffer
    '01', // forgotten topics: none
    '01', // rack id ""
    '02', // two tagged fields
    '00 03 03 6331', // tag 0 (3 bytes): cluster id "c1" (compact: length + 1)
    '01 0d 00000003 0000000000000009 00', // tag 1: replica state (id 3, epoch 9, tag buffer)
  );
  const body = {
    clusterId: 'c1',
    replicaState: { replicaId: 3, replicaEpoch: 9 },
    maxWaitMs: 500, minBytes: 1, maxBytes: 0x7fffffff, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: '', topicId: TOPIC_ID, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
  const frame = Buffer.concat(encodeRequest(Fetch, 15, { correlationId: 3, clientId: null }, body));
  assert.equal(frame.subarray(4 + 10 + 1).toString('hex'), golden.toString('hex'));
  const d = decodeRequestBody(Fetch, 15, golden);
  assert.deepEqual([d.clusterId, d.replicaState, d.replicaId, d.topics[0]!.topicId], ['c1', { replicaId: 3, replicaEpoch: 9 }, -1, TOPIC_ID]);
  assert.equal(d.topics[0]!.partitions[0]!.replicaDirectoryId, ZERO_UUID, 'tag of v17 only');
});

test('Produce v10 response: tagged current leader per partition and node endpoints at the top', () => {
  const golden = hex(
    '00000000 00', // correlation id 0, header tag buffer
    '02 02 74', // responses: 1, name "t"
    '02 00000001 0006', // partitions: 1; index 1, NOT_LEADER_OR_FOLLOWER
    'ffffffffffffffff ffffffffffffffff ffffffffffffffff', // base offset, log append time, log start
    '01 00', // record errors: none; error message: null
    '01 00 09 00000005 00000002 00', // tag 0: current leader 5, epoch 2
    '00', // topic tag buffer
    '00000000', // throttle time
    '01 00 0f 02 00000005 04 683035 00002384 00 00', // tag 0 (15 bytes): node endpoints [{5, "h05", 9092, rack null}]
  );
  const body = {
    responses: [{ name: 't', partitionResponses: [{
      index: 1, errorCode: 6, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null,
      currentLeader: { leaderId: 5, leaderEpoch: 2 },
    }] }],
    throttleTimeMs: 0,
    nodeEndpoints: [{ nodeId: 5, host: 'h05', port: 9092, rack: null }],
  };
  const frame = Buffer.concat(encodeResponse(Produce, 10, 0, body));
  assert.equal(frame.subarray(4).toString('hex'), golden.toString('hex'));
  assert.deepEqual(decodeResponse(Produce, 10, golden).body, body);
});

test('Metadata: v0 has no null topic list; from v1 null means all topics', () => {
  const NO_TOPICS = { topics: null, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
  assert.equal(flat(encodeRequest(Metadata, 1, { correlationId: 2, clientId: null }, NO_TOPICS)), hex('0000000e 0003 0001 00000002 ffff ffffffff').toString('hex'));
  const { header, body } = decodeRequest(Metadata, hex('0003 0001 00000002 ffff ffffffff'));
  assert.deepEqual([header.clientId, body.topics], [null, null]);
  assert.throws(() => encodeRequest(Metadata, 0, { correlationId: 2, clientId: null }, NO_TOPICS), /not nullable/);
  assert.throws(() => decodeRequestBody(Metadata, 0, hex('ffffffff')), /null in a non-nullable array/);
});
