/** GetQueueUrl: the URL of a queue by name (QueueOwnerAWSAccountId: only the caller's own account). */
import { noQueue, SqsError } from '../errors.js';
import { optString, reqString } from './input.js';
import type { Action } from './types.js';

export const getQueueUrl: Action = async (ctx, input) => {
  const name = reqString(input, 'QueueName');
  const owner = optString(input, 'QueueOwnerAWSAccountId') ?? ctx.identity.accountId;
  if (owner !== ctx.identity.accountId) throw new SqsError('AccessDenied', `Access to the queues of account ${owner} is denied.`);
  const vhost = ctx.endpoint.vhostOf(ctx.identity);
  if (vhost === null || !vhost.hasQueue(name) || vhost.queueEntry(name).exclusiveOwner !== null) throw noQueue();
  return { QueueUrl: ctx.endpoint.queueUrl(ctx.host, owner, name) };
};
