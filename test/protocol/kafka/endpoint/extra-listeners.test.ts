/**
 * kafka.extraListeners: one broker with a main listener that requires SASL and a second one
 * without it, as @platformatic/kafka's SASL suite expects of Kafka (port+10000 PLAINTEXT).
 * SCRAM users created through the plaintext port log in on the SASL port; a group is the same
 * whichever port a client uses; each port advertises itself in Metadata, FindCoordinator and
 * DescribeCluster; the SASL port still refuses clients that do not authenticate.
 */
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { after, before, describe, it, test } from 'node:test';
import { alterUserScramCredentialsV0, Connection, Producer, stringSerializers } from '@platformatic/kafka';
import kafkajs, { Partitioners, type SASLOptions } from 'kafkajs';

const { ConfigResourceTypes } = kafkajs;
import { DescribeCluster } from '../../../../src/protocol/kafka/api/describe-cluster.js';
import { FindCoordinator } from '../../../../src/protocol/kafka/api/find-coordinator.js';
import { Metadata } from '../../../../src/protocol/kafka/api/metadata.js';
import { SaslAuthenticate } from '../../../../src/protocol/kafka/api/sasl-authenticate.js';
import { SaslHandshake } from '../../../../src/protocol/kafka/api/sasl-handshake.js';
import { loadConfig } from '../../../../src/server/config.js';
import { parseExtraListeners } from '../../../../src/server/kafka-extra-listeners.js';
import { silentLogger } from '../../../../src/server/logger.js';
import { startServer } from '../../../../src/server/server.js';
import { tempDir } from '../../../helpers/tmp.js';
import { startHarness, waitFor, type Harness } from './harness.js';
import { RawClient } from './raw-client.js';

const metadataBody = { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

/** Metadata, FindCoordinator and DescribeCluster on one connection: the ports each advertises. */
async function advertisedPorts(c: RawClient): Promise<number[]> {
  c.send(Metadata, 12, metadataBody);
  const m = (await c.receive(Metadata, 12)).body;
  c.send(FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: ['g'] });
  const f = (await c.receive(FindCoordinator, 4)).body;
  c.send(DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
  const d = (await c.receive(DescribeCluster, 1)).body;
  return [...m.brokers.map((b) => b.port), ...f.coordinators.map((x) => x.port), ...d.brokers.map((b) => b.port)];
}

describe('a SASL listener and a plaintext listener on one broker', () => {
  let h: Harness;
  let saslPort: number;
  let plainPort: number;
  before(async () => {
    h = await startHarness({ saslRequired: true, extraListeners: [{ port: 0, saslRequired: false }] });
    [saslPort, plainPort] = h.listener.ports as [number, number];
  });
  after(async () => {
    await h.close();
  });
  const on = (port: number, sasl?: SASLOptions) =>
    h.kafka({ brokers: [`127.0.0.1:${port}`], retry: { retries: 0 }, ...(sasl ? { sasl } : {}) });

  it('a SCRAM user created through the plaintext port (AlterUserScramCredentials, no login) produces through the SASL port', async () => {
    const conn = new Connection('extra-listeners-test');
    await conn.connect('127.0.0.1', plainPort);
    try {
      const salt = randomBytes(24);
      const upsertion = { name: 'dora', mechanism: 1, iterations: 4096, salt, saltedPassword: pbkdf2Sync('dora-secret', salt, 4096, 32, 'sha256') };
      const r = await alterUserScramCredentialsV0.api.async(conn, [], [upsertion]);
      assert.deepEqual(r.results, [{ user: 'dora', errorCode: 0, errorMessage: null }]);
    } finally {
      await conn.close();
    }
    const producer = on(saslPort, { mechanism: 'scram-sha-256', username: 'dora', password: 'dora-secret' }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'two-ports', messages: [{ value: 'kafkajs' }] });
    await producer.disconnect();
    // @platformatic/kafka too: it follows Metadata to the advertised address, the SASL port's own.
    const p = new Producer({
      clientId: 'extra-listeners-test', bootstrapBrokers: [`127.0.0.1:${saslPort}`], serializers: stringSerializers,
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'dora', password: 'dora-secret' },
    });
    try {
      await p.send({ messages: [{ topic: 'two-ports', value: 'platformatic' }] });
    } finally {
      await p.close();
    }
    assert.equal(h.broker.vhost('/').topic('two-ports').partition(0).nextOffset, 2);
  });

  it('a client without SASL is refused on the SASL port, as before', async () => {
    const admin = on(saslPort).admin();
    await assert.rejects(async () => {
      await admin.connect();
      await admin.listTopics();
    });
    await admin.disconnect();
  });

  it('the pre-authentication request cap applies on the SASL port only', async () => {
    // 600 KB is over saslMaxRequestBytes (512 KiB): admitted without a login on the plaintext port.
    const big = 'x'.repeat(600_000);
    const producer = on(plainPort).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'two-ports-big', messages: [{ value: big }] });
    await producer.disconnect();
    assert.equal(h.broker.vhost('/').topic('two-ports-big').partition(0).nextOffset, 1);
    const c = await RawClient.open(saslPort);
    try {
      c.send(Metadata, 12, { ...metadataBody, topics: Array.from({ length: 40_000 }, (_, i) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: `t-${i}-padding` })) });
      await assert.rejects(c.receive(Metadata, 12), 'a large request before login closes the connection');
    } finally {
      c.close();
    }
  });

  it('each port advertises itself in Metadata, FindCoordinator and DescribeCluster', async () => {
    const plain = await RawClient.open(plainPort);
    try {
      assert.deepEqual(await advertisedPorts(plain), [plainPort, plainPort, plainPort]);
    } finally {
      plain.close();
    }
    const sasl = await RawClient.open(saslPort);
    try {
      sasl.send(SaslHandshake, 1, { mechanism: 'PLAIN' });
      assert.equal((await sasl.receive(SaslHandshake, 1)).body.errorCode, 0);
      sasl.send(SaslAuthenticate, 2, { authBytes: Buffer.from('\u0000guest\u0000guest') });
      assert.equal((await sasl.receive(SaslAuthenticate, 2)).body.errorCode, 0);
      assert.deepEqual(await advertisedPorts(sasl), [saslPort, saslPort, saslPort]);
    } finally {
      sasl.close();
    }
  });

  it('the broker configs list both listeners', async () => {
    const admin = on(plainPort).admin();
    await admin.connect();
    try {
      const r = await admin.describeConfigs({
        includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configNames: ['listeners', 'advertised.listeners'] }],
      });
      const v = Object.fromEntries(r.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
      assert.equal(v['listeners'], `SASL_PLAINTEXT://127.0.0.1:${saslPort},PLAINTEXT://127.0.0.1:${plainPort}`);
      assert.equal(v['advertised.listeners'], `SASL_PLAINTEXT://127.0.0.1:${saslPort},PLAINTEXT://127.0.0.1:${plainPort}`);
    } finally {
      await admin.disconnect();
    }
  });

  it('a group joined through the plaintext port is the same group described through the SASL port', async () => {
    const producer = on(plainPort).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'two-ports-group', messages: [{ value: 'a' }] });
    await producer.disconnect();
    const consumer = on(plainPort).consumer({ groupId: 'across-ports', retry: { retries: 0 } });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'two-ports-group', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    try {
      await waitFor(() => seen.length === 1, 15_000, 'the consumer on the plaintext port');
      const admin = h.kafka({ brokers: [`127.0.0.1:${saslPort}`], sasl: { mechanism: 'plain', username: 'guest', password: 'guest' } }).admin();
      await admin.connect();
      try {
        const { groups } = await admin.describeGroups(['across-ports']);
        assert.equal(groups[0]!.state, 'Stable');
        assert.equal(groups[0]!.members.length, 1);
        assert.equal(groups[0]!.members[0]!.clientId, 'hopper-test');
      } finally {
        await admin.disconnect();
      }
    } finally {
      await consumer.disconnect();
    }
  });
});

test('kafka.extraListeners: string and object forms, validation', () => {
  assert.deepEqual(parseExtraListeners('19092:plaintext, 0.0.0.0:9093:SASL,[::1]:9094:sasl'), [
    { port: 19092, saslRequired: false },
    { port: 9093, saslRequired: true, host: '0.0.0.0' },
    { port: 9094, saslRequired: true, host: '::1' },
  ]);
  assert.deepEqual(parseExtraListeners([{ port: 19092, saslRequired: false, advertisedHost: 'kafka.example', name: 'INTERNAL' }, '9093:sasl']), [
    { port: 19092, saslRequired: false, advertisedHost: 'kafka.example', name: 'INTERNAL' },
    { port: 9093, saslRequired: true },
  ]);
  assert.deepEqual(parseExtraListeners(''), []);
  assert.throws(() => parseExtraListeners('19092'), /plaintext\|sasl/);
  assert.throws(() => parseExtraListeners('19092:ssl'), /plaintext\|sasl/);
  assert.throws(() => parseExtraListeners('70000:sasl'), /0 to 65535/);
  assert.throws(() => parseExtraListeners([{ port: 1 }]), /saslRequired/);
  assert.throws(() => parseExtraListeners([{ port: 1, saslRequired: true, tls: true }]), /unknown key "tls"/);
  assert.throws(() => parseExtraListeners([{ port: 1, saslRequired: true, name: 'a b' }]), /name/);
  assert.throws(() => parseExtraListeners(Array.from({ length: 17 }, () => '0:sasl')), /at most 16/);
  assert.throws(() => loadConfig({ env: { HOPPER_KAFKA_EXTRA_LISTENERS: 'x:y' } }), /HOPPER_KAFKA_EXTRA_LISTENERS: kafka.extraListeners/);
});

test('startServer opens the extra listeners of HOPPER_KAFKA_EXTRA_LISTENERS', async () => {
  const tmp = await tempDir();
  const config = loadConfig({
    flags: { dataDir: tmp.dir, 'http.port': '-1', 'amqp.port': '-1', 'kafka.port': '0', 'sqs.port': '-1' },
    env: { HOPPER_KAFKA_SASL_REQUIRED: 'true', HOPPER_KAFKA_EXTRA_LISTENERS: '0:plaintext' },
  });
  const server = await startServer(config, silentLogger);
  try {
    assert.equal(server.kafkaExtraPorts.length, 1);
    const plainPort = server.kafkaExtraPorts[0]!;
    assert.notEqual(plainPort, server.kafkaPort);
    const c = await RawClient.open(plainPort);
    try {
      assert.deepEqual(await advertisedPorts(c), [plainPort, plainPort, plainPort], 'no SASL needed on the plaintext listener');
    } finally {
      c.close();
    }
  } finally {
    await server.close();
    await tmp.cleanup();
  }
});
