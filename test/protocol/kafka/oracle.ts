/**
 * Comparing our encodings with what real clients decode: both sides flattened to their leaf
 * values. Clients build objects in their own key order and add derived fields, so the check is
 * that every value we wrote is among the values they read (a multiset inclusion), together with
 * their decoder having consumed exactly our bytes, which pins the layout.
 */
import assert from 'node:assert/strict';
import type { Field, FieldType, StructType } from '../../../src/protocol/kafka/codec/schema.js';
import { inVersions } from '../../../src/protocol/kafka/codec/versions.js';

const UUID_HEX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type Leaf = string | boolean | null;

/**
 * A client's decoded values flattened in key order: numbers, bigints and Longs as decimal strings,
 * bytes as hex, UUIDs printed as hex (8-4-4-4-12) in Kafka's base64url form.
 */
export function clientLeaves(v: unknown, out: Leaf[] = []): Leaf[] {
  if (v === null || v === undefined) out.push(null);
  else if (Buffer.isBuffer(v)) out.push(`0x${v.toString('hex')}`);
  else if (Array.isArray(v)) for (const x of v) clientLeaves(x, out);
  else if (typeof v === 'object' && typeof (v as { toString?: unknown }).toString === 'function' && 'high' in v && 'low' in v) out.push(String(v));
  else if (typeof v === 'object') for (const x of Object.values(v)) clientLeaves(x, out);
  else if (typeof v === 'number' || typeof v === 'bigint') out.push(String(v));
  else if (typeof v === 'string' && UUID_HEX.test(v)) out.push(Buffer.from(v.replace(/-/g, ''), 'hex').toString('base64url'));
  else out.push(v as string | boolean);
  return out;
}

/**
 * Our value flattened in wire order, the way kjsLeaves flattens: regular fields only (a flexible
 * version's tagged fields are left out), records left out, UUIDs in Kafka's base64url form.
 */
export function wireLeaves(st: StructType, version: number, value: Record<string, unknown>, flexible = false, out: Leaf[] = []): Leaf[] {
  for (const [name, f] of Object.entries(st.fields) as [string, Field][]) {
    if (!inVersions(f.versions, version)) continue;
    if (flexible && f.opts.tag !== undefined && inVersions(f.opts.taggedVersions ?? f.versions, version)) continue;
    leavesOf(f.type, version, value[name], flexible, out);
  }
  return out;
}

function leavesOf(t: FieldType, version: number, v: unknown, flexible: boolean, out: Leaf[]): void {
  if (t === 'records') return; // clients decode record batches into messages: checked separately
  if (v === null) {
    if (typeof t === 'string') out.push(null); // a null array or struct has no leaves in kafkajs
    return;
  }
  if (typeof t !== 'string') {
    if (t.kind === 'array') for (const x of v as unknown[]) leavesOf(t.of, version, x, flexible, out);
    else wireLeaves(t, version, v as Record<string, unknown>, flexible, out);
    return;
  }
  if (Buffer.isBuffer(v)) out.push(`0x${v.toString('hex')}`);
  else if (typeof v === 'number') out.push(String(v));
  else out.push(v as string | boolean);
}

export function assertIncluded(ours: Leaf[], theirs: Leaf[], what: string): void {
  const pool = new Map<Leaf, number>();
  for (const x of theirs) pool.set(x, (pool.get(x) ?? 0) + 1);
  for (const x of ours) {
    const n = pool.get(x) ?? 0;
    assert.ok(n > 0, `${what}: the client did not read back ${JSON.stringify(x)}\nours:   ${JSON.stringify(ours)}\ntheirs: ${JSON.stringify(theirs)}`);
    pool.set(x, n - 1);
  }
}

/** Clients throw on non-zero error codes and decode records: zero the one, null the other. */
export function tame(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(tame);
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) o[k] = k === 'errorCode' || k.endsWith('ErrorCode') ? 0 : k === 'records' ? null : tame(x);
  return o;
}

/** The value with every tagged field of this version removed (so none is written). */
export function withoutTags(st: StructType, version: number, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(st.fields) as [string, Field][]) {
    if (f.opts.tag !== undefined && inVersions(f.opts.taggedVersions ?? f.versions, version)) continue;
    out[name] = untagValue(f.type, version, value[name]);
  }
  return out;
}

function untagValue(t: FieldType, version: number, v: unknown): unknown {
  if (v === null || v === undefined || typeof t === 'string') return v;
  if (t.kind === 'array') return (v as unknown[]).map((x) => untagValue(t.of, version, x));
  return withoutTags(t, version, v as Record<string, unknown>);
}
