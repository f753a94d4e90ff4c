/**
 * Starts a broker and its listeners from a ServerConfig, and stops them in order: listeners
 * first (no new work), then the broker (finish fsyncs, close logs).
 */
import { LOOPBACK } from './listen.js';
import { mkdir } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { watchResources } from '../core/broker/alarms.js';
import { Broker } from '../core/broker/broker.js';
import { DataDirLock } from '../core/broker/data-lock.js';
import { listenAmqp, type AmqpListener } from '../protocol/amqp/server/listener.js';
import { healthRoute, listenHttp, type HttpListener } from '../protocol/http/listener.js';
import { listenKafka, type KafkaListener } from '../protocol/kafka/server/listener.js';
import { unverifiedAuthenticator, verifiedAuthenticator } from '../protocol/sqs/server/authenticate.js';
import { listenSqs, type SqsListener } from '../protocol/sqs/server/listener.js';
import { logAlarms } from './alarm-log.js';
import { warmUpAmqp } from './warm-up.js';
import { describeConfig, type ServerConfig } from './config.js';
import type { Logger } from './logger.js';

export interface RunningServer {
  readonly broker: Broker;
  readonly config: ServerConfig;
  /** Bound port of the HTTP listener, or null when disabled. */
  readonly httpPort: number | null;
  /** Bound port of the AMQP listener, or null when disabled. */
  readonly amqpPort: number | null;
  /** Bound port of the Kafka listener, or null when disabled. */
  readonly kafkaPort: number | null;
  /** The bound ports of kafka.extraListeners, in order. */
  readonly kafkaExtraPorts: readonly number[];
  /** Bound port of the SQS listener, or null when disabled. */
  readonly sqsPort: number | null;
  banner(): string;
  close(): Promise<void>;
}

export interface StartOptions {
  /**
   * Aborted by a signal during start-up: start-up stops at the next step (between recovered
   * objects at the latest), closes what it opened and rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

/**
 * Starts in this order: take the data directory's lock (a second process on it fails here,
 * before it binds any port), the HTTP listener (so /health answers 503 during recovery), the
 * broker's recovery, then the AMQP, Kafka and SQS listeners; ready when all of them accept.
 */
export async function startServer(config: ServerConfig, log: Logger, options: StartOptions = {}): Promise<RunningServer> {
  const { signal } = options;
  signal?.throwIfAborted();
  log.info(`opening ${describeConfig(config)}`);
  await mkdir(config.dataDir, { recursive: true });
  const lock = await DataDirLock.acquire(config.dataDir);
  if (lock.tookOverFrom) log.warn(`took over the lock of ${config.dataDir} left by pid ${lock.tookOverFrom.pid} (started ${lock.tookOverFrom.startedAt}), which is no longer running`);
  const started = Date.now();
  let phase: 'starting' | 'ready' | 'stopping' = 'starting';
  let broker: Broker | null = null;
  let http: HttpListener | null = null;
  let amqp: AmqpListener | null = null;
  let kafka: KafkaListener | null = null;
  let sqs: SqsListener | null = null;
  let stopWatching = (): void => undefined;
  try {
    if (config.http.port >= 0) {
      http = await listenHttp(config.http.host, config.http.port, [
        healthRoute({ phase: () => phase, broker: () => broker }, () => ({ uptimeMs: Date.now() - started, dataDir: config.dataDir })),
      ]);
      log.info(`http listening on ${shown(config.http.host)}:${http.port}`);
    }
    signal?.throwIfAborted();
    const { concurrentHashesMax, ...loginThrottle } = config.auth;
    broker = await Broker.open({
      dataDir: config.dataDir,
      fsync: config.fsync,
      maxMessageBytes: config.maxMessageBytes,
      segmentMaxBytes: config.segmentMaxBytes,
      queueStateFsyncIntervalMs: config.queueStateFsyncIntervalMs,
      logRetentionMs: config.kafka.logRetentionMs,
      logRetentionBytes: config.kafka.logRetentionBytes,
      logger: log,
      auth: { concurrentHashesMax, loginThrottle },
      lock,
      ...(signal ? { signal } : {}),
    });
    const b = broker;
    const limits = {
      memoryHighWatermarkBytes: config.memoryHighWatermarkBytes > 0 ? config.memoryHighWatermarkBytes : Math.floor(totalmem() * 0.6),
      diskFreeLimitBytes: config.diskFreeLimitBytes,
    };
    logAlarms(b.alarms, log, limits);
    stopWatching = watchResources(b.alarms, { dataDir: config.dataDir, ...limits, intervalMs: 2_000 });
    signal?.throwIfAborted();
    if (config.amqp.port >= 0) {
      const a = config.amqp;
      amqp = await listenAmqp(b, {
        host: a.host, port: a.port, logger: log,
        frameMaxBytes: a.frameMaxBytes, channelMax: a.channelMax, heartbeatSec: a.heartbeatSec, handshakeTimeoutMs: a.handshakeTimeoutMs, maxConnections: a.maxConnections,
        maxConnectionsPerAddress: a.maxConnectionsPerAddress,
      });
      log.info(`amqp listening on ${shown(config.amqp.host)}:${amqp.port}`);
    }
    if (config.kafka.port >= 0) {
      const k = config.kafka;
      const gc = k.groupConsumer;
      kafka = await listenKafka(b, {
        host: k.host, port: k.port, autoCreateTopics: k.autoCreateTopics, numPartitions: k.numPartitions, saslRequired: k.saslRequired,
        groupInitialRebalanceDelayMs: k.groupInitialRebalanceDelayMs, nodeId: k.nodeId, maxConnections: k.maxConnections,
        maxConnectionsPerAddress: k.maxConnectionsPerAddress, saslMaxRequestBytes: k.saslMaxRequestBytes,
        groupConsumerHeartbeatIntervalMs: gc.heartbeatIntervalMs, groupConsumerSessionTimeoutMs: gc.sessionTimeoutMs,
        groupConsumerMaxSize: gc.maxSize, groupConsumerMigrationPolicy: gc.migrationPolicy, share: k.groupShare,
        extraListeners: k.extraListeners,
      }, log);
      log.info(`kafka listening on ${shown(k.host)}:${kafka.port}`);
      k.extraListeners.forEach((l, i) => log.info(`kafka listening on ${shown(l.host ?? k.host)}:${kafka!.ports[i + 1]} (${l.saslRequired ? 'SASL required' : 'no SASL'})`));
    }
    if (config.sqs.port >= 0) {
      const q = config.sqs;
      if (!q.verifySignatures) {
        log.warn('sqs: SIGNATURES ARE NOT VERIFIED (sqs.verifySignatures is false): every SQS request acts as user guest, account 000000000000. For local development only.');
      }
      sqs = await listenSqs(b, {
        host: q.host, port: q.port, maxRequestBytes: q.maxRequestBytes, maxHeaders: q.maxHeaders, maxHeaderBytes: q.maxHeaderBytes,
        headersTimeoutMs: q.headersTimeoutMs, requestTimeoutMs: q.requestTimeoutMs, idleTimeoutMs: q.idleTimeoutMs, maxConnections: q.maxConnections,
        authenticate: q.verifySignatures ? verifiedAuthenticator(b.access) : unverifiedAuthenticator(),
      }, log);
      log.info(`sqs listening on ${shown(q.host)}:${sqs.port}`);
    }
    signal?.throwIfAborted();
  } catch (e) {
    stopWatching();
    await sqs?.close();
    await kafka?.close();
    await amqp?.close();
    await http?.close();
    if (broker) await broker.close();
    else await lock.release();
    throw e;
  }
  phase = 'ready';
  const openBroker = broker;
  const stopWarmUp = new AbortController();
  const warmUp = amqp !== null && config.amqp.warmUpMessages > 0 ? runWarmUp(config.amqp.warmUpMessages, stopWarmUp.signal, log) : Promise.resolve();
  let closing: Promise<void> | null = null;
  return {
    broker: openBroker,
    config,
    httpPort: http?.port ?? null,
    amqpPort: amqp?.port ?? null,
    kafkaPort: kafka?.port ?? null,
    kafkaExtraPorts: kafka?.ports.slice(1) ?? [],
    sqsPort: sqs?.port ?? null,
    banner() {
      const lines = [`Hopper ${openBroker.version} started`, `  data directory  ${config.dataDir} (fsync ${describeConfig(config).split('fsync ')[1]})`];
      if (http) lines.push(`  http            http://${shown(config.http.host)}:${http.port}/health`);
      if (amqp) lines.push(`  amqp            amqp://${shown(config.amqp.host)}:${amqp.port}`);
      if (kafka) lines.push(`  kafka           ${shown(config.kafka.host)}:${kafka.port}`);
      if (sqs) lines.push(`  sqs             http://${shown(config.sqs.host)}:${sqs.port}`);
      return lines.join('\n');
    },
    close() {
      closing ??= (async () => {
        phase = 'stopping';
        stopWarmUp.abort();
        stopWatching();
        await sqs?.close();
        await kafka?.close();
        await amqp?.close();
        await http?.close();
        await warmUp;
        const timer = setTimeout(() => log.warn('shutdown is taking longer than shutdownTimeoutMs'), config.shutdownTimeoutMs);
        try {
          await openBroker.close();
        } finally {
          clearTimeout(timer);
        }
        log.info('stopped');
      })();
      return closing;
    },
  };
}

/** The AMQP warm-up (./warm-up.ts), in the background: it never fails start-up. */
async function runWarmUp(messages: number, signal: AbortSignal, log: Logger): Promise<void> {
  const t0 = Date.now();
  try {
    const n = await warmUpAmqp(messages, signal);
    log.info(`amqp warm-up: ${n} messages in ${Date.now() - t0} ms`);
  } catch (e) {
    log.warn(`amqp warm-up failed: ${(e as Error).message}`);
  }
}

/** How a listener's host is shown: the loopback default as the address clients can use as is. */
function shown(host: string): string {
  return host === LOOPBACK ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
}
