/**
 * SaslAuthenticate (key 36): one SASL token each way.
 *
 * Served: v0-v2. v1 adds the session lifetime (KIP-368), v2 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { field, struct } from '../codec/schema.js';

export const SaslAuthenticate = defineApi({
  apiKey: 36,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: 2,
  request: struct({
    authBytes: field('bytes', '0+'),
  }),
  response: struct({
    errorCode: field('int16', '0+'),
    errorMessage: field('string', '0+', { nullable: '0+' }),
    authBytes: field('bytes', '0+'),
    sessionLifetimeMs: field('int64', '1+', { default: 0 }),
  }),
});

export type SaslAuthenticateRequest = RequestOf<typeof SaslAuthenticate>;
export type SaslAuthenticateResponse = ResponseOf<typeof SaslAuthenticate>;
export type SaslAuthenticateResponseInput = ResponseInputOf<typeof SaslAuthenticate>;
