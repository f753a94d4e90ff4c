/**
 * @platformatic/kafka's protocol code as a second independent oracle, for the flexible versions
 * kafkajs does not know: one module per API version (dist/apis/<group>/<api>-v<N>.js) with a
 * createRequest and a parseResponse. Loaded by file path, as the package exports only its client.
 */
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ApiDef } from '../../../src/protocol/kafka/codec/api-def.js';

const require = createRequire(import.meta.url);
const dist = dirname(require.resolve('@platformatic/kafka'));

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface PltApi {
  createRequest: (...args: any[]) => { buffer: Buffer };
  parseResponse: (correlationId: number, apiKey: number, apiVersion: number, reader: any) => any;
}

const files = new Map<string, string>();
for (const group of readdirSync(join(dist, 'apis'), { withFileTypes: true })) {
  if (!group.isDirectory()) continue;
  for (const f of readdirSync(join(dist, 'apis', group.name))) {
    const m = /^(.*-v\d+)\.js$/.exec(f);
    if (m) files.set(m[1]!, join(dist, 'apis', group.name, f));
  }
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase());

/** The versions of an API that @platformatic/kafka implements. */
export function pltVersions(api: ApiDef): number[] {
  const prefix = `${kebab(api.name)}-v`;
  return [...files.keys()].filter((k) => k.startsWith(prefix) && /^\d+$/.test(k.slice(prefix.length))).map((k) => Number(k.slice(prefix.length))).sort((a, b) => a - b);
}

export async function pltApi(api: ApiDef, version: number): Promise<PltApi> {
  return (await import(pathToFileURL(files.get(`${kebab(api.name)}-v${version}`)!).href)) as PltApi;
}

const { Reader } = (await import(pathToFileURL(join(dist, 'protocol', 'reader.js')).href)) as { Reader: { from(b: Buffer): any } };

/** Parses a response body (after the header) the way @platformatic/kafka does; reports leftover bytes. */
export function pltParse(mod: PltApi, api: ApiDef, version: number, body: Buffer): { value: any; leftover: number } {
  const reader = Reader.from(body);
  let value: any;
  try {
    value = mod.parseResponse(9, api.apiKey, version, reader);
  } catch (e: any) {
    // It throws a ResponseError carrying the parsed response when an error field is set.
    if (e?.response === undefined) throw e;
    value = e.response;
  }
  return { value, leftover: body.length - reader.position };
}
