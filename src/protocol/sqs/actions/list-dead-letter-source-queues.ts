/** ListDeadLetterSourceQueues: the queues whose RedrivePolicy names this one. */
import { metaOf, redriveOf } from '../queue-attributes.js';
import { decodeToken, encodeToken } from './list-queues.js';
import { invalidValue } from '../errors.js';
import { optInt, optString, reqString } from './input.js';
import type { Action } from './types.js';

export const listDeadLetterSourceQueues: Action = async (ctx, input) => {
  const { vhost, name } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const max = optInt(input, 'MaxResults', 1, 1000, 'MaxResults must be an integer between 1 and 1000.');
  const token = optString(input, 'NextToken');
  const after = token === undefined ? '' : decodeToken(token);
  if (after === null) throw invalidValue('NextToken', token, 'Invalid NextToken value.');
  const arn = ctx.endpoint.arn(ctx.identity, name);
  const sources = vhost
    .queueNames()
    .filter((n) => n > after && redriveOf(metaOf(vhost.queueEntry(n)))?.deadLetterTargetArn === arn)
    .sort();
  const page = sources.slice(0, max ?? 1000);
  const out: Record<string, unknown> = { queueUrls: page.map((n) => ctx.endpoint.queueUrl(ctx.host, ctx.identity.accountId, n)) };
  if (max !== undefined && sources.length > page.length) out['NextToken'] = encodeToken(page[page.length - 1]!);
  return out;
};
