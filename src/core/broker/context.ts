/**
 * What every vhost shares: where data lives, the filesystem and clock seams, and how logs are
 * opened with the broker-wide settings (fsync policy, segment size).
 */
import { join } from 'node:path';
import type { Logger } from '../../server/logger.js';
import type { StorageFs } from '../../storage/fs/index.js';
import { openLog } from '../../storage/log/index.js';
import { defaultLogConfig, type Clock, type FsyncPolicy, type Log, type LogConfig } from '../../storage/types.js';
import type { QueueLogKind } from '../queue/open.js';
import { DEAD_LETTER_LOG_INTERVAL_MS } from './dead-letter-log.js';
import { logConfigFromTopicConfigs, type TopicConfigs } from '../topic/config.js';

export class BrokerContext {
  constructor(
    readonly dataDir: string,
    readonly fs: StorageFs,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly fsync: FsyncPolicy,
    readonly maxMessageBytes: number,
    readonly segmentMaxBytes: number,
    /** Dead-lettering is logged once per queue per this interval (dead-letter-log.ts). */
    readonly deadLetterLogIntervalMs = DEAD_LETTER_LOG_INTERVAL_MS,
  ) {}

  /** Broker-wide log settings; topic and queue settings are layered over these. */
  private base(): LogConfig {
    return { ...defaultLogConfig, fsync: this.fsync, segmentMaxBytes: this.segmentMaxBytes, maxBatchBytes: Math.max(defaultLogConfig.maxBatchBytes, this.maxMessageBytes + 64 * 1024) };
  }

  /** A queue's messages or state log. Transient queues never fsync: they die with the broker. */
  openQueueLog = (queueDir: string, kind: QueueLogKind, suggested: Partial<LogConfig>, durable: boolean): Promise<Log> => {
    const base = this.base();
    const config: LogConfig = {
      ...base,
      ...suggested,
      segmentMaxBytes: Math.min(suggested.segmentMaxBytes ?? base.segmentMaxBytes, base.segmentMaxBytes),
      fsync: durable ? this.fsync : { kind: 'never' },
    };
    return openLog({ fs: this.fs, dir: join(queueDir, kind), config, clock: this.clock });
  };

  topicLogConfig(configs: TopicConfigs): LogConfig {
    return { ...this.base(), ...logConfigFromTopicConfigs(configs) };
  }

  /** A topic partition: with the transaction index and the producer state Kafka needs (read_committed, idempotence). */
  openTopicLog = (dir: string, config: LogConfig): Promise<Log> => openLog({ fs: this.fs, dir, config, clock: this.clock, transactions: true, producers: true });

  /** Committed offsets: small records, compacted so the log stays the size of the live set. */
  openOffsetsLog = (dir: string): Promise<Log> =>
    openLog({ fs: this.fs, dir, config: { ...this.base(), cleanupPolicy: 'compact', segmentMaxBytes: 16 * 1024 * 1024 }, clock: this.clock });
}
