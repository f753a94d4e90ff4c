/**
 * Our response encoders against kafkajs 2.2.4's response decoders, for every API and version
 * both sides know: kafkajs must read back every value we wrote and consume exactly the bytes we
 * wrote.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kafkaApis } from '../../../src/protocol/kafka/api/registry.js';
import { encodeResponse } from '../../../src/protocol/kafka/codec/message.js';
import { type ApiDef, isFlexible } from '../../../src/protocol/kafka/codec/api-def.js';
import { responseArb } from './arbitrary.js';
import { kjsDecodeResponse, kjsVersions } from './kafkajs.js';
import { assertIncluded, clientLeaves, tame, wireLeaves } from './oracle.js';

const dirOf = (api: ApiDef) => api.name[0]!.toLowerCase() + api.name.slice(1);

/** Fields kafkajs reads past without returning them, per API: they cannot be compared. */
const kjsDrops: Record<string, string[]> = {
  AlterPartitionReassignments: ['errorMessage'],
  ListPartitionReassignments: ['errorMessage'],
};

const DROPPED = '\u0000dropped';

/** The value with every field named in `names`, at any depth, replaced by a marker left out of the comparison. */
function markDropped(v: unknown, names: readonly string[]): unknown {
  if (Array.isArray(v)) return v.map((x) => markDropped(x, names));
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, names.includes(k) ? DROPPED : markDropped(x, names)]));
}

for (const api of kafkaApis.all) {
  let versions: number[];
  try {
    versions = kjsVersions(dirOf(api)).filter((v) => v >= api.minVersion && v <= api.maxVersion);
  } catch {
    continue; // kafkajs does not implement this API
  }
  if (versions.length === 0) continue;
  test(`${api.name} responses v${versions.join(',v')} decode in kafkajs`, async () => {
    for (const v of versions) {
      const samples = fc.sample(responseArb(api, v), { numRuns: 25, seed: 42 + v });
      for (const s of samples) {
        const body = tame(s) as Record<string, unknown>;
        const frame = Buffer.concat(encodeResponse(api, v, 9, body as never));
        const { value, leftover } = await kjsDecodeResponse(dirOf(api), v, frame.subarray(8));
        // Its few flexible decoders read the response header's tag section as part of the body
        // and stop before the body's own top-level one, which is then the one byte left (empty).
        const flexibleTail = isFlexible(api, v) && leftover === 1 && frame[frame.length - 1] === 0;
        assert.ok(leftover === 0 || flexibleTail, `${api.name} v${v}: kafkajs left ${leftover} bytes`);
        // kafkajs hands SASL mechanisms the auth bytes with their INT32 length in front.
        if (api.name === 'SaslAuthenticate') value.authBytes = value.authBytes.subarray(4);
        const dropped = kjsDrops[api.name];
        const ours = dropped ? wireLeaves(api.response, v, markDropped(body, dropped) as Record<string, unknown>).filter((l) => l !== DROPPED) : wireLeaves(api.response, v, body);
        assertIncluded(ours, clientLeaves(value), `${api.name} v${v}`);
      }
    }
  });
}
