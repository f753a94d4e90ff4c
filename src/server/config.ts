/**
 * Server configuration: defaults, then a JSON config file, then environment variables, then
 * command-line flags (later wins). Every setting is documented in docs/configuration.md; keep
 * the two in step.
 */
import { LOOPBACK } from './listen.js';
import { defaultShareGroupOptions, type KafkaExtraListenerOptions, type ShareGroupOptions } from '../protocol/kafka/server/options.js';
import { parseExtraListeners } from './kafka-extra-listeners.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type FsyncPolicy, formatFsyncPolicy, parseFsyncPolicy } from '../storage/types.js';

export interface ListenerConfig {
  host: string;
  /** 0 picks an ephemeral port (tests); -1 disables the listener. */
  port: number;
}

export interface KafkaListenerConfig extends ListenerConfig {
  /** Create unknown topics on Metadata and Produce (Kafka's auto.create.topics.enable). */
  autoCreateTopics: boolean;
  /** Partitions of auto-created topics and of CreateTopics with -1 (Kafka's num.partitions). */
  numPartitions: number;
  /** Require SASL PLAIN authentication (a Hopper user) before any other request. */
  saslRequired: boolean;
  /** Topics' retention by time unless a topic sets retention.ms (Kafka's log.retention.ms); -1 keeps forever. */
  logRetentionMs: number;
  /** Topics' retention by size per partition unless a topic sets retention.bytes (Kafka's log.retention.bytes); -1: no limit. */
  logRetentionBytes: number;
  /** How long a new consumer group waits for more members before its first rebalance (Kafka's group.initial.rebalance.delay.ms). */
  groupInitialRebalanceDelayMs: number;
  /** This broker's node id (Kafka's node.id). */
  nodeId: number;
  /** Open Kafka connections; further ones are closed at once (Kafka's max.connections; 0: no limit). */
  maxConnections: number;
  /** Open Kafka connections from one client address (Kafka's max.connections.per.ip; 0: no limit). */
  maxConnectionsPerAddress: number;
  /** Largest request before SASL authentication, and of the SASL requests (Kafka's sasl.server.max.receive.size). */
  saslMaxRequestBytes: number;
  /** KIP-848 consumer groups (Kafka's group.consumer.*). */
  groupConsumer: {
    /** How often members are told to heartbeat (group.consumer.heartbeat.interval.ms). */
    heartbeatIntervalMs: number;
    /** A member silent this long is removed (group.consumer.session.timeout.ms). */
    sessionTimeoutMs: number;
    /** Most members of one group (group.consumer.max.size). */
    maxSize: number;
    /** Which non-empty groups convert between protocols (group.consumer.migration.policy). */
    migrationPolicy: 'bidirectional' | 'upgrade' | 'downgrade' | 'disabled';
  };
  /** Share groups, KIP-932 (Kafka's group.share.* and share.* group configs, broker-wide here). */
  groupShare: ShareGroupOptions;
  /** More listeners of this broker, each with its own port, host and saslRequired (./kafka-extra-listeners.ts). */
  extraListeners: KafkaExtraListenerOptions[];
}

export interface AmqpListenerConfig extends ListenerConfig {
  /** frame-max offered in connection.tune (RabbitMQ's default, 128 KiB). */
  frameMaxBytes: number;
  /** channel-max offered in connection.tune. */
  channelMax: number;
  /** Heartbeat interval offered in connection.tune (0: off unless the client asks). */
  heartbeatSec: number;
  /** From accept to connection.open-ok; a slower client is disconnected. */
  handshakeTimeoutMs: number;
  /** Open AMQP connections; further ones are closed at once (0: no limit). */
  maxConnections: number;
  /** Open AMQP connections from one client address; further ones are closed at once (0: no limit). */
  maxConnectionsPerAddress: number;
  /** Messages of the synthetic session run in the background once the listeners accept (./warm-up.ts); 0: none. */
  warmUpMessages: number;
}

export interface SqsListenerConfig extends ListenerConfig {
  /**
   * Check each request's AWS Signature Version 4. false: every request acts as the default
   * local identity (user guest, account 000000000000), logged as a warning at start.
   */
  verifySignatures: boolean;
  /** Largest request body (SQS's 1 MiB payload plus encoding overhead). */
  maxRequestBytes: number;
  /** Most headers in one request. */
  maxHeaders: number;
  /** Largest header section of one request. */
  maxHeaderBytes: number;
  /** From accept to the end of a request's headers; a slower client is closed. */
  headersTimeoutMs: number;
  /** To receive a whole request; a slower client gets 408 and is closed. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  idleTimeoutMs: number;
  /** Open SQS connections; further ones are closed at once (0: no limit). */
  maxConnections: number;
}

/** Logins: how failures slow down their client address (src/core/auth/login-throttle.ts). */
export interface AuthConfig {
  /** Delay before an address's next login is checked, after its first failure; doubles per further failure (0: no throttling). */
  failureDelayMs: number;
  /** The longest such delay. */
  failureDelayMaxMs: number;
  /** An address without a failed login for this long starts again from no delay. */
  failureResetMs: number;
  /** Addresses with failures remembered at most (the least recently failing are forgotten first). */
  failureAddressesMax: number;
  /** Logins from one address waiting for their turn at most; more are refused at once. */
  waitingLoginsPerAddressMax: number;
  /** Slow password hashes (scrypt) computed at once at most; they share libuv's thread pool with file I/O. */
  concurrentHashesMax: number;
}

export interface ServerConfig {
  dataDir: string;
  fsync: FsyncPolicy;
  /** Largest message body accepted by any protocol. */
  maxMessageBytes: number;
  /** Segment size for queue and topic logs. */
  segmentMaxBytes: number;
  queueStateFsyncIntervalMs: number;
  http: ListenerConfig;
  /** AMQP 0-9-1 listener (RabbitMQ clients) and its limits. */
  amqp: AmqpListenerConfig;
  /** Kafka listener (Kafka clients), and how it creates topics. */
  kafka: KafkaListenerConfig;
  /** Amazon SQS listener (AWS SDKs, awscli). */
  sqs: SqsListenerConfig;
  /** Password logins on every protocol. */
  auth: AuthConfig;
  /** Memory alarm: publishers are blocked while the process's RSS is above this (0: 60% of RAM). */
  memoryHighWatermarkBytes: number;
  /** Disk alarm: publishers are blocked while the data directory's filesystem has less free. */
  diskFreeLimitBytes: number;
  /** How long shutdown waits for in-flight work before closing logs anyway. */
  shutdownTimeoutMs: number;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** Log lines as text (key=value fields) or one JSON object per line. */
  logFormat: 'text' | 'json';
}

export const defaultConfig: ServerConfig = {
  dataDir: './data',
  fsync: { kind: 'always' },
  maxMessageBytes: 16 * 1024 * 1024,
  segmentMaxBytes: 128 * 1024 * 1024,
  queueStateFsyncIntervalMs: 100,
  http: { host: LOOPBACK, port: 8080 },
  amqp: { host: LOOPBACK, port: 5672, frameMaxBytes: 131_072, channelMax: 2047, heartbeatSec: 60, handshakeTimeoutMs: 10_000, maxConnections: 10_000, maxConnectionsPerAddress: 1_000, warmUpMessages: 0 },
  kafka: {
    host: LOOPBACK, port: 9092, autoCreateTopics: true, numPartitions: 1, saslRequired: false, logRetentionMs: 7 * 24 * 3600 * 1000, logRetentionBytes: -1,
    groupInitialRebalanceDelayMs: 3_000, nodeId: 0, maxConnections: 10_000, maxConnectionsPerAddress: 1_000, saslMaxRequestBytes: 512 * 1024,
    groupConsumer: { heartbeatIntervalMs: 5_000, sessionTimeoutMs: 45_000, maxSize: 10_000, migrationPolicy: 'bidirectional' },
    groupShare: { ...defaultShareGroupOptions },
    extraListeners: [],
  },
  sqs: {
    host: LOOPBACK, port: 9324, verifySignatures: true, maxRequestBytes: 1_048_576 + 512 * 1024, maxHeaders: 100, maxHeaderBytes: 16 * 1024,
    headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, idleTimeoutMs: 60_000, maxConnections: 10_000,
  },
  auth: { failureDelayMs: 100, failureDelayMaxMs: 5_000, failureResetMs: 60_000, failureAddressesMax: 10_000, waitingLoginsPerAddressMax: 1_000, concurrentHashesMax: 1 },
  memoryHighWatermarkBytes: 0,
  diskFreeLimitBytes: 50_000_000,
  shutdownTimeoutMs: 10_000,
  logLevel: 'info',
  logFormat: 'text',
};

/** The environment variables read, and the setting each one sets. */
export const envVars = {
  HOPPER_DATA_DIR: 'dataDir',
  HOPPER_FSYNC: 'fsync',
  HOPPER_MAX_MESSAGE_BYTES: 'maxMessageBytes',
  HOPPER_SEGMENT_MAX_BYTES: 'segmentMaxBytes',
  HOPPER_QUEUE_STATE_FSYNC_INTERVAL_MS: 'queueStateFsyncIntervalMs',
  HOPPER_HTTP_HOST: 'http.host',
  HOPPER_HTTP_PORT: 'http.port',
  HOPPER_AMQP_HOST: 'amqp.host',
  HOPPER_AMQP_PORT: 'amqp.port',
  HOPPER_AMQP_WARM_UP_MESSAGES: 'amqp.warmUpMessages',
  HOPPER_KAFKA_HOST: 'kafka.host',
  HOPPER_KAFKA_PORT: 'kafka.port',
  HOPPER_KAFKA_AUTO_CREATE_TOPICS: 'kafka.autoCreateTopics',
  HOPPER_KAFKA_NUM_PARTITIONS: 'kafka.numPartitions',
  HOPPER_KAFKA_SASL_REQUIRED: 'kafka.saslRequired',
  HOPPER_KAFKA_LOG_RETENTION_MS: 'kafka.logRetentionMs',
  HOPPER_KAFKA_LOG_RETENTION_BYTES: 'kafka.logRetentionBytes',
  HOPPER_KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: 'kafka.groupInitialRebalanceDelayMs',
  HOPPER_KAFKA_NODE_ID: 'kafka.nodeId',
  HOPPER_KAFKA_EXTRA_LISTENERS: 'kafka.extraListeners',
  HOPPER_KAFKA_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS: 'kafka.groupConsumer.heartbeatIntervalMs',
  HOPPER_KAFKA_GROUP_CONSUMER_SESSION_TIMEOUT_MS: 'kafka.groupConsumer.sessionTimeoutMs',
  HOPPER_KAFKA_GROUP_CONSUMER_MIGRATION_POLICY: 'kafka.groupConsumer.migrationPolicy',
  HOPPER_KAFKA_GROUP_SHARE_RECORD_LOCK_DURATION_MS: 'kafka.groupShare.recordLockDurationMs',
  HOPPER_KAFKA_GROUP_SHARE_DELIVERY_COUNT_LIMIT: 'kafka.groupShare.deliveryCountLimit',
  HOPPER_KAFKA_GROUP_SHARE_AUTO_OFFSET_RESET: 'kafka.groupShare.autoOffsetReset',
  HOPPER_KAFKA_GROUP_SHARE_DEAD_LETTER_TOPIC: 'kafka.groupShare.deadLetterTopic',
  HOPPER_SQS_HOST: 'sqs.host',
  HOPPER_SQS_PORT: 'sqs.port',
  HOPPER_SQS_VERIFY_SIGNATURES: 'sqs.verifySignatures',
  HOPPER_MEMORY_HIGH_WATERMARK_BYTES: 'memoryHighWatermarkBytes',
  HOPPER_DISK_FREE_LIMIT_BYTES: 'diskFreeLimitBytes',
  HOPPER_SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs',
  HOPPER_LOG_LEVEL: 'logLevel',
  HOPPER_LOG_FORMAT: 'logFormat',
} as const;

type Flat = Record<string, string | number | undefined>;

/** Applies one `path = value` setting (from any source) with type checks. */
function applySetting(cfg: ServerConfig, path: string, raw: unknown, source: string): void {
  const fail = (why: string): never => {
    throw new Error(`${source}: ${path} ${why}`);
  };
  const int = (min: number): number => {
    const n = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isSafeInteger(n) || n < min) fail(`must be an integer >= ${min}, not ${JSON.stringify(raw)}`);
    return n;
  };
  const str = (): string => (typeof raw === 'string' && raw !== '' ? raw : fail('must be a non-empty string'));
  switch (path) {
    case 'dataDir': cfg.dataDir = str(); break;
    case 'fsync':
      try { cfg.fsync = parseFsyncPolicy(str()); } catch (e) { fail((e as Error).message); }
      break;
    case 'maxMessageBytes': cfg.maxMessageBytes = int(1); break;
    case 'segmentMaxBytes': cfg.segmentMaxBytes = int(1024); break;
    case 'queueStateFsyncIntervalMs': cfg.queueStateFsyncIntervalMs = int(0); break;
    case 'http.host': cfg.http.host = str(); break;
    case 'http.port': cfg.http.port = int(-1); break;
    case 'amqp.host': cfg.amqp.host = str(); break;
    case 'amqp.port': cfg.amqp.port = int(-1); break;
    case 'amqp.frameMaxBytes': cfg.amqp.frameMaxBytes = int(8192); break; // RabbitMQ's floor since 4.1
    case 'amqp.channelMax': cfg.amqp.channelMax = int(1); break;
    case 'amqp.heartbeatSec': cfg.amqp.heartbeatSec = int(0); break;
    case 'amqp.handshakeTimeoutMs': cfg.amqp.handshakeTimeoutMs = int(1); break;
    case 'amqp.maxConnections': cfg.amqp.maxConnections = int(0); break;
    case 'amqp.maxConnectionsPerAddress': cfg.amqp.maxConnectionsPerAddress = int(0); break;
    case 'amqp.warmUpMessages': cfg.amqp.warmUpMessages = int(0); break;
    case 'kafka.host': cfg.kafka.host = str(); break;
    case 'kafka.port': cfg.kafka.port = int(-1); break;
    case 'kafka.autoCreateTopics':
    case 'kafka.saslRequired': {
      if (raw !== true && raw !== false && raw !== 'true' && raw !== 'false') fail(`must be true or false, not ${JSON.stringify(raw)}`);
      const on = raw === true || raw === 'true';
      if (path === 'kafka.saslRequired') cfg.kafka.saslRequired = on;
      else cfg.kafka.autoCreateTopics = on;
      break;
    }
    case 'kafka.numPartitions': cfg.kafka.numPartitions = int(1); break;
    case 'sqs.host': cfg.sqs.host = str(); break;
    case 'sqs.port': cfg.sqs.port = int(-1); break;
    case 'sqs.verifySignatures':
      if (raw !== true && raw !== false && raw !== 'true' && raw !== 'false') fail(`must be true or false, not ${JSON.stringify(raw)}`);
      cfg.sqs.verifySignatures = raw === true || raw === 'true';
      break;
    case 'sqs.maxRequestBytes': cfg.sqs.maxRequestBytes = int(1_048_576 + 1024); break;
    case 'sqs.maxHeaders': cfg.sqs.maxHeaders = int(16); break;
    case 'sqs.maxHeaderBytes': cfg.sqs.maxHeaderBytes = int(4096); break;
    case 'sqs.headersTimeoutMs': cfg.sqs.headersTimeoutMs = int(1); break;
    case 'sqs.requestTimeoutMs': cfg.sqs.requestTimeoutMs = int(1); break;
    case 'sqs.idleTimeoutMs': cfg.sqs.idleTimeoutMs = int(1); break;
    case 'sqs.maxConnections': cfg.sqs.maxConnections = int(0); break;
    case 'auth.failureDelayMs': cfg.auth.failureDelayMs = int(0); break;
    case 'auth.failureDelayMaxMs': cfg.auth.failureDelayMaxMs = int(0); break;
    case 'auth.failureResetMs': cfg.auth.failureResetMs = int(0); break;
    case 'auth.failureAddressesMax': cfg.auth.failureAddressesMax = int(1); break;
    case 'auth.waitingLoginsPerAddressMax': cfg.auth.waitingLoginsPerAddressMax = int(1); break;
    case 'auth.concurrentHashesMax': cfg.auth.concurrentHashesMax = int(1); break;
    case 'kafka.logRetentionMs': cfg.kafka.logRetentionMs = int(-1); break;
    case 'kafka.logRetentionBytes': cfg.kafka.logRetentionBytes = int(-1); break;
    case 'kafka.groupInitialRebalanceDelayMs': cfg.kafka.groupInitialRebalanceDelayMs = int(0); break;
    case 'kafka.nodeId':
      cfg.kafka.nodeId = int(0);
      if (cfg.kafka.nodeId > 0x7fffffff) fail('must fit in an int32');
      break;
    case 'kafka.extraListeners':
      try { cfg.kafka.extraListeners = parseExtraListeners(raw); } catch (e) { fail((e as Error).message); }
      break;
    case 'kafka.maxConnections': cfg.kafka.maxConnections = int(0); break;
    case 'kafka.maxConnectionsPerAddress': cfg.kafka.maxConnectionsPerAddress = int(0); break;
    case 'kafka.saslMaxRequestBytes': cfg.kafka.saslMaxRequestBytes = int(1024); break;
    case 'kafka.groupConsumer.heartbeatIntervalMs': cfg.kafka.groupConsumer.heartbeatIntervalMs = int(1); break;
    case 'kafka.groupConsumer.sessionTimeoutMs': cfg.kafka.groupConsumer.sessionTimeoutMs = int(1); break;
    case 'kafka.groupConsumer.maxSize': cfg.kafka.groupConsumer.maxSize = int(1); break;
    case 'kafka.groupConsumer.migrationPolicy': {
      const v = str().toLowerCase();
      if (!['bidirectional', 'upgrade', 'downgrade', 'disabled'].includes(v)) fail('must be bidirectional, upgrade, downgrade or disabled');
      cfg.kafka.groupConsumer.migrationPolicy = v as KafkaListenerConfig['groupConsumer']['migrationPolicy'];
      break;
    }
    case 'kafka.groupShare.recordLockDurationMs': cfg.kafka.groupShare.recordLockDurationMs = int(1000); break;
    case 'kafka.groupShare.deliveryCountLimit': cfg.kafka.groupShare.deliveryCountLimit = int(2); break;
    case 'kafka.groupShare.partitionMaxRecordLocks': cfg.kafka.groupShare.partitionMaxRecordLocks = int(100); break;
    case 'kafka.groupShare.sessionTimeoutMs': cfg.kafka.groupShare.sessionTimeoutMs = int(1); break;
    case 'kafka.groupShare.heartbeatIntervalMs': cfg.kafka.groupShare.heartbeatIntervalMs = int(1); break;
    case 'kafka.groupShare.maxSize': cfg.kafka.groupShare.maxSize = int(1); break;
    case 'kafka.groupShare.maxGroups': cfg.kafka.groupShare.maxGroups = int(1); break;
    case 'kafka.groupShare.autoOffsetReset': {
      const v = str().toLowerCase();
      if (v !== 'latest' && v !== 'earliest') fail('must be latest or earliest');
      cfg.kafka.groupShare.autoOffsetReset = v as ShareGroupOptions['autoOffsetReset'];
      break;
    }
    case 'kafka.groupShare.isolationLevel': {
      const v = str().toLowerCase();
      if (v !== 'read_uncommitted' && v !== 'read_committed') fail('must be read_uncommitted or read_committed');
      cfg.kafka.groupShare.isolationLevel = v as ShareGroupOptions['isolationLevel'];
      break;
    }
    case 'kafka.groupShare.deadLetterTopic': cfg.kafka.groupShare.deadLetterTopic = raw === null ? null : str(); break;
    case 'memoryHighWatermarkBytes': cfg.memoryHighWatermarkBytes = int(0); break;
    case 'diskFreeLimitBytes': cfg.diskFreeLimitBytes = int(0); break;
    case 'shutdownTimeoutMs': cfg.shutdownTimeoutMs = int(0); break;
    case 'logLevel': {
      const v = str();
      if (!['error', 'warn', 'info', 'debug'].includes(v)) fail('must be error, warn, info or debug');
      cfg.logLevel = v as ServerConfig['logLevel'];
      break;
    }
    case 'logFormat': {
      const v = str();
      if (v !== 'text' && v !== 'json') fail('must be text or json');
      cfg.logFormat = v as ServerConfig['logFormat'];
      break;
    }
    default: fail('is not a known setting');
  }
}

/** Flattens a config file object ({ http: { port } }) into dotted paths. */
function flatten(obj: Record<string, unknown>, prefix = ''): Flat {
  const out: Flat = {};
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, path + '.'));
    else out[path] = v as string | number;
  }
  return out;
}

export interface ConfigSources {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Already-parsed flag settings, as dotted paths. */
  flags?: Flat;
}

export function loadConfig(sources: ConfigSources = {}): ServerConfig {
  const cfg: ServerConfig = structuredClone(defaultConfig);
  if (sources.file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(sources.file, 'utf8'));
    } catch (e) {
      throw new Error(`config file ${sources.file}: ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object') throw new Error(`config file ${sources.file}: must hold a JSON object`);
    for (const [p, v] of Object.entries(flatten(parsed as Record<string, unknown>))) applySetting(cfg, p, v, sources.file);
  }
  const env = sources.env ?? {};
  for (const [name, path] of Object.entries(envVars)) {
    const v = env[name];
    if (v !== undefined && v !== '') applySetting(cfg, path, v, name);
  }
  for (const [p, v] of Object.entries(sources.flags ?? {})) if (v !== undefined) applySetting(cfg, p, v, `--${p}`);
  const gc = cfg.kafka.groupConsumer;
  // Kafka refuses these too: a member told to heartbeat less often than its session lasts would expire.
  if (gc.heartbeatIntervalMs >= gc.sessionTimeoutMs) {
    throw new Error(`kafka.groupConsumer.heartbeatIntervalMs (${gc.heartbeatIntervalMs}) must be less than kafka.groupConsumer.sessionTimeoutMs (${gc.sessionTimeoutMs})`);
  }
  const gs = cfg.kafka.groupShare;
  if (gs.heartbeatIntervalMs >= gs.sessionTimeoutMs) {
    throw new Error(`kafka.groupShare.heartbeatIntervalMs (${gs.heartbeatIntervalMs}) must be less than kafka.groupShare.sessionTimeoutMs (${gs.sessionTimeoutMs})`);
  }
  cfg.dataDir = resolve(cfg.dataDir);
  return cfg;
}

export function describeConfig(cfg: ServerConfig): string {
  return `data ${cfg.dataDir}, fsync ${formatFsyncPolicy(cfg.fsync)}`;
}
