/** AlterConfigs (legacy): the given set replaces the topic's dynamic configs entirely. */
import { AlterConfigs } from '../api/alter-configs.js';
import { defineHandler } from '../server/handler.js';
import { applyTopicConfigs } from './configs.js';

export const alterConfigsHandler = defineHandler(AlterConfigs, async (req, { kafka }) => {
  const responses = [];
  for (const r of req.resources) {
    const next: Record<string, string> = {};
    for (const c of r.configs) if (c.value !== null) next[c.name] = c.value;
    const result = await applyTopicConfigs(kafka, r.resourceType, r.resourceName, () => next, req.validateOnly);
    responses.push({ ...result, resourceType: r.resourceType, resourceName: r.resourceName });
  }
  return { throttleTimeMs: 0, responses };
});
