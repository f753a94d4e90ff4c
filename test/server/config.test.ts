import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig, loadConfig } from '../../src/server/config.js';
import { tempDir } from '../helpers/tmp.js';

test('defaults, then file, then environment, then flags', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const file = join(dir, 'hopper.json');
    writeFileSync(file, JSON.stringify({ dataDir: '/from/file', fsync: 'interval:50', http: { port: 9000, host: '0.0.0.0' } }));
    const cfg = loadConfig({ file, env: { HOPPER_HTTP_PORT: '9001', HOPPER_FSYNC: 'never' }, flags: { 'http.port': '9002' } });
    assert.equal(cfg.dataDir, '/from/file');
    assert.deepEqual(cfg.fsync, { kind: 'never' });
    assert.equal(cfg.http.port, 9002);
    assert.equal(cfg.http.host, '0.0.0.0');
    assert.equal(loadConfig().http.host, 'localhost', 'listeners bind to loopback (127.0.0.1 and ::1) by default');
    assert.deepEqual(loadConfig().fsync, defaultConfig.fsync);
  } finally {
    await cleanup();
  }
});

test('bad settings are refused with the source and setting named', () => {
  assert.throws(() => loadConfig({ env: { HOPPER_FSYNC: 'sometimes' } }), /HOPPER_FSYNC: fsync/);
  assert.throws(() => loadConfig({ env: { HOPPER_HTTP_PORT: 'eighty' } }), /HOPPER_HTTP_PORT: http.port must be an integer/);
  assert.throws(() => loadConfig({ flags: { nonsense: '1' } }), /nonsense is not a known setting/);
  assert.throws(() => loadConfig({ file: '/no/such/file.json' }), /config file \/no\/such\/file.json/);
});

test('AMQP limits are settings, with their floors checked', () => {
  const cfg = loadConfig({ flags: { 'amqp.frameMaxBytes': '65536', 'amqp.maxConnections': '5', 'amqp.heartbeatSec': '0' } });
  assert.equal(cfg.amqp.frameMaxBytes, 65536);
  assert.equal(cfg.amqp.maxConnections, 5);
  assert.equal(cfg.amqp.heartbeatSec, 0);
  assert.equal(loadConfig().amqp.channelMax, 2047);
  assert.throws(() => loadConfig({ flags: { 'amqp.frameMaxBytes': '4096' } }), /amqp.frameMaxBytes must be an integer >= 8192/);
});

test('login throttling and hashing limits are settings', () => {
  const d = loadConfig().auth;
  assert.deepEqual(d, { failureDelayMs: 100, failureDelayMaxMs: 5000, failureResetMs: 60_000, failureAddressesMax: 10_000, waitingLoginsPerAddressMax: 1000, concurrentHashesMax: 1 });
  const cfg = loadConfig({ flags: { 'auth.failureDelayMs': '0', 'auth.failureDelayMaxMs': '2000', 'auth.concurrentHashesMax': '2' } });
  assert.equal(cfg.auth.failureDelayMs, 0);
  assert.equal(cfg.auth.failureDelayMaxMs, 2000);
  assert.equal(cfg.auth.concurrentHashesMax, 2);
  assert.throws(() => loadConfig({ flags: { 'auth.concurrentHashesMax': '0' } }), /auth.concurrentHashesMax must be an integer >= 1/);
});

test("topic retention follows Kafka's defaults (7 days, no size limit) and is set broker-wide by file or environment", async () => {
  assert.equal(loadConfig().kafka.logRetentionMs, 604_800_000);
  assert.equal(loadConfig().kafka.logRetentionBytes, -1);
  const { dir, cleanup } = await tempDir();
  try {
    const file = join(dir, 'hopper.json');
    writeFileSync(file, JSON.stringify({ kafka: { logRetentionMs: 3_600_000 } }));
    assert.equal(loadConfig({ file }).kafka.logRetentionMs, 3_600_000);
    const cfg = loadConfig({ file, env: { HOPPER_KAFKA_LOG_RETENTION_MS: '-1', HOPPER_KAFKA_LOG_RETENTION_BYTES: '1073741824' } });
    assert.equal(cfg.kafka.logRetentionMs, -1, 'keep forever');
    assert.equal(cfg.kafka.logRetentionBytes, 1_073_741_824);
    assert.throws(() => loadConfig({ env: { HOPPER_KAFKA_LOG_RETENTION_MS: '-2' } }), /kafka.logRetentionMs must be an integer >= -1/);
  } finally {
    await cleanup();
  }
});

test("Kafka group delay, node id and connection limits are settings with Kafka's defaults where Kafka has them", () => {
  const k = loadConfig().kafka;
  assert.equal(k.groupInitialRebalanceDelayMs, 3000, "Kafka's group.initial.rebalance.delay.ms");
  assert.equal(k.nodeId, 0);
  assert.equal(k.saslMaxRequestBytes, 524_288, "Kafka's sasl.server.max.receive.size");
  assert.deepEqual([k.maxConnections, k.maxConnectionsPerAddress], [10_000, 1_000]);
  assert.equal(loadConfig().amqp.maxConnectionsPerAddress, 1_000);
  const cfg = loadConfig({
    env: { HOPPER_KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', HOPPER_KAFKA_NODE_ID: '1' },
    flags: { 'kafka.maxConnections': '50', 'kafka.maxConnectionsPerAddress': '5', 'amqp.maxConnectionsPerAddress': '0', 'kafka.saslMaxRequestBytes': '65536' },
  });
  assert.deepEqual(
    [cfg.kafka.groupInitialRebalanceDelayMs, cfg.kafka.nodeId, cfg.kafka.maxConnections, cfg.kafka.maxConnectionsPerAddress, cfg.amqp.maxConnectionsPerAddress, cfg.kafka.saslMaxRequestBytes],
    [0, 1, 50, 5, 0, 65536],
  );
  assert.throws(() => loadConfig({ env: { HOPPER_KAFKA_NODE_ID: '-1' } }), /kafka.nodeId must be an integer >= 0/);
  assert.throws(() => loadConfig({ env: { HOPPER_KAFKA_NODE_ID: '2147483648' } }), /kafka.nodeId must fit in an int32/);
});

test("KIP-848 consumer groups: Kafka's defaults (5 s heartbeats, 45 s sessions, bidirectional migration), set by file or environment", async () => {
  assert.deepEqual(loadConfig().kafka.groupConsumer, { heartbeatIntervalMs: 5000, sessionTimeoutMs: 45_000, maxSize: 10_000, migrationPolicy: 'bidirectional' });
  const { dir, cleanup } = await tempDir();
  try {
    const file = join(dir, 'hopper.json');
    writeFileSync(file, JSON.stringify({ kafka: { groupConsumer: { sessionTimeoutMs: 20_000, maxSize: 50 } } }));
    const cfg = loadConfig({ file, env: { HOPPER_KAFKA_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS: '1000', HOPPER_KAFKA_GROUP_CONSUMER_MIGRATION_POLICY: 'Upgrade' } });
    assert.deepEqual(cfg.kafka.groupConsumer, { heartbeatIntervalMs: 1000, sessionTimeoutMs: 20_000, maxSize: 50, migrationPolicy: 'upgrade' });
    assert.throws(() => loadConfig({ env: { HOPPER_KAFKA_GROUP_CONSUMER_MIGRATION_POLICY: 'sometimes' } }), /must be bidirectional, upgrade, downgrade or disabled/);
    assert.throws(() => loadConfig({ env: { HOPPER_KAFKA_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS: '45000' } }), /must be less than kafka.groupConsumer.sessionTimeoutMs/);
  } finally {
    await cleanup();
  }
});

test("share groups: Kafka's defaults (30 s locks, 5 deliveries, 2000 locks, latest), set by file or environment; the dead-letter topic is Hopper's", async () => {
  const d = loadConfig().kafka.groupShare;
  assert.deepEqual([d.recordLockDurationMs, d.deliveryCountLimit, d.partitionMaxRecordLocks, d.autoOffsetReset, d.isolationLevel, d.deadLetterTopic], [30_000, 5, 2_000, 'latest', 'read_uncommitted', null]);
  const { dir, cleanup } = await tempDir();
  try {
    const file = join(dir, 'hopper.json');
    writeFileSync(file, JSON.stringify({ kafka: { groupShare: { deliveryCountLimit: 3, isolationLevel: 'read_committed', deadLetterTopic: 'dlq-{group}' } } }));
    const cfg = loadConfig({ file, env: { HOPPER_KAFKA_GROUP_SHARE_AUTO_OFFSET_RESET: 'Earliest', HOPPER_KAFKA_GROUP_SHARE_RECORD_LOCK_DURATION_MS: '15000' } });
    const s = cfg.kafka.groupShare;
    assert.deepEqual([s.recordLockDurationMs, s.deliveryCountLimit, s.autoOffsetReset, s.isolationLevel, s.deadLetterTopic], [15_000, 3, 'earliest', 'read_committed', 'dlq-{group}']);
    assert.throws(() => loadConfig({ env: { HOPPER_KAFKA_GROUP_SHARE_AUTO_OFFSET_RESET: 'none' } }), /must be latest or earliest/);
    assert.throws(() => loadConfig({ env: { HOPPER_KAFKA_GROUP_SHARE_DELIVERY_COUNT_LIMIT: '1' } }), /deliveryCountLimit/);
  } finally {
    await cleanup();
  }
});
