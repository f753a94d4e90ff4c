/**
 * IncrementalAlterConfigs: SET (0), DELETE (1), APPEND (2) and SUBTRACT (3) on single configs
 * of a topic or of this broker's dynamic configs; APPEND and SUBTRACT only on LIST configs,
 * starting from Kafka's default when the config is not set. Group resources: the share group
 * configs (../configs/group-defs.ts).
 */
import { IncrementalAlterConfigs } from '../api/incremental-alter-configs.js';
import { KafkaError } from '../codec/error-codes.js';
import { alterBrokerConfigs, alterGroupConfigs, alterTopicConfigs, checkOps, RESOURCE_BROKER, RESOURCE_GROUP, RESOURCE_TOPIC } from '../configs/alter.js';
import { defineHandler } from '../server/handler.js';

export const incrementalAlterConfigsHandler = defineHandler(IncrementalAlterConfigs, async (req, { kafka, conn }) => {
  const responses = [];
  const seen = new Map<string, number>();
  for (const r of req.resources) seen.set(`${r.resourceType}:${r.resourceName}`, (seen.get(`${r.resourceType}:${r.resourceName}`) ?? 0) + 1);
  for (const r of req.resources) {
    const head = { resourceType: r.resourceType, resourceName: r.resourceName };
    const ops = r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value }));
    let result = seen.get(`${r.resourceType}:${r.resourceName}`)! > 1 ? { errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'Each resource must appear at most once.' } : checkOps(ops);
    if (result === null) {
      if (r.resourceType === RESOURCE_TOPIC) result = await alterTopicConfigs(kafka, conn, r.resourceName, { ops }, req.validateOnly);
      else if (r.resourceType === RESOURCE_BROKER) result = await alterBrokerConfigs(kafka, conn, r.resourceName, { ops }, req.validateOnly);
      else if (r.resourceType === RESOURCE_GROUP) result = await alterGroupConfigs(kafka, r.resourceName, ops, req.validateOnly);
      else result = { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `Unknown resource type ${r.resourceType}` };
    }
    responses.push({ ...result, ...head });
  }
  return { throttleTimeMs: 0, responses };
});
