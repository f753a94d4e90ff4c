/**
 * kafkajs 2.2.4's protocol code as an independent oracle: its request encoders produce the bytes
 * a real client sends, its response decoders read what we answer. kafkajs knows no flexible
 * version, so it covers the pre-flexible versions of each API; the flexible ones are covered by
 * the hand-checked goldens.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const Decoder = require('kafkajs/src/protocol/decoder.js') as { prototype: Record<string, unknown> };
const Request = require('kafkajs/src/protocol/request.js') as (o: any) => Promise<{ buffer: Buffer }>;

/** The versions kafkajs implements for a request directory (e.g. 'produce'). */
export function kjsVersions(dir: string): number[] {
  const { versions } = require(`kafkajs/src/protocol/requests/${dir}/index.js`) as { versions: string[] };
  return versions.map(Number).sort((a, b) => a - b);
}

/** A whole request frame (size prefix included) as kafkajs sends it. */
export async function kjsRequestFrame(dir: string, version: number, args: object, correlationId: number, clientId: string): Promise<Buffer> {
  const build = require(`kafkajs/src/protocol/requests/${dir}/v${version}/request.js`) as (a: object) => any;
  const encoder = await Request({ correlationId, clientId, request: build(args) });
  return encoder.buffer;
}

// Every kafkajs response decoder reads through Decoder; recording the instances lets a test check
// that the decoder consumed exactly the bytes we wrote (kafkajs itself ignores leftovers).
const seen: any[] = [];
for (const name of Object.getOwnPropertyNames(Decoder.prototype)) {
  const f = Decoder.prototype[name];
  if (name === 'constructor' || typeof f !== 'function' || !name.startsWith('read')) continue;
  Decoder.prototype[name] = function (this: any, ...a: unknown[]) {
    if (seen.length < 10000) seen.push(this);
    return (f as (...x: unknown[]) => unknown).apply(this, a);
  };
}

/** Decodes a response payload (the bytes after the correlation id) with kafkajs. */
export async function kjsDecodeResponse(dir: string, version: number, payload: Buffer): Promise<{ value: any; leftover: number }> {
  let mod = require(`kafkajs/src/protocol/requests/${dir}/v${version}/response.js`) as any;
  if (typeof mod === 'function') mod = mod({ topics: [] }); // DeleteRecords binds the request's topics
  const decode = mod.decode as (b: Buffer) => Promise<any>;
  seen.length = 0;
  const value = await decode(payload);
  const top = seen.find((d) => d.buffer === payload);
  return { value, leftover: top ? top.buffer.length - top.offset : payload.length };
}
