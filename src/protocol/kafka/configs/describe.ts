/**
 * DescribeConfigs entries as Kafka 3.9 builds them (its ConfigHelper): each config's value in
 * force, its source, its synonyms in order of precedence (a topic's own setting, then the broker
 * configs it falls back to: this node's dynamic ones, the cluster-wide dynamic defaults, the
 * static settings, Kafka's defaults) and, when asked, its type and documentation. Also used by
 * CreateTopics v5+, which returns the new topic's configs.
 */
import { configTypeIds, formatValue, parseValue } from '../../../core/config/def.js';
import { topicConfigDefs, type TopicConfigDef } from '../../../core/config/topic-defs.js';
import type { KafkaContext } from '../server/context.js';
import { type BrokerConfigDef, brokerConfigDefs, brokerConfigDefsByName, brokerSynonymNames } from './broker-defs.js';
import { groupConfigDefs } from './group-defs.js';

export const ConfigSource = {
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_GROUP_CONFIG: 8,
} as const;

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: ConfigSynonym[];
  configType: number;
  documentation: string | null;
}

export interface DescribeOptions {
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

/** Hopper's own value of a broker config, when it differs from Kafka's default. */
function staticValue(kafka: KafkaContext, def: BrokerConfigDef | undefined): string | null {
  const v = def?.hopper?.(kafka) ?? null;
  return v === null || v === def?.defaultValue ? null : v;
}

/**
 * The values of a broker config and its synonyms at every level, in Kafka's order (all names at
 * one level before the next), from the first entry that names `base` on (Kafka drops what comes
 * before it: retention.ms with only log.retention.hours at its default has no synonyms).
 */
function brokerSynonyms(kafka: KafkaContext, base: string): ConfigSynonym[] {
  const names = brokerSynonymNames(base);
  const { perBroker, clusterDefault } = kafka.broker.catalogue.brokerConfigs();
  const out: ConfigSynonym[] = [];
  for (const n of names) if (perBroker[n] !== undefined) out.push({ name: n, value: perBroker[n]!, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
  for (const n of names) if (clusterDefault[n] !== undefined) out.push({ name: n, value: clusterDefault[n]!, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
  for (const n of names) {
    const v = staticValue(kafka, brokerConfigDefsByName.get(n));
    if (v !== null) out.push({ name: n, value: v, source: ConfigSource.STATIC_BROKER_CONFIG });
  }
  for (const n of names) {
    const d = brokerConfigDefsByName.get(n)?.defaultValue ?? null;
    if (d !== null) out.push({ name: n, value: d, source: ConfigSource.DEFAULT_CONFIG });
  }
  const first = out.findIndex((s) => s.name === base);
  return first < 0 ? [] : out.slice(first);
}

/** A time config's unit in milliseconds (log.retention.hours: 3600000), 1 for everything else. */
const unitFactor = new Map<string, number>();
for (const t of topicConfigDefs) for (const s of t.brokerSynonyms) unitFactor.set(s.name, s.toTopicFactor);

/**
 * The value in force of a broker config, in its own unit: the first name of its synonym family
 * that has a value at any level (log.retention.ms unset falls back to log.retention.hours).
 */
function brokerValue(kafka: KafkaContext, name: string): string | null {
  const { perBroker, clusterDefault } = kafka.broker.catalogue.brokerConfigs();
  const own = unitFactor.get(name) ?? 1;
  for (const n of brokerSynonymNames(name).slice(brokerSynonymNames(name).indexOf(name))) {
    const def = brokerConfigDefsByName.get(n);
    const v = perBroker[n] ?? clusterDefault[n] ?? staticValue(kafka, def) ?? def?.defaultValue ?? null;
    if (v === null) continue;
    const factor = unitFactor.get(n) ?? 1;
    return factor === own ? v : String((BigInt(v) * BigInt(factor)) / BigInt(own));
  }
  return brokerConfigDefsByName.get(name)?.derived?.(kafka) ?? null;
}

/** A topic config's value without a topic setting: what its broker synonyms give, else Kafka's default. */
export function topicDefaultValue(kafka: KafkaContext, def: TopicConfigDef): string | null {
  const s = def.brokerSynonyms[0];
  const v = s === undefined ? null : brokerValue(kafka, s.name);
  return v === null ? def.defaultValue : formatValue(def.type, parseValue(def, v));
}

/** Every topic config of a topic, its own settings over the defaults (Kafka's order: by name). */
export function describeTopic(kafka: KafkaContext, set: Readonly<Record<string, string>>, opts: DescribeOptions): DescribedConfig[] {
  return topicConfigDefs.map((def) => {
    const own = set[def.name];
    const value = own ?? topicDefaultValue(kafka, def);
    const all = def.brokerSynonyms.length > 0 ? brokerSynonyms(kafka, def.brokerSynonyms[0]!.name) : [];
    if (own !== undefined) all.unshift({ name: def.name, value: own, source: ConfigSource.TOPIC_CONFIG });
    return {
      name: def.name,
      value,
      readOnly: false,
      configSource: all[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: def.type === 'PASSWORD',
      synonyms: opts.includeSynonyms ? all : [],
      configType: configTypeIds[def.type],
      documentation: opts.includeDocumentation ? def.doc : null,
    };
  });
}

/**
 * This node's broker configs. `perBroker` false describes the cluster-wide level (an empty
 * resource name): only the dynamic defaults set there, as Kafka answers.
 */
export function describeBroker(kafka: KafkaContext, perBroker: boolean, opts: DescribeOptions): DescribedConfig[] {
  const defaults = kafka.broker.catalogue.brokerConfigs().clusterDefault;
  const defs = perBroker ? brokerConfigDefs : brokerConfigDefs.filter((d) => defaults[d.name] !== undefined);
  return defs.map((def) => {
    const all = brokerSynonyms(kafka, def.name).filter((s) => perBroker || s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    const sensitive = def.type === 'PASSWORD';
    return {
      name: def.name,
      value: sensitive ? null : perBroker ? brokerValue(kafka, def.name) : defaults[def.name]!,
      readOnly: def.dynamic === null,
      configSource: all[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: sensitive,
      synonyms: opts.includeSynonyms ? all : [],
      configType: configTypeIds[def.type],
      documentation: opts.includeDocumentation ? def.doc : null,
    };
  });
}

/** A group's configs: its own settings (DYNAMIC_GROUP_CONFIG) over the broker's share group settings. */
export function describeGroup(kafka: KafkaContext, set: Readonly<Record<string, string>>, opts: DescribeOptions): DescribedConfig[] {
  return groupConfigDefs.map((def) => {
    const own = set[def.name];
    const fallback = def.defaultOf(kafka.options.share);
    const synonyms: ConfigSynonym[] = [];
    if (own !== undefined) synonyms.push({ name: def.name, value: own, source: ConfigSource.DYNAMIC_GROUP_CONFIG });
    if (fallback !== null) synonyms.push({ name: def.name, value: fallback, source: ConfigSource.DEFAULT_CONFIG });
    return {
      name: def.name,
      value: own ?? fallback,
      readOnly: false,
      configSource: own !== undefined ? ConfigSource.DYNAMIC_GROUP_CONFIG : ConfigSource.DEFAULT_CONFIG,
      isSensitive: false,
      synonyms: opts.includeSynonyms ? synonyms : [],
      configType: configTypeIds[def.type],
      documentation: opts.includeDocumentation ? def.doc : null,
    };
  });
}
