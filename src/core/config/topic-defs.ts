/**
 * Every topic config Kafka 3.9 accepts, with Kafka's type, default and validation, and the broker
 * configs that supply its default (Kafka's synonyms: retention.ms falls back to log.retention.ms,
 * then log.retention.minutes, then log.retention.hours). `applied` says whether Hopper acts on
 * the value (docs/kafka-configs.md lists what each does) or only stores and echoes it, as a
 * one-node Kafka stores replication settings it has no use for.
 */
import { atLeast, between, type ConfigDef, LONG_MAX_TEXT, listOf, oneOf, type Validator } from './def.js';
import { validateMetadataVersion } from './metadata-version.js';

/** A broker config a topic config falls back to, with the factor from its unit to the topic config's. */
export interface BrokerSynonym extends ConfigDef {
  readonly toTopicFactor: number;
}

export interface TopicConfigDef extends ConfigDef {
  /** In Kafka's order of precedence; the first is the one a dynamic broker config sets. */
  readonly brokerSynonyms: readonly BrokerSynonym[];
  readonly applied: boolean;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

function broker(name: string, type: ConfigDef['type'], defaultValue: string | null, doc: string, validate?: Validator, toTopicFactor = 1): BrokerSynonym {
  return { name, type, defaultValue, doc, toTopicFactor, ...(validate ? { validate } : {}) };
}

/** The topic config's own definition reused for its broker synonym of the same meaning. */
function same(name: string, t: Omit<TopicConfigDef, 'brokerSynonyms'>): BrokerSynonym {
  return { name, type: t.type, defaultValue: t.defaultValue, doc: t.doc, toTopicFactor: 1, ...(t.validate ? { validate: t.validate } : {}) };
}

function topic(t: Omit<TopicConfigDef, 'brokerSynonyms'>, synonyms: (t: Omit<TopicConfigDef, 'brokerSynonyms'>) => BrokerSynonym[] = () => []): TopicConfigDef {
  return { ...t, brokerSynonyms: synonyms(t) };
}

const replicaList: Validator = (v, fail) => {
  const items = (v as string[]).map((s) => s.trim());
  if (items.join('') === '*' || items.every((s) => /^(\d+:\d+)?$/.test(s))) return;
  fail('must be the literal \'*\' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...');
};

const gzipLevel: Validator = (v, fail) => {
  const n = v as number;
  if (n > 9 || (n < 1 && n !== -1)) fail('Value must be between 1 and 9 or equal to -1');
};

const compressionTypes = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];

export const topicConfigDefs: readonly TopicConfigDef[] = [
  topic({
    name: 'cleanup.policy', type: 'LIST', defaultValue: 'delete', validate: listOf('compact', 'delete'), applied: true,
    doc: 'How old log segments are cleaned up. "delete" removes whole old segments by retention.ms and retention.bytes; "compact" keeps the latest record of each key (and drops tombstones after delete.retention.ms); "compact,delete" does both. An empty list keeps everything.',
  }, (t) => [same('log.cleanup.policy', t)]),
  topic({
    name: 'compression.gzip.level', type: 'INT', defaultValue: '-1', validate: gzipLevel, applied: true,
    doc: 'The gzip level used when the topic recompresses batches with compression.type gzip (1 to 9, or -1 for zlib\'s default).',
  }, (t) => [same('compression.gzip.level', t)]),
  topic({
    name: 'compression.lz4.level', type: 'INT', defaultValue: '9', validate: between(1, 17), applied: false,
    doc: 'The LZ4 level for batches the topic recompresses with lz4 (stored; Hopper\'s LZ4 encoder has one level).',
  }, (t) => [same('compression.lz4.level', t)]),
  topic({
    name: 'compression.type', type: 'STRING', defaultValue: 'producer', validate: oneOf(...compressionTypes), applied: true,
    doc: 'The compression of the batches the topic stores: "producer" keeps each batch as the producer compressed it; uncompressed, gzip, snappy, lz4 or zstd makes the broker recompress batches that arrive with another codec.',
  }, (t) => [same('compression.type', t)]),
  topic({
    name: 'compression.zstd.level', type: 'INT', defaultValue: '3', validate: between(-131072, 22), applied: true,
    doc: 'The zstd level for batches the topic recompresses with zstd.',
  }, (t) => [same('compression.zstd.level', t)]),
  topic({
    name: 'delete.retention.ms', type: 'LONG', defaultValue: '86400000', validate: atLeast(0), applied: true,
    doc: 'How long a tombstone (a record with a null value) stays in a compacted topic after its timestamp, so that a consumer reading from the start still sees the delete.',
  }, (t) => [same('log.cleaner.delete.retention.ms', t)]),
  topic({
    name: 'file.delete.delay.ms', type: 'LONG', defaultValue: '60000', validate: atLeast(0), applied: false,
    doc: 'How long Kafka waits before deleting a file it has removed from the log (stored; Hopper deletes at once).',
  }, (t) => [same('log.segment.delete.delay.ms', t)]),
  topic({
    name: 'flush.messages', type: 'LONG', defaultValue: LONG_MAX_TEXT, validate: atLeast(1), applied: false,
    doc: 'Messages written between forced fsyncs (stored; Hopper\'s fsync policy decides, and by default every acknowledged write is fsynced).',
  }, (t) => [same('log.flush.interval.messages', t)]),
  topic({
    name: 'flush.ms', type: 'LONG', defaultValue: LONG_MAX_TEXT, validate: atLeast(0), applied: false,
    doc: 'Longest time between forced fsyncs (stored; Hopper\'s fsync policy decides).',
  }, () => [
    broker('log.flush.interval.ms', 'LONG', null, 'Longest time a message stays unflushed; log.flush.scheduler.interval.ms when unset.'),
    broker('log.flush.scheduler.interval.ms', 'LONG', LONG_MAX_TEXT, 'How often logs are checked for a due flush.'),
  ]),
  topic({
    name: 'follower.replication.throttled.replicas', type: 'LIST', defaultValue: '', validate: replicaList, applied: false,
    doc: 'Replicas whose follower-side replication is throttled (stored; one node has no followers).',
  }),
  topic({
    name: 'index.interval.bytes', type: 'INT', defaultValue: '4096', validate: atLeast(0), applied: true,
    doc: 'Bytes of batches between two entries of the offset and time indexes: smaller means more precise seeks and larger index files.',
  }, (t) => [same('log.index.interval.bytes', t)]),
  topic({
    name: 'leader.replication.throttled.replicas', type: 'LIST', defaultValue: '', validate: replicaList, applied: false,
    doc: 'Replicas whose leader-side replication is throttled (stored; one node has no followers).',
  }),
  topic({
    name: 'local.retention.bytes', type: 'LONG', defaultValue: '-2', validate: atLeast(-2), applied: false,
    doc: 'Bytes kept on local disk when tiered storage is on (stored; Hopper has no tiered storage).',
  }, (t) => [same('log.local.retention.bytes', t)]),
  topic({
    name: 'local.retention.ms', type: 'LONG', defaultValue: '-2', validate: atLeast(-2), applied: false,
    doc: 'Time kept on local disk when tiered storage is on (stored; Hopper has no tiered storage).',
  }, (t) => [same('log.local.retention.ms', t)]),
  topic({
    name: 'max.compaction.lag.ms', type: 'LONG', defaultValue: LONG_MAX_TEXT, validate: atLeast(1), applied: false,
    doc: 'Longest time a record may stay uncompacted (stored; Hopper compacts whenever retention runs, every minute).',
  }, (t) => [same('log.cleaner.max.compaction.lag.ms', t)]),
  topic({
    name: 'max.message.bytes', type: 'INT', defaultValue: '1048588', validate: atLeast(0), applied: true,
    doc: 'The largest record batch the topic accepts, after compression; a larger one is refused with MESSAGE_TOO_LARGE.',
  }, (t) => [same('message.max.bytes', t)]),
  topic({
    name: 'message.downconversion.enable', type: 'BOOLEAN', defaultValue: 'true', applied: false,
    doc: 'Whether old fetch versions may get converted batches (stored; Hopper serves Fetch v4 and later, which read batches as stored).',
  }, (t) => [same('log.message.downconversion.enable', t)]),
  topic({
    name: 'message.format.version', type: 'STRING', defaultValue: '3.0-IV1', validate: validateMetadataVersion, applied: false,
    doc: 'The record format the topic writes; ignored since Kafka 3.0 (every batch is format v2), validated and stored.',
  }, (t) => [same('log.message.format.version', t)]),
  topic({
    name: 'message.timestamp.after.max.ms', type: 'LONG', defaultValue: LONG_MAX_TEXT, validate: atLeast(0), applied: true,
    doc: 'How far in the future a record\'s CreateTime may be; a batch with a later timestamp is refused with INVALID_TIMESTAMP.',
  }, (t) => [same('log.message.timestamp.after.max.ms', t)]),
  topic({
    name: 'message.timestamp.before.max.ms', type: 'LONG', defaultValue: LONG_MAX_TEXT, validate: atLeast(0), applied: true,
    doc: 'How far in the past a record\'s CreateTime may be; a batch with an older timestamp is refused with INVALID_TIMESTAMP.',
  }, (t) => [same('log.message.timestamp.before.max.ms', t)]),
  topic({
    name: 'message.timestamp.difference.max.ms', type: 'LONG', defaultValue: LONG_MAX_TEXT, validate: atLeast(0), applied: true,
    doc: 'Deprecated: the bound for both before.max.ms and after.max.ms when they are not set.',
  }, (t) => [same('log.message.timestamp.difference.max.ms', t)]),
  topic({
    name: 'message.timestamp.type', type: 'STRING', defaultValue: 'CreateTime', validate: oneOf('CreateTime', 'LogAppendTime'), applied: true,
    doc: 'CreateTime keeps the producer\'s timestamps; LogAppendTime stamps each batch with the broker\'s clock when it is appended.',
  }, (t) => [same('log.message.timestamp.type', t)]),
  topic({
    name: 'min.cleanable.dirty.ratio', type: 'DOUBLE', defaultValue: '0.5', validate: between(0, 1), applied: false,
    doc: 'Share of uncompacted log that triggers compaction (stored; Hopper compacts any new data when retention runs).',
  }, (t) => [broker('log.cleaner.min.cleanable.ratio', 'DOUBLE', '0.5', t.doc, between(0, 1))]),
  topic({
    name: 'min.compaction.lag.ms', type: 'LONG', defaultValue: '0', validate: atLeast(0), applied: false,
    doc: 'Shortest time a record stays uncompacted (stored).',
  }, (t) => [same('log.cleaner.min.compaction.lag.ms', t)]),
  topic({
    name: 'min.insync.replicas', type: 'INT', defaultValue: '1', validate: atLeast(1), applied: true,
    doc: 'Replicas that must hold a write for acks=all to succeed. One node holds one replica: above 1, acks=all produce is refused with NOT_ENOUGH_REPLICAS, as a one-broker Kafka does.',
  }, (t) => [same('min.insync.replicas', t)]),
  topic({
    name: 'preallocate', type: 'BOOLEAN', defaultValue: 'false', applied: false,
    doc: 'Whether new segment files are allocated at full size (stored).',
  }, (t) => [same('log.preallocate', t)]),
  topic({
    name: 'remote.log.copy.disable', type: 'BOOLEAN', defaultValue: 'false', applied: false,
    doc: 'Tiered storage: stop copying segments to remote storage (stored; Hopper has no tiered storage).',
  }),
  topic({
    name: 'remote.log.delete.on.disable', type: 'BOOLEAN', defaultValue: 'false', applied: false,
    doc: 'Tiered storage: delete remote data when it is turned off (stored; Hopper has no tiered storage).',
  }),
  topic({
    name: 'remote.storage.enable', type: 'BOOLEAN', defaultValue: 'false', applied: true,
    doc: 'Tiered storage for the topic. Hopper has none, so true is refused, as Kafka refuses it when its remote storage system is off.',
  }),
  topic({
    name: 'retention.bytes', type: 'LONG', defaultValue: '-1', applied: true,
    doc: 'Largest size of each partition: the oldest whole segments are deleted while the rest is at least this large. A negative value means no limit.',
  }, (t) => [same('log.retention.bytes', t)]),
  topic({
    name: 'retention.ms', type: 'LONG', defaultValue: '604800000', validate: atLeast(-1), applied: true,
    doc: 'How long records are kept: whole segments whose newest record is older are deleted and the log start offset moves. -1 keeps records forever.',
  }, () => [
    broker('log.retention.ms', 'LONG', null, 'Retention of topics in milliseconds; log.retention.minutes when unset.'),
    broker('log.retention.minutes', 'INT', null, 'Retention of topics in minutes; log.retention.hours when unset.', undefined, MINUTE_MS),
    broker('log.retention.hours', 'INT', '168', 'Retention of topics in hours, the last fallback.', undefined, HOUR_MS),
  ]),
  topic({
    name: 'segment.bytes', type: 'INT', defaultValue: '1073741824', validate: atLeast(14), applied: true,
    doc: 'Size at which a partition rolls to a new segment file; retention deletes whole segments.',
  }, (t) => [same('log.segment.bytes', t)]),
  topic({
    name: 'segment.index.bytes', type: 'INT', defaultValue: '10485760', validate: atLeast(4), applied: false,
    doc: 'Preallocated size of each segment\'s index (stored; Hopper\'s indexes grow as needed).',
  }, (t) => [same('log.index.size.max.bytes', t)]),
  topic({
    name: 'segment.jitter.ms', type: 'LONG', defaultValue: '0', validate: atLeast(0), applied: false,
    doc: 'Random time taken off segment.ms per segment (stored).',
  }, () => [
    broker('log.roll.jitter.ms', 'LONG', null, 'Segment roll jitter in milliseconds; log.roll.jitter.hours when unset.'),
    broker('log.roll.jitter.hours', 'INT', '0', 'Segment roll jitter in hours.', atLeast(0), HOUR_MS),
  ]),
  topic({
    name: 'segment.ms', type: 'LONG', defaultValue: '604800000', validate: atLeast(1), applied: true,
    doc: 'Age at which a partition rolls to a new segment even when it is not full, so that retention can delete old data.',
  }, () => [
    broker('log.roll.ms', 'LONG', null, 'Segment roll time in milliseconds; log.roll.hours when unset.'),
    broker('log.roll.hours', 'INT', '168', 'Segment roll time in hours.', atLeast(1), HOUR_MS),
  ]),
  topic({
    name: 'unclean.leader.election.enable', type: 'BOOLEAN', defaultValue: 'false', applied: false,
    doc: 'Whether an out-of-sync replica may become leader (stored; one node is always the leader).',
  }, (t) => [same('unclean.leader.election.enable', t)]),
];

export const topicConfigDefsByName: ReadonlyMap<string, TopicConfigDef> = new Map(topicConfigDefs.map((d) => [d.name, d]));

/** The broker config that dynamically sets each topic config's default, by broker config name. */
export const dynamicTopicDefaults: ReadonlyMap<string, TopicConfigDef> = new Map(
  topicConfigDefs.filter((d) => d.brokerSynonyms.length > 0 && d.name !== 'message.format.version').map((d) => [d.brokerSynonyms[0]!.name, d]),
);
