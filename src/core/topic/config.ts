/**
 * A topic's Kafka configs: the names and rules of Kafka 3.9 (../config/topic-defs.ts), stored in
 * their text form, and what Hopper does with them: the log's settings (retention, segments,
 * batch size, cleanup) and the checks Produce makes (timestamps, min.insync.replicas,
 * recompression). Configs Hopper has no use for are validated and stored only.
 */
import { HopperError } from '../errors.js';
import { BATCH_HEADER_BYTES } from '../../storage/codec/record-batch.js';
import { MAX_SEGMENT_BYTES } from '../../storage/log/layout.js';
import type { CleanupPolicy, LogConfig } from '../../storage/types.js';
import { type ConfigValue, parseValue, formatValue } from '../config/def.js';
import { topicConfigDefsByName, type TopicConfigDef } from '../config/topic-defs.js';

export type TopicConfigs = Record<string, string>;

function definition(name: string): TopicConfigDef {
  const def = topicConfigDefsByName.get(name);
  if (!def) throw new HopperError('INVALID_CONFIG', `Unknown topic config name: ${name}`);
  return def;
}

/** A LONG or INT value as a number JavaScript can hold: Kafka's Long.MAX_VALUE means "never". */
function num(v: ConfigValue): number {
  const n = Number(v);
  return n > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : n;
}

function parsedAll(configs: TopicConfigs): Map<string, ConfigValue> {
  const out = new Map<string, ConfigValue>();
  for (const [name, value] of Object.entries(configs)) out.set(name, parseValue(definition(name), value));
  return out;
}

/** Kafka's checks across configs, over the values in force (given ones over defaults). */
function checkTogether(values: Map<string, ConfigValue>): void {
  const get = (name: string): ConfigValue => values.get(name) ?? parseValue(definition(name), definition(name).defaultValue ?? '');
  const minLag = get('min.compaction.lag.ms') as bigint;
  const maxLag = get('max.compaction.lag.ms') as bigint;
  if (minLag > maxLag) {
    throw new HopperError('INVALID_CONFIG', `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`);
  }
  if (get('remote.storage.enable') === true) {
    throw new HopperError('INVALID_CONFIG', 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.');
  }
}

/**
 * Validates topic configs as Kafka does (unknown names, types, ranges, valid values, conflicts)
 * and returns them in Kafka's text form ("compact, delete" becomes "compact,delete"). Throws
 * HopperError INVALID_CONFIG with Kafka's message.
 */
export function normalizeTopicConfigs(configs: TopicConfigs): TopicConfigs {
  const values = parsedAll(configs);
  checkTogether(values);
  const out: TopicConfigs = {};
  for (const [name, v] of values) out[name] = formatValue(definition(name).type, v);
  return out;
}

/**
 * Validates each value, then returns the log settings the given configs override (those Hopper
 * applies to the log). The checks across configs are normalizeTopicConfigs', made when a topic's
 * configs are set: here a topic's own configs meet the broker's defaults, which may change later.
 */
export function logConfigFromTopicConfigs(configs: TopicConfigs): Partial<LogConfig> {
  const values = parsedAll(configs);
  const out: Partial<LogConfig> = {};
  for (const [name, v] of values) {
    switch (name) {
      case 'retention.ms': out.retentionMs = num(v); break;
      case 'retention.bytes': out.retentionBytes = Number(v) < 0 ? -1 : num(v); break;
      case 'segment.bytes': out.segmentMaxBytes = Math.min(num(v), MAX_SEGMENT_BYTES); break;
      case 'segment.ms': out.segmentMaxAgeMs = num(v); break;
      case 'max.message.bytes': out.maxBatchBytes = Math.max(num(v), BATCH_HEADER_BYTES); break;
      case 'index.interval.bytes': out.indexIntervalBytes = Math.min(num(v), MAX_SEGMENT_BYTES); break;
      case 'delete.retention.ms': out.deleteRetentionMs = num(v); break;
    }
  }
  const policy = values.get('cleanup.policy') as string[] | undefined;
  if (policy !== undefined) {
    const compact = policy.includes('compact');
    const del = policy.includes('delete');
    out.cleanupPolicy = (compact && del ? 'compact,delete' : compact ? 'compact' : 'delete') as CleanupPolicy;
    // Neither policy: nothing is ever deleted (Kafka 3.9 accepts an empty list).
    if (!compact && !del) {
      out.retentionMs = -1;
      out.retentionBytes = -1;
    }
  }
  return out;
}

export type TimestampType = 'CreateTime' | 'LogAppendTime';
export type TopicCompression = 'producer' | 'uncompressed' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** What Produce checks and does per topic, from the configs in force. */
export interface ProducePolicy {
  readonly timestampType: TimestampType;
  /** How far a CreateTime may lie behind / ahead of the broker's clock (Infinity: no bound). */
  readonly timestampBeforeMaxMs: number;
  readonly timestampAfterMaxMs: number;
  readonly minInsyncReplicas: number;
  readonly compression: TopicCompression;
  readonly gzipLevel: number;
  readonly zstdLevel: number;
}

export const defaultProducePolicy: ProducePolicy = Object.freeze({
  timestampType: 'CreateTime', timestampBeforeMaxMs: Infinity, timestampAfterMaxMs: Infinity, minInsyncReplicas: 1,
  compression: 'producer', gzipLevel: -1, zstdLevel: 3,
});

/** The produce policy of configs already validated (effective: the topic's over the broker's defaults). */
export function producePolicyOf(effective: TopicConfigs): ProducePolicy {
  const get = (name: string): ConfigValue => {
    const d = definition(name);
    return parseValue(d, effective[name] ?? d.defaultValue ?? '');
  };
  const bound = (v: ConfigValue): number => (BigInt(v as bigint) >= BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v));
  const difference = bound(get('message.timestamp.difference.max.ms'));
  // Kafka 3.6+ (KIP-937): the deprecated difference bound applies where before/after are not set.
  const before = bound(get('message.timestamp.before.max.ms'));
  const after = bound(get('message.timestamp.after.max.ms'));
  return {
    timestampType: get('message.timestamp.type') as TimestampType,
    timestampBeforeMaxMs: before === Infinity ? difference : before,
    timestampAfterMaxMs: after === Infinity ? difference : after,
    minInsyncReplicas: get('min.insync.replicas') as number,
    compression: get('compression.type') as TopicCompression,
    gzipLevel: get('compression.gzip.level') as number,
    zstdLevel: get('compression.zstd.level') as number,
  };
}
