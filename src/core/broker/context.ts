/**
 * What every vhost shares: where data lives, the filesystem and clock seams, and how logs are
 * opened with the broker-wide settings (fsync policy, segment size).
 */
import { join } from 'node:path';
import type { Logger } from '../../server/logger.js';
import type { StorageFs } from '../../storage/fs/index.js';
import { openLog, type SegmentLog } from '../../storage/log/index.js';
import { defaultLogConfig, type Clock, type FsyncPolicy, type Log, type LogConfig } from '../../storage/types.js';
import type { QueueLogKind } from '../queue/open.js';
import { DEAD_LETTER_LOG_INTERVAL_MS } from './dead-letter-log.js';
import { logConfigFromTopicConfigs, type TopicConfigs } from '../topic/config.js';

export interface TopicRetention {
  logRetentionMs: number;
  logRetentionBytes: number;
}

/** Kafka's defaults: 7 days, no size limit. */
export const defaultTopicRetention: Readonly<TopicRetention> = Object.freeze({ logRetentionMs: 7 * 24 * 3600 * 1000, logRetentionBytes: -1 });

/** How often, under fsync=always, queues' state logs are fsynced (BrokerOptions.queueStateFsyncIntervalMs). */
export const QUEUE_STATE_FSYNC_INTERVAL_MS = 100;

export class BrokerContext {
  constructor(
    readonly dataDir: string,
    readonly fs: StorageFs,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly fsync: FsyncPolicy,
    readonly maxMessageBytes: number,
    readonly segmentMaxBytes: number,
    /** Topics' retention unless a topic sets its own (Kafka's log.retention.ms / log.retention.bytes). */
    readonly topicRetention: TopicRetention = defaultTopicRetention,
    /** Dead-lettering is logged once per queue per this interval (dead-letter-log.ts). */
    readonly deadLetterLogIntervalMs = DEAD_LETTER_LOG_INTERVAL_MS,
    /** See BrokerOptions.queueStateFsyncIntervalMs. */
    readonly queueStateFsyncIntervalMs = QUEUE_STATE_FSYNC_INTERVAL_MS,
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
      fsync: durable ? (kind === 'state' ? this.stateFsync() : this.fsync) : { kind: 'never' },
    };
    // Only the message log's offsets are referred to (by the journal and checkpoints).
    return this.reported(openLog({ fs: this.fs, dir: join(queueDir, kind), config, clock: this.clock, highWater: kind === 'messages' }));
  };

  /**
   * A queue's state log (acks, deliveries) holds nothing a client is told is durable unless it
   * waits for it (ackDurable, purge), which forces an fsync: under `always` it is fsynced on a
   * timer, so an ack costs no fsync of its own (docs/queues.md, "Acks and the state log").
   */
  private stateFsync(): FsyncPolicy {
    const ms = this.queueStateFsyncIntervalMs;
    return this.fsync.kind === 'always' && ms > 0 ? { kind: 'interval', intervalMs: ms } : this.fsync;
  }

  /** Logs what recovery found damaged in a log as it opens (Broker.damage() keeps it for /health). */
  private async reported(opening: Promise<SegmentLog>): Promise<Log> {
    const log = await opening;
    for (const d of log.damage) this.logger.error(`log ${log.dir}: ${d.reason}`);
    return log;
  }

  /**
   * Topic configs' defaults set at run time by dynamic broker configs (Kafka's log.retention.ms
   * and the like, under the topic configs' names): between the broker's settings and a topic's
   * own configs. Set by Broker.setTopicDefaults, which reconfigures every topic.
   */
  topicDefaults: Readonly<TopicConfigs> = {};

  /** Topics' log settings from the broker's own settings alone (no dynamic defaults, no topic configs). */
  staticTopicLogConfig(): LogConfig {
    const r = this.topicRetention;
    return { ...this.base(), retentionMs: r.logRetentionMs, retentionBytes: r.logRetentionBytes };
  }

  topicLogConfig(configs: TopicConfigs): LogConfig {
    const r = this.topicRetention;
    return { ...this.base(), retentionMs: r.logRetentionMs, retentionBytes: r.logRetentionBytes, ...logConfigFromTopicConfigs({ ...this.topicDefaults, ...configs }) };
  }

  /** A topic partition: with the transaction index and the producer state Kafka needs (read_committed, idempotence). */
  openTopicLog = (dir: string, config: LogConfig): Promise<Log> => this.reported(openLog({ fs: this.fs, dir, config, clock: this.clock, transactions: true, producers: true }));

  /** Committed offsets: small records, compacted so the log stays the size of the live set. */
  openOffsetsLog = (dir: string): Promise<Log> =>
    this.reported(openLog({ fs: this.fs, dir, config: { ...this.base(), cleanupPolicy: 'compact', segmentMaxBytes: 16 * 1024 * 1024 }, clock: this.clock, highWater: false }));
}
