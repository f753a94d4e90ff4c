/**
 * The registry and the ApiVersions answers read off it: what kafkajs negotiates from them, and
 * the UNSUPPORTED_VERSION fallback that makes clients retry with an older ApiVersions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ApiVersions } from '../../../src/protocol/kafka/api/api-versions.js';
import { apiVersionRanges, apiVersionsResponse, encodeApiVersionsFallback } from '../../../src/protocol/kafka/api/api-versions-answer.js';
import { createRegistry, kafkaApis } from '../../../src/protocol/kafka/api/registry.js';
import { KafkaError } from '../../../src/protocol/kafka/codec/error-codes.js';
import { decodeResponse, encodeResponse } from '../../../src/protocol/kafka/codec/message.js';
import { kjsDecodeResponse } from './kafkajs.js';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const { requests, lookup } = require('kafkajs/src/protocol/requests/index.js') as { requests: Record<string, any>; lookup: any };
const kjsApiKeys = require('kafkajs/src/protocol/requests/apiKeys.js') as Record<string, number>;

test('the registry lists each api key once, in order, within the KIP-896 floors', () => {
  const keys = kafkaApis.all.map((a) => a.apiKey);
  assert.deepEqual(keys, [...new Set(keys)].sort((a, b) => a - b));
  assert.throws(() => createRegistry([ApiVersions, ApiVersions]), /registered twice/);
  const range = (name: string) => {
    const a = kafkaApis.all.find((x) => x.name === name)!;
    return [a.minVersion, a.maxVersion];
  };
  assert.deepEqual(range('Produce'), [3, 11]);
  assert.deepEqual(range('Fetch'), [4, 17]);
  assert.deepEqual(range('ListOffsets'), [1, 8]);
  assert.deepEqual(range('Metadata'), [0, 12]);
  assert.deepEqual(range('ApiVersions'), [0, 4]);
  assert.deepEqual(range('FindCoordinator'), [0, 5]); // v0 kept for librdkafka 2.0.2
  assert.deepEqual(range('JoinGroup'), [2, 9]);
  assert.deepEqual(range('OffsetCommit'), [2, 9]);
  assert.deepEqual(range('OffsetFetch'), [1, 9]);
});

test('ApiVersions advertises every API; Produce from 0 for librdkafka (KAFKA-18659)', () => {
  const ranges = apiVersionRanges();
  assert.equal(ranges.length, kafkaApis.all.length);
  assert.deepEqual(ranges.find((r) => r.apiKey === 0), { apiKey: 0, minVersion: 0, maxVersion: 11 });
  assert.deepEqual(ranges.find((r) => r.apiKey === 18), { apiKey: 18, minVersion: 0, maxVersion: 4 });
});

test('kafkajs negotiates, from our ApiVersions answer, a version we serve for every API it uses', async () => {
  const frame = Buffer.concat(encodeResponse(ApiVersions, 2, 1, apiVersionsResponse()));
  const { value } = await kjsDecodeResponse('apiVersions', 2, frame.subarray(8));
  const versions = Object.fromEntries(value.apiVersions.map((v: any) => [v.apiKey, { minVersion: v.minVersion, maxVersion: v.maxVersion }]));
  const pick = lookup(versions);
  const chosen: Record<string, number> = {};
  for (const [name, def] of Object.entries(requests)) {
    const key = kjsApiKeys[name];
    const ours = kafkaApis.get(key!);
    if (!ours || def.versions.length === 0) continue;
    const { request } = pick(key, { ...def, protocol: ({ version }: { version: number }) => ({ request: { apiVersion: version } }) });
    chosen[name] = request.apiVersion;
    assert.ok(request.apiVersion >= ours.minVersion && request.apiVersion <= ours.maxVersion, `${name} v${request.apiVersion}`);
  }
  assert.deepEqual(
    [chosen.Produce, chosen.Fetch, chosen.Metadata, chosen.ListOffsets, chosen.OffsetCommit, chosen.OffsetFetch, chosen.GroupCoordinator, chosen.JoinGroup],
    [7, 11, 6, 3, 5, 4, 2, 5],
  );
});

test('an ApiVersions request of an unknown version is answered in v0 with UNSUPPORTED_VERSION', async () => {
  const frame = Buffer.concat(encodeApiVersionsFallback(99));
  assert.equal(frame.readInt32BE(0), frame.length - 4);
  const { correlationId, body } = decodeResponse(ApiVersions, 0, frame.subarray(4));
  assert.equal(correlationId, 99);
  assert.equal(body.errorCode, KafkaError.UNSUPPORTED_VERSION);
  assert.deepEqual(body.apiKeys.find((k) => k.apiKey === 18), { apiKey: 18, minVersion: 0, maxVersion: 4 });
  // kafkajs reads this answer with its v0 decoder and steps down on UNSUPPORTED_VERSION.
  await assert.rejects(kjsDecodeResponse('apiVersions', 0, frame.subarray(8)), (e: any) => e.type === 'UNSUPPORTED_VERSION');
});
