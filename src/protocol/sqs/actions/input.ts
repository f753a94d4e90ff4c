/** Reading action parameters with AWS's errors for missing and malformed ones. */
import { invalidValue, missing, SqsError } from '../errors.js';
import type { SqsAttributeValue } from '../message-attributes.js';
import type { Input } from './types.js';

export function optString(input: Input, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidValue(name, v);
  return v;
}

export function reqString(input: Input, name: string): string {
  const v = optString(input, name);
  if (v === undefined) throw missing(name);
  return v;
}

/** An integer parameter (a JSON number or, from the query protocol, its decimal text). */
export function optInt(input: Input, name: string, min: number, max: number, why?: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,12}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw invalidValue(name, v, why ?? `Must be between ${min} and ${max}, if provided.`);
  return n;
}

export function optStringList(input: Input, name: string): string[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw invalidValue(name, v);
  return v as string[];
}

export function optStringMap(input: Input, name: string): Record<string, string> | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidValue(name, v);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== 'string') throw invalidValue(`${name}.${k}`, x);
    out[k] = x;
  }
  return out;
}

export function optList(input: Input, name: string): Input[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) throw invalidValue(name, v);
  return v as Input[];
}

/** MessageAttributes / MessageSystemAttributes: name → { DataType, StringValue | BinaryValue }. */
export function optAttributeMap(input: Input, name: string): Record<string, SqsAttributeValue> | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidValue(name, v);
  const out: Record<string, SqsAttributeValue> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === null || typeof x !== 'object') throw invalidValue(`${name}.${k}`, x);
    const o = x as Record<string, unknown>;
    const a: SqsAttributeValue = { DataType: typeof o['DataType'] === 'string' ? o['DataType'] : '' };
    if (typeof o['StringValue'] === 'string') a.StringValue = o['StringValue'];
    if (o['BinaryValue'] !== undefined && o['BinaryValue'] !== null) {
      const b = o['BinaryValue'];
      if (Buffer.isBuffer(b)) a.BinaryValue = b;
      else if (typeof b === 'string') a.BinaryValue = Buffer.from(b, 'base64');
      else throw invalidValue(`${name}.${k}.BinaryValue`, b);
    }
    if (o['StringListValues'] !== undefined || o['BinaryListValues'] !== undefined) {
      throw new SqsError('InvalidParameterValue', `Message (user) attribute '${k}': list values are not supported.`);
    }
    out[k] = a;
  }
  return out;
}

/** Batch entry ids: 1-80 of [A-Za-z0-9_-], distinct, 1-10 entries. */
export function checkBatch(entries: Input[] | undefined, listName: string): Input[] {
  if (entries === undefined) throw missing(listName);
  if (entries.length === 0) throw new SqsError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.'.replace('SendMessageBatchRequestEntry', listName));
  if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  const seen = new Set<string>();
  for (const e of entries) {
    const id = e['Id'];
    if (typeof id !== 'string') throw missing(`${listName}.Id`);
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw new SqsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries;
}
