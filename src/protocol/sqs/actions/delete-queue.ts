/** DeleteQueue: the queue and its messages go; the name is free again after 60 s (QueueDeletedRecently). */
import { isHopperError } from '../../../core/errors.js';
import { noQueue } from '../errors.js';
import { reqString } from './input.js';
import type { Action } from './types.js';

export const deleteQueue: Action = async (ctx, input) => {
  const { vhost, name } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  try {
    await vhost.deleteQueue(name);
  } catch (e) {
    if (isHopperError(e, 'NOT_FOUND')) throw noQueue();
    throw e;
  }
  ctx.endpoint.noteDeleted(vhost.name, name);
  return {};
};
