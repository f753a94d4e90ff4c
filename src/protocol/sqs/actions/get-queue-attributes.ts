/** GetQueueAttributes: `All` or named attributes (unknown names: InvalidAttributeName). */
import { SqsError } from '../errors.js';
import { currentAttributes, READABLE } from '../queue-attributes.js';
import { optStringList, reqString } from './input.js';
import type { Action } from './types.js';

const KNOWN = new Set<string>(['All', ...READABLE]);

export const getQueueAttributes: Action = async (ctx, input) => {
  const { entry, name } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const wanted = optStringList(input, 'AttributeNames') ?? [];
  for (const n of wanted) if (!KNOWN.has(n)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
  if (wanted.length === 0) return {};
  const all = currentAttributes(entry, ctx.endpoint.arn(ctx.identity, name));
  const out: Record<string, string> = {};
  const every = wanted.includes('All');
  for (const [k, v] of Object.entries(all)) if (every || wanted.includes(k)) out[k] = v;
  return Object.keys(out).length > 0 ? { Attributes: out } : {};
};
