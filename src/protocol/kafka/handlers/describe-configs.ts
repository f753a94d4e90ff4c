/**
 * DescribeConfigs: a topic's configs (its own settings over the broker's defaults), this node's
 * broker configs, the cluster-wide dynamic defaults (an empty broker name), or a group's configs, with sources,
 * synonyms, types and documentation as Kafka 3.9 gives them (../configs/describe.ts).
 */
import { DescribeConfigs } from '../api/describe-configs.js';
import { KafkaError } from '../codec/error-codes.js';
import { validateTopicName } from '../../../core/names.js';
import { RESOURCE_BROKER, RESOURCE_GROUP, RESOURCE_TOPIC } from '../configs/alter.js';
import { type DescribedConfig, describeBroker, describeGroup, describeTopic } from '../configs/describe.js';
import { defineHandler } from '../server/handler.js';
import { Slices } from '../server/slices.js';
import { errorMessage, type KafkaContext } from '../server/context.js';

function describe(kafka: KafkaContext, type: number, name: string, opts: { includeSynonyms: boolean; includeDocumentation: boolean }): DescribedConfig[] | { errorCode: number; errorMessage: string } {
  if (type === RESOURCE_TOPIC) {
    try {
      validateTopicName(name);
    } catch (e) {
      return { errorCode: KafkaError.INVALID_TOPIC_EXCEPTION, errorMessage: errorMessage(e) };
    }
    if (!kafka.topic(name)) return { errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${name} does not exist.` };
    return describeTopic(kafka, kafka.broker.catalogue.topic(kafka.options.vhost, name)?.config ?? {}, opts);
  }
  if (type === RESOURCE_BROKER) {
    if (name === '') return describeBroker(kafka, false, opts);
    if (!/^-?\d+$/.test(name)) return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `Broker id must be an integer, but it is: ${name}` };
    if (Number(name) !== kafka.node.nodeId) {
      return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${kafka.node.nodeId} or empty string, but received ${name}` };
    }
    return describeBroker(kafka, true, opts);
  }
  if (type === RESOURCE_GROUP) {
    if (name === '') return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'Group id must not be empty.' };
    return describeGroup(kafka, kafka.broker.catalogue.groupConfigs(kafka.options.vhost, name), opts);
  }
  return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `Unsupported resource type: ${type}` };
}

export const describeConfigsHandler = defineHandler(DescribeConfigs, async (req, { kafka }) => {
  const results = [];
  // Tens of configs per resource: other connections get their turn between slices of a long request.
  const slices = new Slices();
  for (const r of req.resources) {
    if (slices.due()) await slices.turn();
    const head = { resourceType: r.resourceType, resourceName: r.resourceName };
    const found = describe(kafka, r.resourceType, r.resourceName, req);
    if (!Array.isArray(found)) {
      results.push({ ...head, ...found, configs: [] });
      continue;
    }
    const keys = r.configurationKeys;
    const configs = keys === null || keys.length === 0 ? found : found.filter((c) => keys.includes(c.name));
    results.push({ ...head, errorCode: KafkaError.NONE, errorMessage: null, configs });
  }
  return { throttleTimeMs: 0, results };
});
