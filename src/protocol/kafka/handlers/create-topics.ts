/**
 * CreateTopics: replication factor must be -1 or 1 (one node); manual assignments must name this
 * node. Configs are Kafka's topic configs, validated as Kafka does (INVALID_CONFIG); v5+ answers
 * with every config of the new topic, as DescribeConfigs would give it.
 */
import { CreateTopics } from '../api/create-topics.js';
import { KafkaError } from '../codec/error-codes.js';
import { ZERO_UUID } from '../codec/schema.js';
import { validateTopicName } from '../../../core/names.js';
import { normalizeTopicConfigs, type TopicConfigs } from '../../../core/topic/config.js';
import { describeTopic } from '../configs/describe.js';
import { maxPartitions } from '../../../core/topic/topic.js';
import { defineHandler } from '../server/handler.js';
import { Slices } from '../server/slices.js';
import { errorMessage, kafkaCode } from '../server/context.js';

export const createTopicsHandler = defineHandler(CreateTopics, async (req, { kafka, conn }) => {
  const topics = [];
  const slices = new Slices();
  for (const t of req.topics) {
    if (slices.due()) await slices.turn();
    const result = {
      name: t.name, topicId: ZERO_UUID, errorCode: KafkaError.NONE as number, errorMessage: null as string | null, numPartitions: -1, replicationFactor: -1,
      configs: null as { name: string; value: string | null; readOnly: boolean; configSource: number; isSensitive: boolean }[] | null,
    };
    topics.push(result);
    const fail = (code: number, message: string) => {
      result.errorCode = code;
      result.errorMessage = message;
    };
    try {
      validateTopicName(t.name);
    } catch (e) {
      fail(KafkaError.INVALID_TOPIC_EXCEPTION, errorMessage(e));
      continue;
    }
    if (conn.session) {
      try {
        conn.session.checkTopic(t.name, 'write');
      } catch (e) {
        fail(KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage(e));
        continue;
      }
    }
    if (kafka.topic(t.name)) {
      fail(KafkaError.TOPIC_ALREADY_EXISTS, `topic '${t.name}' already exists`);
      continue;
    }
    if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
      fail(KafkaError.INVALID_REPLICATION_FACTOR, 'replication factor must be 1: Hopper runs as a single node');
      continue;
    }
    let partitions = t.numPartitions === -1 ? kafka.options.numPartitions : t.numPartitions;
    if (t.assignments.length > 0) {
      if (t.numPartitions !== -1 || t.assignments.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== kafka.node.nodeId)) {
        fail(KafkaError.INVALID_REPLICA_ASSIGNMENT, `assignments must place each partition on node ${kafka.node.nodeId} alone`);
        continue;
      }
      partitions = t.assignments.length;
    }
    if (partitions < 1 || partitions > maxPartitions) {
      fail(KafkaError.INVALID_PARTITIONS, `partitions must be 1..${maxPartitions}`);
      continue;
    }
    const nulls = t.configs.filter((c) => c.value === null).map((c) => c.name);
    if (nulls.length > 0) {
      fail(KafkaError.INVALID_CONFIG, `Null value not supported for topic configs: ${nulls.join(',')}`);
      continue;
    }
    let config: TopicConfigs;
    try {
      config = normalizeTopicConfigs(Object.fromEntries(t.configs.map((c) => [c.name, c.value!])));
      kafka.broker.ctx.topicLogConfig(config);
    } catch (e) {
      fail(KafkaError.INVALID_CONFIG, errorMessage(e));
      continue;
    }
    result.numPartitions = partitions;
    result.replicationFactor = 1;
    if (!req.validateOnly) {
      try {
        await kafka.vhost.createTopic(t.name, { partitions, config });
        result.topicId = kafka.topicId(t.name);
      } catch (e) {
        fail(kafkaCode(e), errorMessage(e));
        continue;
      }
    }
    result.configs = describeTopic(kafka, config, { includeSynonyms: false, includeDocumentation: false })
      .map(({ name, value, readOnly, configSource, isSensitive }) => ({ name, value, readOnly, configSource, isSensitive }));
  }
  return { throttleTimeMs: 0, topics };
});
