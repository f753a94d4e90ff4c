/** Queue tags: TagQueue, UntagQueue, ListQueueTags, and the rules they share with CreateQueue. */
import { invalidValue, missing, SqsError } from '../errors.js';
import { metaOf, metaToArguments } from '../queue-attributes.js';
import { optStringList, optStringMap, reqString } from './input.js';
import type { Action } from './types.js';

export const MAX_TAGS = 50;

export function checkTags(tags: Record<string, string>, existing: number): void {
  for (const [k, v] of Object.entries(tags)) {
    if (k.length < 1 || k.length > 128) throw invalidValue('Tags', k, 'Tag keys must be between 1 and 128 characters in length.');
    if (v.length > 256) throw invalidValue('Tags', v, 'Tag values must be at most 256 characters in length.');
    if (/^aws:/i.test(k)) throw invalidValue('Tags', k, 'Tag keys must not start with aws:.');
  }
  if (Object.keys(tags).length + existing > MAX_TAGS) throw new SqsError('InvalidParameterValue', `Too many tags added for queue. The maximum is ${MAX_TAGS}.`);
}

export const tagQueue: Action = async (ctx, input) => {
  const { vhost, entry } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const tags = optStringMap(input, 'Tags');
  if (tags === undefined || Object.keys(tags).length === 0) throw missing('Tags');
  const meta = metaOf(entry);
  const merged = { ...meta.tags, ...tags };
  checkTags(tags, 0);
  if (Object.keys(merged).length > MAX_TAGS) throw new SqsError('InvalidParameterValue', `Too many tags added for queue. The maximum is ${MAX_TAGS}.`);
  await vhost.alterQueue(entry.name, { declaredArguments: metaToArguments({ ...meta, tags: merged }, entry.declaredArguments) });
  return {};
};

export const untagQueue: Action = async (ctx, input) => {
  const { vhost, entry } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const keys = optStringList(input, 'TagKeys');
  if (keys === undefined || keys.length === 0) throw missing('TagKeys');
  const meta = metaOf(entry);
  const tags = { ...meta.tags };
  for (const k of keys) delete tags[k];
  await vhost.alterQueue(entry.name, { declaredArguments: metaToArguments({ ...meta, tags }, entry.declaredArguments) });
  return {};
};

export const listQueueTags: Action = async (ctx, input) => {
  const { entry } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const tags = metaOf(entry).tags;
  return Object.keys(tags).length > 0 ? { Tags: tags } : {};
};
