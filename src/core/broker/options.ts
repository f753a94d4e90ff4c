/** Settings of an embedded broker (Broker.open). Units are last in every name. */
import type { Logger } from '../../server/logger.js';
import type { StorageFs } from '../../storage/fs/index.js';
import type { Clock, FsyncPolicy } from '../../storage/types.js';
import type { AccessControlOptions } from '../auth/access-control.js';
import type { DefaultUser } from '../catalogue/catalogue.js';
import type { DataDirLock } from './data-lock.js';

export interface BrokerOptions {
  /** Where logs, queue state and the catalogue live; created if missing. */
  dataDir: string;
  /** Durability of every durable queue and topic log. Default: always (ack after fsync). */
  fsync?: FsyncPolicy;
  /**
   * Under fsync=always, queues' state logs (consumer acks, delivery counts) are fsynced at most
   * this often rather than once per append, or at once when a caller waits for a settle to be
   * durable (ackDurable, purge). An ack is never awaited by AMQP clients, so this only bounds
   * how many acks a power failure can undo (the messages come back, redelivered); a killed
   * process loses none that were written. Default 100 ms; 0 fsyncs every append.
   */
  queueStateFsyncIntervalMs?: number;
  /** Largest message (key + value) any protocol may publish. Default 16 MiB. */
  maxMessageBytes?: number;
  /** Segment size of queue and topic logs. Default 128 MiB (queues use at most 64 MiB). */
  segmentMaxBytes?: number;
  /** How often topic retention and compaction run. Default 60 s. */
  retentionCheckIntervalMs?: number;
  /** Dead-lettering is logged as one line per queue per this interval. Default 10 s. */
  deadLetterLogIntervalMs?: number;
  /**
   * Topics' retention by time unless a topic sets `retention.ms` (Kafka's log.retention.ms):
   * whole segments whose newest record is older are deleted. Default 7 days; -1 keeps forever.
   */
  logRetentionMs?: number;
  /** Topics' retention by size per partition unless a topic sets `retention.bytes` (Kafka's log.retention.bytes). Default -1: no limit. */
  logRetentionBytes?: number;
  /** Created with full rights on '/' when the catalogue is new; null creates none. Default guest/guest (loopback only). */
  defaultUser?: DefaultUser | null;
  /** How failed logins slow their address down, and how many password hashes run at once. */
  auth?: Pick<AccessControlOptions, 'loginThrottle' | 'concurrentHashesMax'>;
  logger?: Logger;
  /**
   * The data directory's lock, already taken (DataDirLock.acquire): `hopper start` takes it
   * before its HTTP listener so that /health answers during recovery. The broker releases it
   * when closed, or when open fails. Default: Broker.open takes it.
   */
  lock?: DataDirLock;
  /** Aborts recovery between objects (a signal during start-up); open then rejects with its reason. */
  signal?: AbortSignal;
  /** Seams for tests: the filesystem (disk by default) and the clock. */
  fs?: StorageFs;
  clock?: Clock;
}
