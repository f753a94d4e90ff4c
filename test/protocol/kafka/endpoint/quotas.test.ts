/**
 * Client quotas: AlterClientQuotas / DescribeClientQuotas through @platformatic/kafka's admin
 * client (the entity combinations its own suite uses, with Kafka's answer order), Kafka's
 * validation, durability across a restart, and enforcement: a client past its produce or fetch
 * byte rate or its request percentage is answered with throttleTimeMs and its connection reads
 * nothing more until that time has passed; a throttled Fetch comes back without records.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, ClientQuotaEntityTypes, ClientQuotaKeys, ClientQuotaMatchTypes } from '@platformatic/kafka';
import { readFile } from 'node:fs/promises';
import { decodeCatalogue } from '../../../../src/core/catalogue/codec.js';
import { paths } from '../../../../src/core/paths.js';
import { AlterClientQuotas } from '../../../../src/protocol/kafka/api/alter-client-quotas.js';
import { ApiVersions } from '../../../../src/protocol/kafka/api/api-versions.js';
import { DescribeClientQuotas } from '../../../../src/protocol/kafka/api/describe-client-quotas.js';
import { Fetch } from '../../../../src/protocol/kafka/api/fetch.js';
import { Metadata } from '../../../../src/protocol/kafka/api/metadata.js';
import { Produce } from '../../../../src/protocol/kafka/api/produce.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { ZERO_UUID } from '../../../../src/protocol/kafka/codec/schema.js';
import { encodeBatch } from '../../../../src/storage/codec/record-batch.js';
import { RawClient } from './raw-client.js';
import { startHarness, type Harness } from './harness.js';

describe('kafka client quotas', () => {
  let h: Harness;
  let admin: Admin;
  before(async () => {
    h = await startHarness({ autoCreateTopics: false });
    admin = new Admin({ clientId: 'quota-admin', bootstrapBrokers: [h.bootstrap] });
  });
  after(async () => {
    await admin.close();
    await h.close();
  });

  const ops = (n: number) => [
    { key: ClientQuotaKeys.PRODUCER_BYTE_RATE, value: n, remove: false },
    { key: ClientQuotaKeys.CONSUMER_BYTE_RATE, value: n, remove: false },
    { key: ClientQuotaKeys.REQUEST_PERCENTAGE, value: 0.5, remove: false },
  ];

  for (const c of [{ user: 'User1', clientId: 'Client1' }, { user: null, clientId: 'Client1' }, { user: 'User1', clientId: null }, { user: null, clientId: null }]) {
    it(`set, describe and remove quotas of user ${c.user ?? '<default>'} and client-id ${c.clientId ?? '<default>'}`, async () => {
      const entities = [{ entityType: ClientQuotaEntityTypes.USER, entityName: c.user }, { entityType: ClientQuotaEntityTypes.CLIENT_ID, entityName: c.clientId }];
      const inKafkaOrder = [{ entityType: ClientQuotaEntityTypes.CLIENT_ID, entityName: c.clientId }, { entityType: ClientQuotaEntityTypes.USER, entityName: c.user }];
      assert.deepEqual(await admin.alterClientQuotas({ entries: [{ entities, ops: ops(1000) }], validateOnly: false }), [{ errorCode: 0, errorMessage: null, entity: inKafkaOrder }]);
      const filter = {
        components: [
          c.clientId ? { entityType: ClientQuotaEntityTypes.CLIENT_ID, matchType: ClientQuotaMatchTypes.EXACT, match: c.clientId } : { entityType: ClientQuotaEntityTypes.CLIENT_ID, matchType: ClientQuotaMatchTypes.DEFAULT },
          c.user ? { entityType: ClientQuotaEntityTypes.USER, matchType: ClientQuotaMatchTypes.EXACT, match: c.user } : { entityType: ClientQuotaEntityTypes.USER, matchType: ClientQuotaMatchTypes.DEFAULT },
        ],
        strict: false,
      };
      assert.deepEqual(await admin.describeClientQuotas(filter), [{
        entity: inKafkaOrder,
        values: [{ key: ClientQuotaKeys.CONSUMER_BYTE_RATE, value: 1000 }, { key: ClientQuotaKeys.REQUEST_PERCENTAGE, value: 0.5 }, { key: ClientQuotaKeys.PRODUCER_BYTE_RATE, value: 1000 }],
      }]);
      await admin.alterClientQuotas({ entries: [{ entities, ops: ops(0).map((o) => ({ key: o.key, remove: true })) }], validateOnly: false });
      assert.deepEqual(await admin.describeClientQuotas(filter), []);
    });
  }

  it('validateOnly stores nothing; strict filters; Kafka\'s checks', async () => {
    const user1 = [{ entityType: ClientQuotaEntityTypes.USER, entityName: 'User1' }];
    await admin.alterClientQuotas({ entries: [{ entities: user1, ops: ops(2000) }], validateOnly: true });
    assert.deepEqual(await admin.describeClientQuotas({ components: [{ entityType: ClientQuotaEntityTypes.USER, matchType: ClientQuotaMatchTypes.EXACT, match: 'User1' }] }), []);
    await admin.alterClientQuotas({ entries: [{ entities: user1, ops: ops(2000) }, { entities: [...user1, { entityType: ClientQuotaEntityTypes.CLIENT_ID, entityName: 'Client1' }], ops: ops(3000) }], validateOnly: false });
    const loose = await admin.describeClientQuotas({ components: [{ entityType: ClientQuotaEntityTypes.USER, matchType: ClientQuotaMatchTypes.EXACT, match: 'User1' }], strict: false });
    assert.equal(loose.length, 2);
    const strict = await admin.describeClientQuotas({ components: [{ entityType: ClientQuotaEntityTypes.USER, matchType: ClientQuotaMatchTypes.EXACT, match: 'User1' }], strict: true });
    assert.deepEqual(strict.map((e) => e.entity), [user1]);

    const raw = await RawClient.open(h.listener.port);
    try {
      const alter = async (entity: { entityType: string; entityName: string | null }[], key: string, value: number) => {
        raw.send(AlterClientQuotas, 1, { entries: [{ entity, ops: [{ key, value, remove: false }] }], validateOnly: false });
        return (await raw.receive(AlterClientQuotas, 1)).body.entries[0]!;
      };
      const u = [{ entityType: 'user', entityName: 'x' }];
      assert.deepEqual(Object.values(await alter(u, 'producer_byte_rate', 10.5)).slice(0, 2), [KafkaError.INVALID_REQUEST, 'producer_byte_rate cannot be a fractional value.']);
      assert.equal((await alter(u, 'producer_byte_rate', 0)).errorMessage, 'Quota producer_byte_rate must be greater than 0');
      assert.equal((await alter(u, 'bogus', 1)).errorMessage, 'Invalid configuration key bogus');
      assert.equal((await alter([{ entityType: 'group', entityName: 'g' }], 'producer_byte_rate', 1)).errorMessage, 'Unhandled client quota entity type: group');
      assert.equal((await alter([{ entityType: 'ip', entityName: 'not-an-ip' }], 'connection_creation_rate', 5)).errorCode, KafkaError.INVALID_REQUEST);
      assert.equal((await alter([{ entityType: 'ip', entityName: '10.0.0.1' }], 'connection_creation_rate', 5)).errorCode, KafkaError.NONE);
      raw.send(DescribeClientQuotas, 0, { components: [{ entityType: 'user', matchType: 0, match: null }], strict: false });
      assert.equal((await raw.receive(DescribeClientQuotas, 0)).body.errorCode, KafkaError.INVALID_REQUEST);
    } finally {
      raw.close();
    }

    // Durable: the catalogue file on disk has them.
    const saved = decodeCatalogue(await readFile(paths.catalogue(h.broker.dataDir))).snapshot.clientQuotas ?? [];
    assert.ok(saved.some((q) => q.entity.user === 'User1' && q.values.producer_byte_rate === 2000));
    await admin.alterClientQuotas({ entries: [{ entities: user1, ops: ops(0).map((o) => ({ key: o.key, remove: true })) }, { entities: [...user1, { entityType: ClientQuotaEntityTypes.CLIENT_ID, entityName: 'Client1' }], ops: ops(0).map((o) => ({ key: o.key, remove: true })) }] });
  });

  it('a produce past producer_byte_rate is answered with throttleTimeMs and the connection waits that long', async () => {
    await h.broker.vhost('/').createTopic('q-produce');
    // RawClient's client id is 'raw'. 1000 bytes/s over Kafka's 10 s minimum span: 12 KB is 20% over.
    await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: ClientQuotaEntityTypes.CLIENT_ID, entityName: 'raw' }], ops: [{ key: ClientQuotaKeys.PRODUCER_BYTE_RATE, value: 1000, remove: false }] }] });
    const raw = await RawClient.open(h.listener.port);
    try {
      const produce = async (bytes: number) => {
        raw.send(Produce, 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'q-produce', partitionData: [{ index: 0, records: encodeBatch([{ key: null, value: Buffer.alloc(bytes, 7) }]) }] }] });
        return (await raw.receive(Produce, 9)).body;
      };
      const small = await produce(1000);
      assert.equal(small.throttleTimeMs, 0);
      const big = await produce(11_000);
      assert.equal(big.responses[0]!.partitionResponses[0]!.errorCode, 0, 'the records are stored all the same');
      assert.ok(big.throttleTimeMs >= 1500 && big.throttleTimeMs <= 3000, `throttle ${big.throttleTimeMs} ms`);
      const sent = Date.now();
      raw.send(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
      await raw.receive(ApiVersions, 3);
      // A lower bound only: the connection was muted for the throttle time (timer granularity aside).
      assert.ok(Date.now() - sent >= big.throttleTimeMs - 50, `answered after ${Date.now() - sent} ms`);
      assert.equal(h.broker.vhost('/').topic('q-produce').partition(0).nextOffset, 2);
    } finally {
      raw.close();
      await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: ClientQuotaEntityTypes.CLIENT_ID, entityName: 'raw' }], ops: [{ key: ClientQuotaKeys.PRODUCER_BYTE_RATE, remove: true }] }] });
    }
  });

  it('a fetch past consumer_byte_rate comes back empty with throttleTimeMs; its bytes do not count', async () => {
    const topic = h.broker.vhost('/').hasTopic('q-fetch') ? h.broker.vhost('/').topic('q-fetch') : await h.broker.vhost('/').createTopic('q-fetch');
    for (let i = 0; i < 3; i++) await topic.appendBatch(0, encodeBatch([{ key: null, value: Buffer.alloc(6000, i) }]));
    await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: ClientQuotaEntityTypes.USER, entityName: null }], ops: [{ key: ClientQuotaKeys.CONSUMER_BYTE_RATE, value: 1000, remove: false }] }] });
    const raw = await RawClient.open(h.listener.port);
    try {
      const fetch = async (offset: number) => {
        raw.send(Fetch, 11, {
          replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
          topics: [{ topic: 'q-fetch', topicId: ZERO_UUID, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
          forgottenTopicsData: [], rackId: '',
        });
        return (await raw.receive(Fetch, 11)).body;
      };
      // The quota bounds one answer to 1000 B/s × 10 s: one 6 KB batch, not all three.
      const first = await fetch(0);
      assert.equal(first.throttleTimeMs, 0);
      const got = first.responses[0]!.partitions[0]!.records!;
      assert.ok(got.length > 6000 && got.length < 7000, `${got.length} bytes`);
      const second = await fetch(1);
      assert.ok(second.throttleTimeMs > 0, 'the second batch takes the rate past 1000 B/s');
      assert.deepEqual(second.responses, [], 'a throttled fetch carries no records');
      // The throttled answer's bytes did not count: asking again after the wait finds the rate
      // at two batches (12 KB over 10 s, 2 s of throttle), not three (18 KB, 8 s).
      const third = await fetch(1);
      assert.ok(third.throttleTimeMs > 0 && third.throttleTimeMs < 4000, `throttle ${third.throttleTimeMs} ms`);
    } finally {
      raw.close();
      await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: ClientQuotaEntityTypes.USER, entityName: null }], ops: [{ key: ClientQuotaKeys.CONSUMER_BYTE_RATE, remove: true }] }] });
    }
  });

  it('request_percentage throttles a client whose requests take more than its share of handling time', async () => {
    await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: ClientQuotaEntityTypes.CLIENT_ID, entityName: 'raw' }], ops: [{ key: ClientQuotaKeys.REQUEST_PERCENTAGE, value: 0.001, remove: false }] }] });
    const raw = await RawClient.open(h.listener.port);
    try {
      let throttle = 0;
      for (let i = 0; i < 500 && throttle === 0; i++) {
        raw.send(Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        throttle = (await raw.receive(Metadata, 12)).body.throttleTimeMs;
      }
      assert.ok(throttle > 0 && throttle <= 1000, `throttle ${throttle} ms (Kafka bounds request-time throttles to one window)`);
    } finally {
      raw.close();
      await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: ClientQuotaEntityTypes.CLIENT_ID, entityName: 'raw' }], ops: [{ key: ClientQuotaKeys.REQUEST_PERCENTAGE, remove: true }] }] });
    }
  });
});
