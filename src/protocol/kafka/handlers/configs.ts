/**
 * Shared by DescribeConfigs, AlterConfigs and IncrementalAlterConfigs: topic configs are the
 * names src/core/topic/config.ts maps onto the log; those set on the topic are dynamic
 * (source 1), the rest defaults (source 5). Broker resources are described read-only.
 */
import { KafkaError } from '../codec/error-codes.js';
import { describeTopicConfigs, type TopicConfigs } from '../../../core/topic/config.js';
import type { KafkaContext } from '../server/context.js';
import { errorMessage, kafkaCode } from '../server/context.js';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
export const SOURCE_DYNAMIC_TOPIC = 1;
export const SOURCE_STATIC_BROKER = 4;
export const SOURCE_DEFAULT = 5;

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
}

export function topicConfigEntries(kafka: KafkaContext, name: string): ConfigEntry[] {
  const topic = kafka.vhost.topic(name);
  const set = kafka.broker.catalogue.topic(kafka.options.vhost, name)?.config ?? {};
  return Object.entries(describeTopicConfigs(topic.config)).map(([k, v]) => ({
    name: k, value: set[k] ?? v, readOnly: false, configSource: k in set ? SOURCE_DYNAMIC_TOPIC : SOURCE_DEFAULT, isSensitive: false,
  }));
}

export function brokerConfigEntries(kafka: KafkaContext): ConfigEntry[] {
  const o = kafka.options;
  const entry = (name: string, value: string): ConfigEntry => ({ name, value, readOnly: true, configSource: SOURCE_STATIC_BROKER, isSensitive: false });
  return [
    entry('broker.id', String(kafka.node.nodeId)),
    entry('auto.create.topics.enable', String(o.autoCreateTopics)),
    entry('num.partitions', String(o.numPartitions)),
    entry('default.replication.factor', '1'),
    entry('offsets.topic.replication.factor', '1'),
    entry('socket.request.max.bytes', String(o.maxRequestBytes)),
    entry('message.max.bytes', String(kafka.broker.ctx.maxMessageBytes)),
    entry('log.retention.ms', String(kafka.broker.ctx.topicRetention.logRetentionMs)),
    entry('log.retention.bytes', String(kafka.broker.ctx.topicRetention.logRetentionBytes)),
  ];
}

export function currentTopicConfigs(kafka: KafkaContext, name: string): TopicConfigs {
  return { ...(kafka.broker.catalogue.topic(kafka.options.vhost, name)?.config ?? {}) };
}

/** Applies a new set of dynamic topic configs (or only validates it). */
export async function applyTopicConfigs(
  kafka: KafkaContext,
  resourceType: number,
  name: string,
  build: (current: TopicConfigs) => TopicConfigs | number,
  validateOnly: boolean,
): Promise<{ errorCode: number; errorMessage: string | null }> {
  if (resourceType === RESOURCE_BROKER) return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'broker configs are read-only; set them in Hopper\'s configuration' };
  if (resourceType !== RESOURCE_TOPIC) return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `unsupported resource type ${resourceType}` };
  if (!kafka.topic(name)) return { errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `no topic '${name}'` };
  const next = build(currentTopicConfigs(kafka, name));
  if (typeof next === 'number') return { errorCode: next, errorMessage: 'unsupported config operation' };
  try {
    kafka.broker.ctx.topicLogConfig(next); // validates
    if (!validateOnly) await kafka.vhost.alterTopicConfig(name, next);
    return { errorCode: KafkaError.NONE, errorMessage: null };
  } catch (e) {
    const code = kafkaCode(e);
    return { errorCode: code === KafkaError.INVALID_REQUEST ? KafkaError.INVALID_CONFIG : code, errorMessage: errorMessage(e) };
  }
}
