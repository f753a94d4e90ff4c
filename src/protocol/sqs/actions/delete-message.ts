/** DeleteMessage: answers once the delete is durable, so a deleted message never comes back. */
import { reqString } from './input.js';
import { deleteByHandle } from './settle.js';
import type { Action } from './types.js';

export const deleteMessage: Action = async (ctx, input) => {
  const { entry } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  await deleteByHandle(ctx.endpoint, entry, reqString(input, 'ReceiptHandle'));
  return {};
};
