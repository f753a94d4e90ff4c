/**
 * SaslHandshake (key 17): choose a SASL mechanism.
 *
 * Served: v1 only. v1 means the SASL exchange that follows is framed as SaslAuthenticate requests;
 * v0 (raw SASL tokens on the socket) was removed by KIP-896. kafkajs 2.2.4 and librdkafka send v1.
 * ApiVersions still reports a minimum of 0: Debian's librdkafka (2.0.2, kcat) enables SASL at all
 * only when the broker's SaslHandshake range includes v0 (it then sends v1, its highest).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const SaslHandshake = defineApi({
  apiKey: 17,
  name: 'SaslHandshake',
  minVersion: 1,
  maxVersion: 1,
  flexibleFrom: null,
  advertisedMinVersion: 0,
  request: struct({
    mechanism: field('string', '0+'),
  }),
  response: struct({
    errorCode: field('int16', '0+'),
    mechanisms: field(array('string'), '0+'),
  }),
});

export type SaslHandshakeRequest = RequestOf<typeof SaslHandshake>;
export type SaslHandshakeResponse = ResponseOf<typeof SaslHandshake>;
export type SaslHandshakeResponseInput = ResponseInputOf<typeof SaslHandshake>;
