/** DeleteMessageBatch: up to 10 handles, each succeeding or failing on its own. */
import { failure, type BatchFailure } from './batch.js';
import { checkBatch, optList, reqString } from './input.js';
import { deleteByHandle } from './settle.js';
import type { Action } from './types.js';

export const deleteMessageBatch: Action = async (ctx, input) => {
  const { entry } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const entries = checkBatch(optList(input, 'Entries'), 'DeleteMessageBatchRequestEntry');
  const results = await Promise.all(
    entries.map(async (e) => {
      const id = e['Id'] as string;
      try {
        await deleteByHandle(ctx.endpoint, entry, reqString(e, 'ReceiptHandle'));
        return { ok: { Id: id } };
      } catch (err) {
        return { failed: failure(id, err) };
      }
    }),
  );
  const ok: { Id: string }[] = [];
  const failed: BatchFailure[] = [];
  for (const r of results) r.ok ? ok.push(r.ok) : failed.push(r.failed!);
  return { Successful: ok, Failed: failed };
};
