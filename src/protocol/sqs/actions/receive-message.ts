/**
 * ReceiveMessage: 1-10 messages leased for VisibilityTimeout; with WaitTimeSeconds (or the
 * queue's ReceiveMessageWaitTimeSeconds) it waits up to 20 s and returns as soon as a message
 * is there. Every receive gets new receipt handles.
 */
import { isHopperError } from '../../../core/errors.js';
import { SqsError } from '../errors.js';
import { receivedMessage, systemAttributeNames } from '../messages.js';
import { optInt, optString, optStringList, reqString } from './input.js';
import type { Action } from './types.js';

export const receiveMessage: Action = async (ctx, input) => {
  const { entry } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const max = optInt(input, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
  const vt = optInt(input, 'VisibilityTimeout', 0, 43_200, 'Must be >= 0 and <= 43200, if provided.');
  const wait = optInt(input, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.');
  const attemptId = optString(input, 'ReceiveRequestAttemptId');
  if (attemptId !== undefined && !/^[\x21-\x7e]{1,128}$/.test(attemptId)) throw new SqsError('InvalidParameterValue', `Value ${attemptId} for parameter ReceiveRequestAttemptId is invalid.`);
  const system = systemAttributeNames(optStringList(input, 'AttributeNames'), optStringList(input, 'MessageSystemAttributeNames'));
  const names = optStringList(input, 'MessageAttributeNames');
  let got;
  try {
    got = await entry.queue.receive({
      max,
      ...(vt === undefined ? {} : { visibilityTimeoutMs: vt * 1000 }),
      ...(wait === undefined ? {} : { waitMs: wait * 1000 }),
    });
  } catch (e) {
    if (isHopperError(e, 'TOO_MANY_IN_FLIGHT')) throw new SqsError('OverLimit', 'Too many messages in flight on this queue (120,000).');
    throw e;
  }
  if (got.length === 0) return {};
  const e = ctx.endpoint;
  const now = e.now();
  const arnOf = (n: string): string => e.arn(ctx.identity, n);
  return {
    Messages: got.map((d) =>
      receivedMessage(entry, d, { identity: ctx.identity, arnOf, firstReceivedMs: e.firstReceived(entry.id, d.offset, d.deliveryCount, now) }, system, names),
    ),
  };
};
