/**
 * QueueOptions ↔ the typed table the catalogue stores for a queue. Each option is one entry
 * named as in QueueOptions; null is stored as void, so a restart restores exactly the options
 * the queue was declared with.
 */
import type { Arguments } from '../exchange/arguments.js';
import type { TypedValue } from '../message.js';
import { validateQueueOptions, type QueueOptions } from '../queue/options.js';

function toTyped(v: unknown): TypedValue {
  if (v === null) return { type: 'void' };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'number') return { type: 'int', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  const table: Record<string, TypedValue> = {};
  for (const [k, x] of Object.entries(v as object)) table[k] = toTyped(x);
  return { type: 'table', value: table };
}

function fromTyped(t: TypedValue): unknown {
  switch (t.type) {
    case 'void': return null;
    case 'bool': case 'int': case 'string': case 'float': return t.value;
    case 'table': return Object.fromEntries(Object.entries(t.value).map(([k, x]) => [k, fromTyped(x)]));
    default: return undefined;
  }
}

export function queueOptionsToArguments(o: QueueOptions): Arguments {
  const out: Record<string, TypedValue> = {};
  for (const [k, v] of Object.entries(o)) out[k] = toTyped(v);
  return out;
}

/** Validates on the way back, so a hand-edited catalogue cannot open a queue with bad options. */
export function queueOptionsFromArguments(args: Arguments): QueueOptions {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) raw[k] = fromTyped(v);
  return validateQueueOptions(raw as Partial<QueueOptions>);
}

export function sameQueueOptions(a: QueueOptions, b: QueueOptions): boolean {
  for (const k of Object.keys(a) as Array<keyof QueueOptions>) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      if (x.exchange !== y.exchange || x.routingKey !== y.routingKey) return false;
      continue;
    }
    return false;
  }
  return true;
}
