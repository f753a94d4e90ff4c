/** SendMessage: answers once the message is durable (fsynced under the default policy). */
import { prepareSend, publishPrepared, sendParams } from '../messages.js';
import { optAttributeMap, optInt, reqString } from './input.js';
import type { Action } from './types.js';

export const sendMessage: Action = async (ctx, input) => {
  const { entry } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const delay = optInt(input, 'DelaySeconds', 0, 900);
  const p = sendParams(input, delay, optAttributeMap(input, 'MessageAttributes'), optAttributeMap(input, 'MessageSystemAttributes'));
  const prepared = prepareSend(entry, ctx.identity, p, ctx.endpoint.now());
  return publishPrepared(entry, prepared);
};
