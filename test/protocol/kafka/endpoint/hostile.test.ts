import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiVersions } from '../../../../src/protocol/kafka/api/api-versions.js';
import { Fetch } from '../../../../src/protocol/kafka/api/fetch.js';
import { ListGroups } from '../../../../src/protocol/kafka/api/list-groups.js';
import { OffsetFetch } from '../../../../src/protocol/kafka/api/offset-fetch.js';
import { Metadata } from '../../../../src/protocol/kafka/api/metadata.js';
import { Produce } from '../../../../src/protocol/kafka/api/produce.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { encodeRequest } from '../../../../src/protocol/kafka/codec/message.js';
import { controlKey, controlValue, encodeBatch } from '../../../../src/storage/codec/record-batch.js';
import { RawClient } from './raw-client.js';
import { startHarness, type Harness } from './harness.js';

/** A request frame with a valid header and the given body bytes. */
function frame(apiKey: number, apiVersion: number, body: Buffer, correlationId = 7): Buffer {
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(-1, 8); // null client id
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length);
  return Buffer.concat([size, header, body]);
}

describe('kafka endpoint under hostile input', () => {
  let h: Harness;
  let healthy: RawClient;
  before(async () => {
    h = await startHarness();
    healthy = await RawClient.open(h.listener.port);
  });
  after(async () => {
    healthy.close();
    await h.close();
  });

  async function stillServes(): Promise<void> {
    healthy.send(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    const r = await healthy.receive(ApiVersions, 3);
    assert.equal(r.body.errorCode, 0);
  }

  const cases: [string, Buffer][] = [
    ['garbage', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['a huge size prefix', Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 1, 2, 3])],
    ['a negative size prefix', Buffer.from([0xff, 0xff, 0xff, 0xf0])],
    ['an array count of a billion', frame(3, 1, Buffer.from([0x3b, 0x9a, 0xca, 0x00]))],
    ['a string longer than the frame', frame(3, 1, Buffer.from([0, 0, 0, 1, 0x7f, 0xff, 0x61]))],
    ['an unknown api key', frame(999, 0, Buffer.alloc(0))],
    ['an unsupported version of Metadata', frame(3, 99, Buffer.alloc(0))],
  ];
  for (const [what, bytes] of cases) {
    it(`closes only the connection that sent ${what}`, async () => {
      const bad = await RawClient.open(h.listener.port);
      bad.write(bytes);
      await bad.waitClosed();
      await stillServes();
    });
  }

  it('ignores bytes after the last field of a request, as Kafka does (librdkafka 2.0.2 sends some)', async () => {
    const c = await RawClient.open(h.listener.port);
    /** The request's frame with `extra` bytes after its last field (the size prefix covers them). */
    const withTrailing = (chunks: Buffer[], extra: number[]): Buffer => {
      const f = Buffer.concat([...chunks, Buffer.from(extra)]);
      f.writeInt32BE(f.length - 4, 0);
      return f;
    };
    c.write(frame(18, 0, Buffer.from([1, 2, 3]), 5));
    assert.equal((await c.receive(ApiVersions, 0)).body.errorCode, 0);
    // As librdkafka 2.0.2's ListConsumerGroups and all-partitions ListConsumerGroupOffsets.
    c.write(withTrailing(encodeRequest(ListGroups, 4, { correlationId: 6, clientId: 'rdkafka' }, { statesFilter: [], typesFilter: [] }), [0]));
    const groups = await c.receive(ListGroups, 4);
    assert.deepEqual([groups.correlationId, groups.body.errorCode], [6, 0]);
    c.write(withTrailing(encodeRequest(OffsetFetch, 7, { correlationId: 7, clientId: 'rdkafka' }, { groupId: 'g', topics: null, requireStable: true, groups: [] }), [0, 0, 0]));
    const offsets = await c.receive(OffsetFetch, 7);
    assert.deepEqual([offsets.correlationId, offsets.body.errorCode, offsets.body.topics], [7, 0, []]);
    // A field that runs past the end is still refused.
    c.write(frame(3, 1, Buffer.from([0, 0, 0, 1, 0, 9, 0x61])));
    await c.waitClosed();
    await stillServes();
  });

  it('answers ApiVersions of an unknown version in v0 with UNSUPPORTED_VERSION', async () => {
    const c = await RawClient.open(h.listener.port);
    c.write(frame(18, 99, Buffer.alloc(0), 42));
    const r = await c.receive(ApiVersions, 0);
    assert.equal(r.correlationId, 42);
    assert.equal(r.body.errorCode, KafkaError.UNSUPPORTED_VERSION);
    assert.ok(r.body.apiKeys.some((k) => k.apiKey === 18 && k.maxVersion === 4));
    c.close();
  });

  it('answers a corrupt record batch with CORRUPT_MESSAGE and keeps the connection', async () => {
    const c = await RawClient.open(h.listener.port);
    const batch = encodeBatch([{ key: null, value: Buffer.from('x'), timestamp: Date.now() }]);
    batch[batch.length - 1]! ^= 0xff; // breaks the CRC
    c.send(Produce, 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'hostile', partitionData: [{ index: 0, records: batch }] }] });
    const r = await c.receive(Produce, 9);
    assert.equal(r.body.responses[0]!.partitionResponses[0]!.errorCode, KafkaError.CORRUPT_MESSAGE);
    c.send(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    assert.equal((await c.receive(ApiVersions, 3)).body.errorCode, 0);
    c.close();
  });

  it('refuses a transaction marker sent by a client with INVALID_RECORD (only the coordinator writes them)', async () => {
    const c = await RawClient.open(h.listener.port);
    const forged = encodeBatch([{ key: controlKey(false), value: controlValue(0), timestamp: Date.now() }], {
      producerId: 1, producerEpoch: 0, baseSequence: -1, transactional: true, control: true,
    });
    c.send(Produce, 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'hostile', partitionData: [{ index: 0, records: forged }] }] });
    const r = await c.receive(Produce, 9);
    assert.equal(r.body.responses[0]!.partitionResponses[0]!.errorCode, KafkaError.INVALID_RECORD);
    c.close();
  });

  it('answers pipelined requests in order even when an earlier one waits', async () => {
    const c = await RawClient.open(h.listener.port);
    c.send(Metadata, 9, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'ordered' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    await c.receive(Metadata, 9);
    const started = Date.now();
    const fetchId = c.send(Fetch, 11, {
      maxWaitMs: 300, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'ordered', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const avId = c.send(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    const first = await c.receive(Fetch, 11);
    assert.equal(first.correlationId, fetchId);
    assert.ok(Date.now() - started >= 250, 'the fetch long-polled');
    const second = await c.receive(ApiVersions, 3);
    assert.equal(second.correlationId, avId);
    c.close();
  });

  it('wakes a waiting fetch when the partition gets an append', async () => {
    const c = await RawClient.open(h.listener.port);
    const p = await RawClient.open(h.listener.port);
    c.send(Metadata, 9, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'wake' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    await c.receive(Metadata, 9);
    const started = Date.now();
    c.send(Fetch, 11, {
      maxWaitMs: 5000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'wake', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    await new Promise((r) => setTimeout(r, 100));
    p.send(Produce, 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'wake', partitionData: [{ index: 0, records: encodeBatch([{ key: null, value: Buffer.from('hi'), timestamp: Date.now() }]) }] }] });
    const f = await c.receive(Fetch, 11);
    assert.ok(Date.now() - started < 2000, 'woken before maxWait');
    const part = f.body.responses[0]!.partitions[0]!;
    assert.equal(part.highWatermark, 1);
    assert.ok(part.records && part.records.length > 0);
    c.close();
    p.close();
  });

  it('bounds in-flight requests per connection: beyond the limit, requests wait their turn', async () => {
    const limited = await startHarness({ maxInFlightRequests: 1 });
    try {
      await limited.broker.vhost('/').createTopic('slow');
      const c = await RawClient.open(limited.listener.port);
      const started = Date.now();
      const ids = [1, 2, 3].map(() => c.send(Fetch, 11, {
        maxWaitMs: 150, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: 'slow', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [], rackId: '',
      }));
      for (const id of ids) assert.equal((await c.receive(Fetch, 11)).correlationId, id);
      assert.ok(Date.now() - started >= 400, 'the three long polls ran one after another');
      c.close();
    } finally {
      await limited.close();
    }
  });

  it('answers a fetch at an out-of-range offset at once', async () => {
    const c = await RawClient.open(h.listener.port);
    await h.broker.vhost('/').createTopic('range');
    const started = Date.now();
    c.send(Fetch, 11, {
      maxWaitMs: 3000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'range', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partition: 0, fetchOffset: 99, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const r = await c.receive(Fetch, 11);
    assert.equal(r.body.responses[0]!.partitions[0]!.errorCode, KafkaError.OFFSET_OUT_OF_RANGE);
    assert.ok(Date.now() - started < 1000);
    c.close();
  });

  it('a waiting fetch sees appends made by other protocols within its recheck interval', async () => {
    const c = await RawClient.open(h.listener.port);
    const topic = await h.broker.vhost('/').createTopic('cross');
    const started = Date.now();
    c.send(Fetch, 11, {
      maxWaitMs: 5000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'cross', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    await new Promise((r) => setTimeout(r, 50));
    await topic.appendMessage({ key: null, value: Buffer.from('from amqp'), headers: [], timestamp: Date.now(), properties: {} });
    const r = await c.receive(Fetch, 11);
    assert.ok(Date.now() - started < 2000);
    assert.equal(r.body.responses[0]!.partitions[0]!.highWatermark, 1);
    c.close();
  });

  it('closes a connection idle for connectionsMaxIdleMs', async () => {
    const idle = await startHarness({ connectionsMaxIdleMs: 200 });
    try {
      const c = await RawClient.open(idle.listener.port);
      c.send(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
      await c.receive(ApiVersions, 3);
      await c.waitClosed(3000);
    } finally {
      await idle.close();
    }
  });

  it('holds produce requests while a resource alarm is raised', async () => {
    const c = await RawClient.open(h.listener.port);
    await h.broker.vhost('/').createTopic('alarmed');
    const records = () => encodeBatch([{ key: null, value: Buffer.from('a'), timestamp: Date.now() }]);
    h.broker.alarms.raise('disk');
    try {
      c.send(Produce, 9, { acks: 1, timeoutMs: 200, topicData: [{ name: 'alarmed', partitionData: [{ index: 0, records: records() }] }] });
      const timedOut = await c.receive(Produce, 9);
      assert.equal(timedOut.body.responses[0]!.partitionResponses[0]!.errorCode, KafkaError.REQUEST_TIMED_OUT);
      const started = Date.now();
      c.send(Produce, 9, { acks: 1, timeoutMs: 5000, topicData: [{ name: 'alarmed', partitionData: [{ index: 0, records: records() }] }] });
      setTimeout(() => h.broker.alarms.clear('disk'), 150);
      const ok = await c.receive(Produce, 9);
      assert.equal(ok.body.responses[0]!.partitionResponses[0]!.errorCode, 0);
      assert.ok(Date.now() - started >= 100, 'waited for the alarm to clear');
    } finally {
      h.broker.alarms.clear('disk');
      c.close();
    }
    assert.equal(h.broker.vhost('/').topic('alarmed').partition(0).nextOffset, 1);
  });
});
