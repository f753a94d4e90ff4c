/** ChangeMessageVisibilityBatch: up to 10 handles, each succeeding or failing on its own. */
import { missing } from '../errors.js';
import { failure, type BatchFailure } from './batch.js';
import { checkBatch, optInt, optList, reqString } from './input.js';
import { changeVisibilityByHandle, VISIBILITY_MAX_SEC } from './settle.js';
import type { Action } from './types.js';

export const changeMessageVisibilityBatch: Action = async (ctx, input) => {
  const { entry } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const entries = checkBatch(optList(input, 'Entries'), 'ChangeMessageVisibilityBatchRequestEntry');
  const ok: { Id: string }[] = [];
  const failed: BatchFailure[] = [];
  for (const e of entries) {
    const id = e['Id'] as string;
    try {
      const vt = optInt(e, 'VisibilityTimeout', 0, VISIBILITY_MAX_SEC, 'Must be >= 0 and <= 43200, if provided.');
      if (vt === undefined) throw missing('VisibilityTimeout');
      changeVisibilityByHandle(entry, reqString(e, 'ReceiptHandle'), vt);
      ok.push({ Id: id });
    } catch (err) {
      failed.push(failure(id, err));
    }
  }
  return { Successful: ok, Failed: failed };
};
