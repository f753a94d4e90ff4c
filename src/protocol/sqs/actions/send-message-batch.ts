/**
 * SendMessageBatch: up to 10 entries, each succeeding or failing on its own; all together at
 * most MaximumMessageSize... as AWS, the whole request's payload at most 1 MiB
 * (BatchRequestTooLong). Entries are published in order, so a FIFO group keeps their order.
 */
import { SqsError } from '../errors.js';
import { prepareSend, publishPrepared, sendParams } from '../messages.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../queue-attributes.js';
import { failure, type BatchFailure } from './batch.js';
import { checkBatch, optAttributeMap, optInt, optList, reqString } from './input.js';
import type { Action } from './types.js';

export const sendMessageBatch: Action = async (ctx, input) => {
  const { entry } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const entries = checkBatch(optList(input, 'Entries'), 'SendMessageBatchRequestEntry');
  const now = ctx.endpoint.now();
  const failed: BatchFailure[] = [];
  const pending: { id: string; reply: Promise<Record<string, unknown>> }[] = [];
  const prepared: { id: string; p: ReturnType<typeof prepareSend> }[] = [];
  let total = 0;
  for (const e of entries) {
    const id = e['Id'] as string;
    try {
      const delay = optInt(e, 'DelaySeconds', 0, 900);
      const p = prepareSend(entry, ctx.identity, sendParams(e, delay, optAttributeMap(e, 'MessageAttributes'), optAttributeMap(e, 'MessageSystemAttributes')), now);
      total += p.message.value!.length;
      prepared.push({ id, p });
    } catch (err) {
      failed.push(failure(id, err));
    }
  }
  if (total > DEFAULT_MAX_MESSAGE_BYTES) {
    throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${DEFAULT_MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`);
  }
  for (const { id, p } of prepared) pending.push({ id, reply: publishPrepared(entry, p) });
  const ok: Record<string, unknown>[] = [];
  for (const { id, reply } of pending) {
    try {
      ok.push({ Id: id, ...(await reply) });
    } catch (err) {
      failed.push(failure(id, err));
    }
  }
  return { Successful: ok, Failed: failed };
};
