/**
 * ApiVersions (key 18): which APIs and versions the broker serves (KIP-35, KIP-511).
 *
 * Served: v0-v4. v1 adds throttle time, v3 is flexible and adds the client software name/version
 * and tagged feature lists, v4 allows feature minimum 0. Its response always uses response header
 * v0, and a request of a version above 4 is answered in v0 with UNSUPPORTED_VERSION and the
 * supported ranges, so that clients retry with a version both sides know (see
 * encodeApiVersionsFallback).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const ApiVersions = defineApi({
  apiKey: 18,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: 3,
  request: struct({
    clientSoftwareName: field('string', '3+'),
    clientSoftwareVersion: field('string', '3+'),
  }),
  response: struct({
    errorCode: field('int16', '0+'),
    apiKeys: field(array(struct({
      apiKey: field('int16', '0+'),
      minVersion: field('int16', '0+'),
      maxVersion: field('int16', '0+'),
    })), '0+'),
    throttleTimeMs: field('int32', '1+'),
    supportedFeatures: field(array(struct({
      name: field('string', '3+'),
      minVersion: field('int16', '3+'),
      maxVersion: field('int16', '3+'),
    })), '3+', { tag: 0 }),
    finalizedFeaturesEpoch: field('int64', '3+', { tag: 1, default: -1 }),
    finalizedFeatures: field(array(struct({
      name: field('string', '3+'),
      maxVersionLevel: field('int16', '3+'),
      minVersionLevel: field('int16', '3+'),
    })), '3+', { tag: 2 }),
    zkMigrationReady: field('bool', '3+', { tag: 3, default: false }),
  }),
});

export type ApiVersionsRequest = RequestOf<typeof ApiVersions>;
export type ApiVersionsResponse = ResponseOf<typeof ApiVersions>;
export type ApiVersionsResponseInput = ResponseInputOf<typeof ApiVersions>;
