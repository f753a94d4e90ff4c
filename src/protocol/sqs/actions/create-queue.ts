/** CreateQueue: a new queue, or the URL of an identical one (QueueAlreadyExists if it differs). */
import { HopperError, isHopperError } from '../../../core/errors.js';
import { isFifoQueueName, validateSqsQueueName } from '../../../core/names.js';
import { invalidValue, SqsError } from '../errors.js';
import { currentAttributes, metaToArguments, newQueueOptions, parseAttributes, type SqsQueueMeta } from '../queue-attributes.js';
import { checkTags } from './tags.js';
import { optStringMap, reqString } from './input.js';
import { checkRedrive } from './redrive.js';
import type { Action } from './types.js';

export const createQueue: Action = async (ctx, input) => {
  const name = reqString(input, 'QueueName');
  const fifo = isFifoQueueName(name);
  try {
    validateSqsQueueName(name, fifo);
  } catch {
    throw new SqsError('InvalidParameterValue', 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
  }
  const attrs = optStringMap(input, 'Attributes') ?? {};
  if (fifo && attrs['FifoQueue'] !== 'true') {
    throw invalidValue('FifoQueue', attrs['FifoQueue'] ?? 'false', 'The queue name ending with .fifo must have the FifoQueue attribute set to true.');
  }
  const tags = optStringMap(input, 'tags') ?? optStringMap(input, 'Tags') ?? {};
  checkTags(tags, 0);
  const parsed = parseAttributes(attrs, fifo, true);
  const e = ctx.endpoint;
  const id = ctx.identity;
  if (parsed.redrive) checkRedrive(ctx, name, fifo, parsed.redrive);
  const vhost = await e.ensureVhost(id);
  const url = e.queueUrl(ctx.host, id.accountId, name);
  if (vhost.hasQueue(name)) {
    const existing = vhost.queueEntry(name);
    if (sameAttributes(currentAttributes(existing, ''), attrs)) return { QueueUrl: url };
    throw new SqsError('QueueNameExists', 'A queue already exists with the same name and a different value for attribute(s)');
  }
  if (e.deletedRecently(vhost.name, name)) {
    throw new SqsError('QueueDeletedRecently', 'You must wait 60 seconds after deleting a queue before you can create another with the same name.');
  }
  const now = e.now();
  const stored: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.stored)) if (v !== '') stored[k] = v;
  const meta: SqsQueueMeta = { attributes: stored, tags, createdMs: now, modifiedMs: now };
  const options = newQueueOptions(fifo, parsed.options);
  if (parsed.redrive) Object.assign(options, { maxDeliveries: parsed.redrive.maxReceiveCount, deadLetterTarget: { exchange: '', routingKey: e.nameFromArn(id, parsed.redrive.deadLetterTargetArn)! } });
  try {
    await vhost.declareQueue(name, { durable: true, options, declaredArguments: metaToArguments(meta, null) });
  } catch (err) {
    // A concurrent CreateQueue of the same name with other attributes.
    if (isHopperError(err, 'INEQUIVALENT')) throw new SqsError('QueueNameExists', 'A queue already exists with the same name and a different value for attribute(s)');
    throw err instanceof HopperError ? err : err;
  }
  return { QueueUrl: url };
};

/** AWS: a CreateQueue of an existing name succeeds when every attribute it sets has that value. */
function sameAttributes(current: Record<string, string>, wanted: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(wanted)) {
    const cur = current[k] ?? defaults[k];
    if (k === 'RedrivePolicy' || k === 'RedriveAllowPolicy' || k === 'Policy') {
      if (normalJson(cur) !== normalJson(v)) return false;
    } else if (cur !== v) return false;
  }
  return true;
}

const defaults: Record<string, string> = { FifoQueue: 'false', ContentBasedDeduplication: 'false', SqsManagedSseEnabled: 'false' };

function normalJson(v: string | undefined): string {
  if (v === undefined || v === '') return '';
  try {
    const o = JSON.parse(v) as Record<string, unknown>;
    if (o && typeof o === 'object' && 'maxReceiveCount' in o) o['maxReceiveCount'] = Number(o['maxReceiveCount']);
    return JSON.stringify(o, Object.keys(o).sort());
  } catch {
    return v;
  }
}
