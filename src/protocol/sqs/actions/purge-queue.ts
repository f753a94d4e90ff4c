/** PurgeQueue: drops ready and delayed messages (not those in flight); once per 60 s per queue. */
import { reqString } from './input.js';
import type { Action } from './types.js';

export const purgeQueue: Action = async (ctx, input) => {
  const url = reqString(input, 'QueueUrl');
  const { entry } = ctx.endpoint.resolve(ctx.identity, url);
  ctx.endpoint.startPurge(entry, url);
  await entry.queue.purge();
  return {};
};
