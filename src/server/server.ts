/**
 * Starts a broker and its listeners from a ServerConfig, and stops them in order: listeners
 * first (no new work), then the broker (finish fsyncs, close logs).
 */
import { Broker } from '../core/broker/broker.js';
import { healthRoute, listenHttp, type HttpListener } from '../protocol/http/listener.js';
import { describeConfig, type ServerConfig } from './config.js';
import type { Logger } from './logger.js';

export interface RunningServer {
  readonly broker: Broker;
  readonly config: ServerConfig;
  /** Bound port of the HTTP listener, or null when disabled. */
  readonly httpPort: number | null;
  banner(): string;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  log.info(`opening ${describeConfig(config)}`);
  const broker = await Broker.open({
    dataDir: config.dataDir,
    fsync: config.fsync,
    maxMessageBytes: config.maxMessageBytes,
    segmentMaxBytes: config.segmentMaxBytes,
    logger: log,
  });
  const started = Date.now();
  let http: HttpListener | null = null;
  try {
    if (config.http.port >= 0) {
      http = await listenHttp(config.http.host, config.http.port, [
        healthRoute(broker, () => ({ uptimeMs: Date.now() - started, dataDir: config.dataDir })),
      ]);
      log.info(`http listening on ${config.http.host}:${http.port}`);
    }
  } catch (e) {
    await broker.close();
    throw e;
  }

  let closing: Promise<void> | null = null;
  return {
    broker,
    config,
    httpPort: http?.port ?? null,
    banner() {
      const lines = [`Hopper ${broker.version} started`, `  data directory  ${config.dataDir} (fsync ${describeConfig(config).split('fsync ')[1]})`];
      if (http) lines.push(`  http            http://${config.http.host}:${http.port}/health`);
      return lines.join('\n');
    },
    close() {
      closing ??= (async () => {
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
