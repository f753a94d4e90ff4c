#!/usr/bin/env -S node --initial-old-space-size=64
/**
 * The `hopper` command. `hopper start` runs the broker in the foreground until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import type { RunningServer } from '../server/server.js';

const usage = `usage: hopper start [options]

options:
  --data DIR          data directory (default ./data; env HOPPER_DATA_DIR)
  --config FILE       JSON configuration file (see docs/configuration.md)
  --fsync POLICY      always | interval:<ms> | never (default always; env HOPPER_FSYNC)
  --http-port N       HTTP port for health (default 8080; -1 disables; env HOPPER_HTTP_PORT)
  --amqp-port N       AMQP 0-9-1 port (default 5672; -1 disables; env HOPPER_AMQP_PORT)
  --kafka-port N      Kafka port (default 9092; -1 disables; env HOPPER_KAFKA_PORT)
  --kafka-extra-listeners L  more Kafka listeners, [host:]port:plaintext|sasl,...
                      (env HOPPER_KAFKA_EXTRA_LISTENERS; see docs/configuration.md)
  --sqs-port N        Amazon SQS port (default 9324; -1 disables; env HOPPER_SQS_PORT)
  --host ADDR         address for all listeners (default localhost: 127.0.0.1 and ::1)
  --log-level LEVEL   error | warn | info | debug (default info; env HOPPER_LOG_LEVEL)
  --log-format FORMAT text | json: one JSON object per line (default text; env HOPPER_LOG_FORMAT)
  -h, --help          this text
`;

/**
 * `--http-port -1` must mean "disabled", but parseArgs reads a value starting with '-' as an
 * option; join such negative numbers to their flag (`--http-port=-1`).
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && next !== undefined && /^-\d+$/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv),
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      config: { type: 'string' },
      fsync: { type: 'string' },
      'http-port': { type: 'string' },
      'amqp-port': { type: 'string' },
      'kafka-port': { type: 'string' },
      'kafka-extra-listeners': { type: 'string' },
      'sqs-port': { type: 'string' },
      host: { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(usage);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command !== 'start') {
    process.stderr.write(`hopper: unknown command ${JSON.stringify(command)}\n${usage}`);
    return 2;
  }
  const config = loadConfig({
    file: values.config,
    env: process.env,
    flags: {
      dataDir: values.data,
      fsync: values.fsync,
      'http.port': values['http-port'],
      'http.host': values.host,
      'amqp.port': values['amqp-port'],
      'amqp.host': values.host,
      'kafka.port': values['kafka-port'],
      'kafka.extraListeners': values['kafka-extra-listeners'],
      'sqs.port': values['sqs-port'],
      'kafka.host': values.host,
      'sqs.host': values.host,
      logLevel: values['log-level'],
      logFormat: values['log-format'],
    },
  });
  const log = createLogger(config.logLevel, undefined, config.logFormat);
  // Signal handlers go in before anything slow (loading the broker's modules, recovery): a
  // signal during start-up stops start-up cleanly instead of killing the process mid-recovery.
  const abort = new AbortController();
  let server: RunningServer | null = null;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received, ${server ? 'shutting down' : 'stopping start-up'}`);
    if (server === null) {
      abort.abort(new Error(`start-up stopped by ${signal}`));
      return;
    }
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error(`shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const { startServer } = await import('../server/server.js');
  try {
    server = await startServer(config, log, { signal: abort.signal });
  } catch (e) {
    if (!abort.signal.aborted) throw e;
    log.info('stopped during start-up');
    return 0;
  }
  if (abort.signal.aborted) {
    // The signal came after the last step of start-up, before `server` was set.
    await server.close();
    return 0;
  }
  process.stdout.write(server.banner() + '\n');
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`hopper: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
