import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { ConsumerGroupHeartbeat } from '../../../../src/protocol/kafka/api/consumer-group-heartbeat.js';
import { loadConfig } from '../../../../src/server/config.js';
import { silentLogger } from '../../../../src/server/logger.js';
import { startServer } from '../../../../src/server/server.js';
import { tempDir } from '../../../helpers/tmp.js';
import { RawClient } from './raw-client.js';
import { defaultShareGroupOptions } from '../../../../src/protocol/kafka/server/options.js';
import { ShareGroupHeartbeat } from '../../../../src/protocol/kafka/api/share-group-heartbeat.js';
import { ShareFetch } from '../../../../src/protocol/kafka/api/share-fetch.js';

test('config: kafka listener defaults, env and flags', () => {
  const d = loadConfig({});
  assert.deepEqual(d.kafka, {
    host: 'localhost', port: 9092, autoCreateTopics: true, numPartitions: 1, saslRequired: false, logRetentionMs: 604_800_000, logRetentionBytes: -1,
    groupInitialRebalanceDelayMs: 3000, nodeId: 0, maxConnections: 10_000, maxConnectionsPerAddress: 1_000, saslMaxRequestBytes: 524_288,
    groupConsumer: { heartbeatIntervalMs: 5000, sessionTimeoutMs: 45_000, maxSize: 10_000, migrationPolicy: 'bidirectional' },
    groupShare: defaultShareGroupOptions, extraListeners: [],
  });
  const c = loadConfig({ env: { HOPPER_KAFKA_PORT: '19092', HOPPER_KAFKA_AUTO_CREATE_TOPICS: 'false', HOPPER_KAFKA_NUM_PARTITIONS: '3' }, flags: { 'kafka.port': '29092' } });
  assert.equal(c.kafka.port, 29092);
  assert.equal(c.kafka.autoCreateTopics, false);
  assert.equal(c.kafka.numPartitions, 3);
  assert.throws(() => loadConfig({ env: { HOPPER_KAFKA_AUTO_CREATE_TOPICS: 'maybe' } }), /true or false/);
});

test('startServer opens the Kafka listener and honours num.partitions, log.retention.ms, the node id and group.consumer.heartbeat.interval.ms', async () => {
  const tmp = await tempDir();
  const config = loadConfig({
    flags: { dataDir: tmp.dir, 'http.port': '-1', 'amqp.port': '-1', 'kafka.port': '0', 'sqs.port': '-1' },
    env: { HOPPER_KAFKA_NUM_PARTITIONS: '2', HOPPER_KAFKA_LOG_RETENTION_MS: '3600000', HOPPER_KAFKA_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS: '1234', HOPPER_KAFKA_NODE_ID: '3' },
  });
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
    const admin = kafka.admin();
    await admin.connect();
    assert.deepEqual((await admin.describeCluster()).brokers.map((b) => b.nodeId), [3], 'kafka.nodeId reaches the listener');
    await admin.disconnect();
    const raw = await RawClient.open(server.kafkaPort!);
    raw.send(ConsumerGroupHeartbeat, 1, {
      groupId: 'wired-g', memberId: 'm', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['wired'],
      subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    });
    assert.equal((await raw.receive(ConsumerGroupHeartbeat, 1)).body.heartbeatIntervalMs, 1234, 'kafka.groupConsumer settings reach the coordinator');
    raw.close();
  } finally {
    await server.close();
    await tmp.cleanup();
  }
});

test('startServer passes the share group settings (kafka.groupShare.*) to the Kafka endpoint', async () => {
  const tmp = await tempDir();
  const config = loadConfig({
    flags: { dataDir: tmp.dir, 'http.port': '-1', 'amqp.port': '-1', 'kafka.port': '0', 'sqs.port': '-1' },
    env: { HOPPER_KAFKA_GROUP_SHARE_RECORD_LOCK_DURATION_MS: '12345' },
  });
  const server = await startServer(config, silentLogger);
  try {
    const c = await RawClient.open(server.kafkaPort!);
    c.send(ShareGroupHeartbeat, 1, { groupId: 'sg', memberId: 'm', memberEpoch: 0, rackId: null, subscribedTopicNames: ['none'] });
    assert.equal((await c.receive(ShareGroupHeartbeat, 1)).body.errorCode, 0);
    c.send(ShareFetch, 2, {
      groupId: 'sg', memberId: 'm', shareSessionEpoch: 0, maxWaitMs: 0, minBytes: 1, maxBytes: 1024, maxRecords: 1, batchSize: 1,
      shareAcquireMode: 0, isRenewAck: false, topics: [], forgottenTopicsData: [],
    });
    assert.equal((await c.receive(ShareFetch, 2)).body.acquisitionLockTimeoutMs, 12345);
    c.close();
  } finally {
    await server.close();
    await tmp.cleanup();
  }
});
