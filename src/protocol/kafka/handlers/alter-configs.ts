/** AlterConfigs (legacy): the given set replaces a topic's configs, or one level of this broker's dynamic configs. */
import { AlterConfigs } from '../api/alter-configs.js';
import { KafkaError } from '../codec/error-codes.js';
import { alterBrokerConfigs, alterTopicConfigs, RESOURCE_BROKER, RESOURCE_TOPIC } from '../configs/alter.js';
import { defineHandler } from '../server/handler.js';

export const alterConfigsHandler = defineHandler(AlterConfigs, async (req, { kafka, conn }) => {
  const responses = [];
  const seen = new Map<string, number>();
  for (const r of req.resources) seen.set(`${r.resourceType}:${r.resourceName}`, (seen.get(`${r.resourceType}:${r.resourceName}`) ?? 0) + 1);
  for (const r of req.resources) {
    const head = { resourceType: r.resourceType, resourceName: r.resourceName };
    const names = r.configs.map((c) => c.name);
    const nulls = r.configs.filter((c) => c.value === null).map((c) => c.name);
    let result;
    if (seen.get(`${r.resourceType}:${r.resourceName}`)! > 1) result = { errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'Each resource must appear at most once.' };
    else if (new Set(names).size !== names.length) result = { errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'Error due to duplicate config keys' };
    else if (nulls.length > 0) result = { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `Null value not supported for : ${nulls.join(', ')}` };
    else {
      const replace = Object.fromEntries(r.configs.map((c) => [c.name, c.value!]));
      if (r.resourceType === RESOURCE_TOPIC) result = await alterTopicConfigs(kafka, conn, r.resourceName, { replace }, req.validateOnly);
      else if (r.resourceType === RESOURCE_BROKER) result = await alterBrokerConfigs(kafka, conn, r.resourceName, { replace }, req.validateOnly);
      else result = { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `Unknown resource type ${r.resourceType}` };
    }
    responses.push({ ...result, ...head });
  }
  return { throttleTimeMs: 0, responses };
});
