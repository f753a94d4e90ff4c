/**
 * IncrementalAlterConfigs: SET (0) and DELETE (1) change single configs; APPEND (2) and
 * SUBTRACT (3) apply to list configs, of which Hopper has one, cleanup.policy.
 */
import { IncrementalAlterConfigs } from '../api/incremental-alter-configs.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { applyTopicConfigs } from './configs.js';

export const incrementalAlterConfigsHandler = defineHandler(IncrementalAlterConfigs, async (req, { kafka }) => {
  const responses = [];
  for (const r of req.resources) {
    const result = await applyTopicConfigs(kafka, r.resourceType, r.resourceName, (current) => {
      const next = { ...current };
      for (const c of r.configs) {
        const list = (next[c.name] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
        const items = (c.value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
        switch (c.configOperation) {
          case 0: if (c.value === null) return KafkaError.INVALID_CONFIG; next[c.name] = c.value; break;
          case 1: delete next[c.name]; break;
          case 2: next[c.name] = [...new Set([...list, ...items])].join(','); break;
          case 3: next[c.name] = list.filter((x) => !items.includes(x)).join(','); break;
          default: return KafkaError.INVALID_REQUEST;
        }
      }
      return next;
    }, req.validateOnly);
    responses.push({ ...result, resourceType: r.resourceType, resourceName: r.resourceName });
  }
  return { throttleTimeMs: 0, responses };
});
