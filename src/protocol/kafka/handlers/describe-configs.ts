/** DescribeConfigs: topic configs (dynamic or default) and the broker's read-only settings. */
import { DescribeConfigs } from '../api/describe-configs.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { brokerConfigEntries, RESOURCE_BROKER, RESOURCE_TOPIC, topicConfigEntries, type ConfigEntry } from './configs.js';

export const describeConfigsHandler = defineHandler(DescribeConfigs, (req, { kafka }) => ({
  throttleTimeMs: 0,
  results: req.resources.map((r) => {
    let entries: ConfigEntry[];
    if (r.resourceType === RESOURCE_TOPIC) {
      if (!kafka.topic(r.resourceName)) {
        return { errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `no topic '${r.resourceName}'`, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] };
      }
      entries = topicConfigEntries(kafka, r.resourceName);
    } else if (r.resourceType === RESOURCE_BROKER) {
      entries = brokerConfigEntries(kafka);
    } else {
      return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `unsupported resource type ${r.resourceType}`, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] };
    }
    const keys = r.configurationKeys;
    const chosen = keys === null || keys.length === 0 ? entries : entries.filter((e) => keys.includes(e.name));
    return {
      errorCode: KafkaError.NONE, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName,
      configs: chosen.map((e) => ({ ...e, synonyms: [], configType: 0, documentation: null })),
    };
  }),
}));
