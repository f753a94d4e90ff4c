/**
 * Every API × every served version, requests and responses: values generated from the schema
 * survive encode → frame → decode unchanged, and re-encoding the decoded value gives the same
 * bytes (so decoding loses nothing and encoding is deterministic).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kafkaApis } from '../../../src/protocol/kafka/api/registry.js';
import { RequestFramer } from '../../../src/protocol/kafka/codec/framer.js';
import { decodeRequestBody, decodeResponse, encodeRequest, encodeResponse } from '../../../src/protocol/kafka/codec/message.js';
import { requestArb, responseArb } from './arbitrary.js';

const RUNS = Number(process.env.FC_RUNS ?? 40);
const concat = (chunks: Buffer[]) => Buffer.concat(chunks);

for (const api of kafkaApis.all) {
  test(`${api.name} (key ${api.apiKey}) v${api.minVersion}-v${api.maxVersion}: requests and responses round-trip`, () => {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      fc.assert(
        fc.property(requestArb(api, v), fc.integer(), fc.option(fc.string({ maxLength: 8 }), { nil: null }), (body, correlationId, clientId) => {
          const frame = concat(encodeRequest(api, v, { correlationId, clientId }, body as never, { refMinBytes: 16 }));
          const [f, ...rest] = new RequestFramer().push(frame);
          assert.equal(rest.length, 0);
          assert.ok(f && f.kind === 'request', `v${v} classified as a request`);
          assert.deepEqual([f.apiKey, f.apiVersion, f.correlationId, f.clientId], [api.apiKey, v, correlationId, clientId]);
          const decoded = decodeRequestBody(api, v, f.body);
          assert.deepStrictEqual(decoded, body, `${api.name} v${v} request`);
          assert.deepEqual(concat(encodeRequest(api, v, { correlationId, clientId }, decoded as never)), frame);
        }),
        { numRuns: RUNS },
      );
      fc.assert(
        fc.property(responseArb(api, v), fc.integer(), (body, correlationId) => {
          const frame = concat(encodeResponse(api, v, correlationId, body as never, { refMinBytes: 16 }));
          assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
          const decoded = decodeResponse(api, v, frame.subarray(4));
          assert.equal(decoded.correlationId, correlationId);
          assert.deepStrictEqual(decoded.body, body, `${api.name} v${v} response`);
          assert.deepEqual(concat(encodeResponse(api, v, correlationId, decoded.body as never)), frame);
        }),
        { numRuns: RUNS },
      );
    }
  });
}
