import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { loadConfig } from '../../../../src/server/config.js';
import { silentLogger } from '../../../../src/server/logger.js';
import { startServer } from '../../../../src/server/server.js';
import { tempDir } from '../../../helpers/tmp.js';

test('config: kafka listener defaults, env and flags', () => {
  const d = loadConfig({});
  assert.deepEqual(d.kafka, { host: 'localhost', port: 9092, autoCreateTopics: true, numPartitions: 1, saslRequired: false, logRetentionMs: 604_800_000, logRetentionBytes: -1 });
  const c = loadConfig({ env: { HOPPER_KAFKA_PORT: '19092', HOPPER_KAFKA_AUTO_CREATE_TOPICS: 'false', HOPPER_KAFKA_NUM_PARTITIONS: '3' }, flags: { 'kafka.port': '29092' } });
  assert.equal(c.kafka.port, 29092);
  assert.equal(c.kafka.autoCreateTopics, false);
  assert.equal(c.kafka.numPartitions, 3);
  assert.throws(() => loadConfig({ env: { HOPPER_KAFKA_AUTO_CREATE_TOPICS: 'maybe' } }), /true or false/);
});

test('startServer opens the Kafka listener and honours num.partitions and log.retention.ms', async () => {
  const tmp = await tempDir();
  const config = loadConfig({ flags: { dataDir: tmp.dir, 'http.port': '-1', 'amqp.port': '-1', 'kafka.port': '0' }, env: { HOPPER_KAFKA_NUM_PARTITIONS: '2', HOPPER_KAFKA_LOG_RETENTION_MS: '3600000' } });
  const server = await startServer(config, silentLogger);
  try {
    assert.ok(server.kafkaPort !== null && server.kafkaPort > 0);
    assert.match(server.banner(), /kafka/);
    const kafka = new Kafka({ brokers: [`127.0.0.1:${server.kafkaPort}`], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'wired', messages: [{ value: 'x' }] });
    await producer.disconnect();
    assert.equal(server.broker.vhost('/').topic('wired').partitionCount, 2);
    assert.equal(server.broker.vhost('/').topic('wired').config.retentionMs, 3_600_000, 'kafka.logRetentionMs reaches the topics');
  } finally {
    await server.close();
    await tmp.cleanup();
  }
});
