/**
 * The kafka.extraListeners setting: more Kafka listeners of the same broker, each with its own
 * port, address and SASL setting (Kafka's `listeners` beyond the first). In the config file an
 * array of objects ({ "port": 19092, "saslRequired": false, "host"?, "advertisedHost"?, "name"? })
 * or of strings; in the environment or a flag, the strings comma-separated. A string is
 * `[host:]port:plaintext|sasl` (an IPv6 host in brackets: `[::1]:9093:sasl`).
 */
import type { KafkaExtraListenerOptions } from '../protocol/kafka/server/options.js';

/** More would only be a mistake, and each one is a bound socket. */
export const MAX_EXTRA_LISTENERS = 16;

const KEYS = new Set(['host', 'port', 'saslRequired', 'advertisedHost', 'name']);

/** Parses the setting; throws an Error saying what is wrong (the caller prefixes the source). */
export function parseExtraListeners(raw: unknown): KafkaExtraListenerOptions[] {
  const items: unknown[] = typeof raw === 'string' ? (raw.trim() === '' ? [] : raw.split(',')) : Array.isArray(raw) ? raw : fail('must be an array or a comma-separated string');
  if (items.length > MAX_EXTRA_LISTENERS) fail(`may name at most ${MAX_EXTRA_LISTENERS} listeners`);
  return items.map((item, i) => (typeof item === 'string' ? fromString(item.trim()) : fromObject(item, i)));
}

function fail(why: string): never {
  throw new Error(why);
}

function port(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > 65535) fail(`${what}: port must be an integer from 0 to 65535, not ${JSON.stringify(v)}`);
  return n;
}

function fromString(s: string): KafkaExtraListenerOptions {
  const m = /^(?:(\[[^\]]+\]|[^:[\]]+):)?([^:]+):(plaintext|sasl)$/i.exec(s);
  if (!m) fail(`${JSON.stringify(s)} is not [host:]port:plaintext|sasl`);
  const out: KafkaExtraListenerOptions = { port: port(m[2], JSON.stringify(s)), saslRequired: m[3]!.toLowerCase() === 'sasl' };
  if (m[1] !== undefined) out.host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  return out;
}

function fromObject(o: unknown, i: number): KafkaExtraListenerOptions {
  const what = `listener ${i}`;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) fail(`${what} must be an object or a string`);
  const r = o as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!KEYS.has(k)) fail(`${what}: unknown key ${JSON.stringify(k)} (known: ${[...KEYS].join(', ')})`);
  if (typeof r['saslRequired'] !== 'boolean') fail(`${what}: saslRequired must be true or false`);
  const out: KafkaExtraListenerOptions = { port: port(r['port'], what), saslRequired: r['saslRequired'] };
  for (const k of ['host', 'advertisedHost', 'name'] as const) {
    const v = r[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '') fail(`${what}: ${k} must be a non-empty string`);
    out[k] = v;
  }
  // Kafka's listener names: letters, digits and underscores, upper case by convention.
  if (out.name !== undefined && !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(out.name)) fail(`${what}: name must be letters, digits and _ (at most 64)`);
  return out;
}
