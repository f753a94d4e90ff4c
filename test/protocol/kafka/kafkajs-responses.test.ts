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
import type { ApiDef } from '../../../src/protocol/kafka/codec/api-def.js';
import { responseArb } from './arbitrary.js';
import { kjsDecodeResponse, kjsVersions } from './kafkajs.js';
import { assertIncluded, clientLeaves, tame, wireLeaves } from './oracle.js';

const dirOf = (api: ApiDef) => api.name[0]!.toLowerCase() + api.name.slice(1);

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
        assert.equal(leftover, 0, `${api.name} v${v}: kafkajs left ${leftover} bytes`);
        // kafkajs hands SASL mechanisms the auth bytes with their INT32 length in front.
        if (api.name === 'SaslAuthenticate') value.authBytes = value.authBytes.subarray(4);
        assertIncluded(wireLeaves(api.response, v, body), clientLeaves(value), `${api.name} v${v}`);
      }
    }
  });
}
