/**
 * Kafka topic configuration names and how they map onto the log's settings. Only the names
 * listed here are accepted; Kafka's DescribeConfigs/AlterConfigs use this table.
 */
import { HopperError } from '../errors.js';
import type { CleanupPolicy, LogConfig } from '../../storage/types.js';

export type TopicConfigs = Record<string, string>;

interface Entry {
  /** Reads the Kafka string form into the log config; throws INVALID_ARGUMENT on bad values. */
  apply(value: string, into: Partial<LogConfig>): void;
  /** The current value in Kafka's string form. */
  read(cfg: LogConfig): string;
}

function intValue(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new HopperError('INVALID_ARGUMENT', `${name} must be an integer >= ${min}, not ${JSON.stringify(value)}`);
  }
  return n;
}

export const topicConfigTable: Record<string, Entry> = {
  'retention.ms': {
    apply: (v, c) => { c.retentionMs = intValue('retention.ms', v, -1); },
    read: (c) => String(c.retentionMs),
  },
  'retention.bytes': {
    apply: (v, c) => { c.retentionBytes = intValue('retention.bytes', v, -1); },
    read: (c) => String(c.retentionBytes),
  },
  'segment.bytes': {
    apply: (v, c) => { c.segmentMaxBytes = intValue('segment.bytes', v, 14); },
    read: (c) => String(c.segmentMaxBytes),
  },
  'segment.ms': {
    apply: (v, c) => { c.segmentMaxAgeMs = intValue('segment.ms', v, 1); },
    read: (c) => String(c.segmentMaxAgeMs),
  },
  'max.message.bytes': {
    apply: (v, c) => { c.maxBatchBytes = intValue('max.message.bytes', v, 0); },
    read: (c) => String(c.maxBatchBytes),
  },
  'index.interval.bytes': {
    apply: (v, c) => { c.indexIntervalBytes = intValue('index.interval.bytes', v, 0); },
    read: (c) => String(c.indexIntervalBytes),
  },
  'cleanup.policy': {
    apply: (v, c) => {
      const norm = v.split(',').map((s) => s.trim()).sort().join(',');
      if (norm !== 'delete' && norm !== 'compact' && norm !== 'compact,delete') {
        throw new HopperError('INVALID_ARGUMENT', `cleanup.policy must be delete, compact or compact,delete, not ${JSON.stringify(v)}`);
      }
      c.cleanupPolicy = norm as CleanupPolicy;
    },
    read: (c) => c.cleanupPolicy,
  },
};

/** Validates Kafka-style configs and returns the log settings they override. */
export function logConfigFromTopicConfigs(configs: TopicConfigs): Partial<LogConfig> {
  const out: Partial<LogConfig> = {};
  for (const [name, value] of Object.entries(configs)) {
    const entry = topicConfigTable[name];
    if (!entry) throw new HopperError('INVALID_ARGUMENT', `unknown topic config ${JSON.stringify(name)}`);
    entry.apply(value, out);
  }
  return out;
}

/** Every supported config with its current value (for DescribeConfigs). */
export function describeTopicConfigs(cfg: LogConfig): TopicConfigs {
  const out: TopicConfigs = {};
  for (const [name, entry] of Object.entries(topicConfigTable)) out[name] = entry.read(cfg);
  return out;
}
