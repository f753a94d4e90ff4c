/**
 * Starts a broker and its listeners from a ServerConfig, and stops them in order: listeners
 * first (no new work), then the broker (finish fsyncs, close logs).
 */
import { totalmem } from 'node:os';
import { watchResources } from '../core/broker/alarms.js';
import { Broker } from '../core/broker/broker.js';
import { listenAmqp, type AmqpListener } from '../protocol/amqp/server/listener.js';
import { healthRoute, listenHttp, type HttpListener } from '../protocol/http/listener.js';
import { listenKafka, type KafkaListener } from '../protocol/kafka/server/listener.js';
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
  banner(): string;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  log.info(`opening ${describeConfig(config)}`);
  const { concurrentHashesMax, ...loginThrottle } = config.auth;
  const broker = await Broker.open({
    dataDir: config.dataDir,
    fsync: config.fsync,
    maxMessageBytes: config.maxMessageBytes,
    segmentMaxBytes: config.segmentMaxBytes,
    logRetentionMs: config.kafka.logRetentionMs,
    logRetentionBytes: config.kafka.logRetentionBytes,
    logger: log,
    auth: { concurrentHashesMax, loginThrottle },
  });
  const started = Date.now();
  let http: HttpListener | null = null;
  let amqp: AmqpListener | null = null;
  let kafka: KafkaListener | null = null;
  const stopWatching = watchResources(broker.alarms, {
    dataDir: config.dataDir,
    memoryHighWatermarkBytes: config.memoryHighWatermarkBytes > 0 ? config.memoryHighWatermarkBytes : Math.floor(totalmem() * 0.6),
    diskFreeLimitBytes: config.diskFreeLimitBytes,
    intervalMs: 2_000,
  });
  broker.alarms.subscribe((active) => log.warn(active.size > 0 ? `resource alarm: ${[...active].join(', ')}; publishers are blocked` : 'resource alarms cleared'));
  try {
    if (config.http.port >= 0) {
      http = await listenHttp(config.http.host, config.http.port, [
        healthRoute(broker, () => ({ uptimeMs: Date.now() - started, dataDir: config.dataDir })),
      ]);
      log.info(`http listening on ${config.http.host}:${http.port}`);
    }
    if (config.amqp.port >= 0) {
      const a = config.amqp;
      if (a.warmUpMessages > 0) {
        const t0 = Date.now();
        const n = await warmUpAmqp(a.warmUpMessages).catch((e: unknown) => {
          log.warn(`amqp warm-up failed (start-up goes on): ${(e as Error).message}`);
          return 0;
        });
        log.info(`amqp warm-up: ${n} messages in ${Date.now() - t0} ms`);
      }
      amqp = await listenAmqp(broker, {
        host: a.host, port: a.port, logger: log,
        frameMaxBytes: a.frameMaxBytes, channelMax: a.channelMax, heartbeatSec: a.heartbeatSec, handshakeTimeoutMs: a.handshakeTimeoutMs, maxConnections: a.maxConnections,
      });
      log.info(`amqp listening on ${config.amqp.host}:${amqp.port}`);
    }
    if (config.kafka.port >= 0) {
      const k = config.kafka;
      kafka = await listenKafka(broker, { host: k.host, port: k.port, autoCreateTopics: k.autoCreateTopics, numPartitions: k.numPartitions, saslRequired: k.saslRequired }, log);
      log.info(`kafka listening on ${k.host}:${kafka.port}`);
    }
  } catch (e) {
    stopWatching();
    await amqp?.close();
    await http?.close();
    await broker.close();
    throw e;
  }

  let closing: Promise<void> | null = null;
  return {
    broker,
    config,
    httpPort: http?.port ?? null,
    amqpPort: amqp?.port ?? null,
    kafkaPort: kafka?.port ?? null,
    banner() {
      const lines = [`Hopper ${broker.version} started`, `  data directory  ${config.dataDir} (fsync ${describeConfig(config).split('fsync ')[1]})`];
      if (http) lines.push(`  http            http://${config.http.host}:${http.port}/health`);
      if (amqp) lines.push(`  amqp            amqp://${config.amqp.host}:${amqp.port}`);
      if (kafka) lines.push(`  kafka           ${config.kafka.host}:${kafka.port}`);
      return lines.join('\n');
    },
    close() {
      closing ??= (async () => {
        stopWatching();
        await kafka?.close();
        await amqp?.close();
        await http?.close();
        const timer = setTimeout(() => log.warn('shutdown is taking longer than shutdownTimeoutMs'), config.shutdownTimeoutMs);
        try {
          await broker.close();
        } finally {
          clearTimeout(timer);
        }
        log.info('stopped');
      })();
      return closing;
    },
  };
}
