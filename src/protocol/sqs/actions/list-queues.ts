/**
 * ListQueues: the account's queues in name order, optionally by prefix. Without MaxResults at
 * most 1,000 and no NextToken (as AWS); with it (1-1,000) pages, the token naming the last
 * queue returned.
 */
import { invalidValue } from '../errors.js';
import { optInt, optString } from './input.js';
import type { Action } from './types.js';

export const LIST_MAX = 1000;

export const listQueues: Action = async (ctx, input) => {
  const prefix = optString(input, 'QueueNamePrefix') ?? '';
  const max = optInt(input, 'MaxResults', 1, LIST_MAX, 'MaxResults must be an integer between 1 and 1000.');
  const token = optString(input, 'NextToken');
  let after = '';
  if (token !== undefined) {
    const t = decodeToken(token);
    if (t === null) throw invalidValue('NextToken', token, 'Invalid NextToken value.');
    after = t;
  }
  const vhost = ctx.endpoint.vhostOf(ctx.identity);
  if (vhost === null) return {};
  const names = vhost
    .queueNames()
    .filter((n) => n.startsWith(prefix) && n > after && vhost.queueEntry(n).exclusiveOwner === null)
    .sort();
  const page = names.slice(0, max ?? LIST_MAX);
  const out: Record<string, unknown> = {};
  if (page.length > 0) out['QueueUrls'] = page.map((n) => ctx.endpoint.queueUrl(ctx.host, ctx.identity.accountId, n));
  if (max !== undefined && names.length > page.length) out['NextToken'] = encodeToken(page[page.length - 1]!);
  return out;
};

export function encodeToken(lastName: string): string {
  return Buffer.from(JSON.stringify({ after: lastName }), 'utf8').toString('base64');
}

export function decodeToken(t: string): string | null {
  try {
    const o = JSON.parse(Buffer.from(t, 'base64').toString('utf8')) as { after?: unknown };
    return typeof o.after === 'string' ? o.after : null;
  } catch {
    return null;
  }
}
