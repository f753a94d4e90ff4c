/**
 * What one client can make the Kafka endpoint spend: requests before authentication and the
 * SASL requests are small (Kafka's sasl.server.max.receive.size, checked on the size prefix,
 * before the body is read); connections are capped per listener and per client address; a
 * request holds at most DecodeLimits.maxElements array elements, and one near that cap leaves
 * other connections served while it is handled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiVersions } from '../../../../src/protocol/kafka/api/api-versions.js';
import { DeleteTopics } from '../../../../src/protocol/kafka/api/delete-topics.js';
import { Fetch } from '../../../../src/protocol/kafka/api/fetch.js';
import { ListOffsets } from '../../../../src/protocol/kafka/api/list-offsets.js';
import { Metadata } from '../../../../src/protocol/kafka/api/metadata.js';
import { OffsetCommit } from '../../../../src/protocol/kafka/api/offset-commit.js';
import { Produce } from '../../../../src/protocol/kafka/api/produce.js';
import { SaslAuthenticate } from '../../../../src/protocol/kafka/api/sasl-authenticate.js';
import { SaslHandshake } from '../../../../src/protocol/kafka/api/sasl-handshake.js';
import type { ApiDef, RequestInputOf } from '../../../../src/protocol/kafka/codec/api-def.js';
import { DEFAULT_DECODE_LIMITS } from '../../../../src/protocol/kafka/codec/limits.js';
import { encodeBatch } from '../../../../src/storage/codec/record-batch.js';
import { RawClient } from './raw-client.js';
import { startHarness, type Harness } from './harness.js';

const KIB = 1024;

/** The first bytes of a request frame announcing `size` bytes: size, api key, version (no more is sent). */
function frameStart(size: number, apiKey: number, version: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(size, 0);
  b.writeInt16BE(apiKey, 4);
  b.writeInt16BE(version, 6);
  return b;
}

async function apiVersionsAnswered(c: RawClient): Promise<void> {
  c.send(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
  assert.equal((await c.receive(ApiVersions, 3)).body.errorCode, 0);
}

/** A Produce request of about `bytes` bytes (one record batch). */
function bigProduce(c: RawClient, topic: string, bytes: number): void {
  const records = encodeBatch([{ key: null, value: Buffer.alloc(bytes, 7), timestamp: Date.now() }]);
  c.send(Produce, 9, { acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
}

describe('requests before authentication (saslRequired)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ saslRequired: true });
  });
  after(async () => {
    await h.close();
  });

  it('a frame announcing more than 512 KiB is refused on its size prefix, before its body arrives', async () => {
    const c = await RawClient.open(h.listener.port);
    c.write(frameStart(512 * KIB + 1, 18, 3));
    await c.waitClosed();
    // Even ApiVersions, which is allowed before authentication, and even a frame the size of many.
    const d = await RawClient.open(h.listener.port);
    d.write(frameStart(64 * KIB * KIB, 18, 3));
    await d.waitClosed();
  });

  it('a small request is served; after authentication a large one is too', async () => {
    const c = await RawClient.open(h.listener.port);
    await apiVersionsAnswered(c);
    c.send(SaslHandshake, 1, { mechanism: 'PLAIN' });
    assert.equal((await c.receive(SaslHandshake, 1)).body.errorCode, 0);
    c.send(SaslAuthenticate, 2, { authBytes: Buffer.from('\u0000guest\u0000guest') });
    assert.equal((await c.receive(SaslAuthenticate, 2)).body.errorCode, 0);
    bigProduce(c, 'after-auth', 1024 * KIB);
    assert.equal((await c.receive(Produce, 9)).body.responses[0]!.partitionResponses[0]!.errorCode, 0);
    c.close();
  });
});

describe('SASL requests when SASL is optional', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('SaslHandshake and SaslAuthenticate frames over 512 KiB are refused on their size; other requests may be larger', async () => {
    for (const apiKey of [17, 36]) {
      const c = await RawClient.open(h.listener.port);
      c.write(frameStart(512 * KIB + 1, apiKey, 1));
      await c.waitClosed();
    }
    const c = await RawClient.open(h.listener.port);
    bigProduce(c, 'optional-sasl', 1024 * KIB);
    assert.equal((await c.receive(Produce, 9)).body.responses[0]!.partitionResponses[0]!.errorCode, 0);
    c.close();
  });
});

describe('connections per listener and per client address', () => {
  let h: Harness;
  const open: RawClient[] = [];
  before(async () => {
    h = await startHarness({ maxConnections: 4, maxConnectionsPerAddress: 2 });
  });
  after(async () => {
    for (const c of open) c.close();
    await h.close();
  });

  /** A connection from `from` that the broker serves (true) or closes at once (false). */
  async function tryConnect(from: string): Promise<boolean> {
    const c = await RawClient.open(h.listener.port, from);
    c.send(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    const served = await Promise.race([c.receive(ApiVersions, 3).then(() => true), c.waitClosed().then(() => false)]);
    if (served) open.push(c);
    return served;
  }

  it('one address gets at most maxConnectionsPerAddress; others go on up to maxConnections; a closed one frees its place', async () => {
    assert.deepEqual([await tryConnect('127.0.0.1'), await tryConnect('127.0.0.1'), await tryConnect('127.0.0.1')], [true, true, false]);
    assert.deepEqual([await tryConnect('127.0.0.2'), await tryConnect('127.0.0.2')], [true, true]);
    assert.equal(await tryConnect('127.0.0.3'), false, 'maxConnections reached');
    open.shift()!.close();
    let again = false;
    for (let i = 0; i < 100 && !again; i++) {
      again = await tryConnect('127.0.0.1');
      if (!again) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(again, 'a new connection from 127.0.0.1 once one of its own closed');
  });
});

describe('work per request', () => {
  let h: Harness;
  let healthy: RawClient;
  const NEAR_CAP = DEFAULT_DECODE_LIMITS.maxElements - 1000;
  before(async () => {
    h = await startHarness({ autoCreateTopics: false });
    await h.broker.vhost('/').createTopic('work', { partitions: 4 });
    healthy = await RawClient.open(h.listener.port);
  });
  after(async () => {
    healthy.close();
    await h.close();
  });

  it('a Metadata request naming more topics than a request may hold closes its connection only', async () => {
    const c = await RawClient.open(h.listener.port);
    const names = Array.from({ length: DEFAULT_DECODE_LIMITS.maxElements + 1 }, (_, i) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: `t${i}` }));
    c.send(Metadata, 9, { topics: names, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    await c.waitClosed(30_000);
    await apiVersionsAnswered(healthy);
  });

  it('a topic named many times in one Metadata request is answered once', async () => {
    const c = await RawClient.open(h.listener.port);
    c.send(Metadata, 9, {
      topics: Array.from({ length: 1000 }, () => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'work' })),
      allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
    });
    const r = await c.receive(Metadata, 9);
    assert.deepEqual(r.body.topics.map((t) => [t.name, t.partitions.length]), [['work', 4]]);
    c.close();
  });

  it('requests near the cap are answered, and another connection is served while each is handled', async () => {
    const requests: [string, (c: RawClient) => void][] = [
      ['Metadata', (c) => send(c, Metadata, 9, {
        topics: Array.from({ length: NEAR_CAP }, (_, i) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: `nope-${i}` })),
        allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
      })],
      ['ListOffsets', (c) => send(c, ListOffsets, 7, {
        replicaId: -1, isolationLevel: 0, topics: [{ name: 'work', partitions: Array.from({ length: NEAR_CAP }, (_, i) => ({ partitionIndex: i % 8, timestamp: -1, currentLeaderEpoch: -1 })) }],
      })],
      ['Fetch', (c) => send(c, Fetch, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: 'work', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: Array.from({ length: NEAR_CAP }, (_, i) => ({ partition: i % 8, fetchOffset: 0, partitionMaxBytes: 1000 })) }],
        forgottenTopicsData: [], rackId: '',
      })],
      ['DeleteTopics', (c) => send(c, DeleteTopics, 5, { topicNames: Array.from({ length: NEAR_CAP }, (_, i) => `nope-${i}`), topics: [], timeoutMs: 1000 })],
      ['OffsetCommit', (c) => send(c, OffsetCommit, 8, {
        groupId: 'work-g', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
        topics: [{ name: 'work', partitions: Array.from({ length: NEAR_CAP }, (_, i) => ({ partitionIndex: i % 4, committedOffset: i, committedLeaderEpoch: -1, committedMetadata: '' })) }],
      })],
    ];
    for (const [name, request] of requests) {
      const c = await RawClient.open(h.listener.port);
      let answered = false;
      request(c);
      const answer = c.nextFrame(60_000).then(() => {
        answered = true;
      });
      // Generous: a request near the cap takes a few tens of ms of the event loop at a time.
      let pings = 0;
      while (!answered) {
        const t = Date.now();
        await apiVersionsAnswered(healthy);
        assert.ok(Date.now() - t < 3000, `${name}: another connection waited ${Date.now() - t} ms`);
        pings++;
      }
      await answer;
      assert.ok(pings > 0, name);
      c.close();
    }
  });
});

function send<A extends ApiDef>(c: RawClient, api: A, version: number, body: RequestInputOf<A>): void {
  c.send(api, version, body);
}
