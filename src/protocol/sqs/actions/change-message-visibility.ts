/** ChangeMessageVisibility: a new visibility timeout (0-12 h) from now; 0 makes the message visible at once. */
import { missing } from '../errors.js';
import { optInt, reqString } from './input.js';
import { changeVisibilityByHandle, VISIBILITY_MAX_SEC } from './settle.js';
import type { Action } from './types.js';

export const changeMessageVisibility: Action = async (ctx, input) => {
  const { entry } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const handle = reqString(input, 'ReceiptHandle');
  const vt = optInt(input, 'VisibilityTimeout', 0, VISIBILITY_MAX_SEC, 'Must be >= 0 and <= 43200, if provided.');
  if (vt === undefined) throw missing('VisibilityTimeout');
  changeVisibilityByHandle(entry, handle, vt);
  return {};
};
