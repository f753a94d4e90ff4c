/**
 * ApiVersions answers, generated from the registry: the normal answer, and the fallback for a
 * request of a version Hopper does not know. KIP-511: a client may open with a newer ApiVersions
 * than the broker speaks; the broker must then answer in v0 (the one layout every client can
 * read) with UNSUPPORTED_VERSION, and the client retries with the highest version listed for
 * key 18. Kafka lists only key 18 in that answer; Hopper lists every range, which clients that
 * look up key 18 (Java, librdkafka) read the same way, and kafkajs, which steps down one version
 * at a time on UNSUPPORTED_VERSION, ignores.
 */
import { encodeResponse, type EncodeOptions } from '../codec/message.js';
import { KafkaError } from '../codec/error-codes.js';
import { ApiVersions, type ApiVersionsResponseInput } from './api-versions.js';
import { type ApiRegistry, kafkaApis } from './registry.js';

export interface ApiVersionRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

export function apiVersionRanges(registry: ApiRegistry = kafkaApis): ApiVersionRange[] {
  return registry.all.map((a) => ({ apiKey: a.apiKey, minVersion: a.advertisedMinVersion, maxVersion: a.maxVersion }));
}

/**
 * The features (v3+, KIP-584) whose protocols are served, at the level Kafka 4.1 finalizes when
 * they are on: group.version 1 is KIP-848's consumer groups, share.version 1 KIP-932's share
 * groups (clients may check it before starting a share consumer). Others are left out on purpose:
 * transaction.version 2 would tell clients to use KIP-890's transaction protocol, which is not
 * served, and metadata.version would describe a KRaft quorum Hopper does not have.
 */
const features = [
  { name: 'group.version', minVersion: 0, maxVersion: 1 },
  { name: 'share.version', minVersion: 0, maxVersion: 1 },
] as const;
const supportedFeatures = features.map((f) => ({ ...f }));
const finalizedFeatures = features.map((f) => ({ name: f.name, minVersionLevel: f.maxVersion, maxVersionLevel: f.maxVersion }));

/** The body of a successful ApiVersions answer. */
export function apiVersionsResponse(registry: ApiRegistry = kafkaApis, throttleTimeMs = 0): ApiVersionsResponseInput {
  return { errorCode: KafkaError.NONE, apiKeys: apiVersionRanges(registry), throttleTimeMs, supportedFeatures, finalizedFeaturesEpoch: 0, finalizedFeatures };
}

/** The v0 UNSUPPORTED_VERSION answer to an ApiVersions request of an unknown version, as a frame. */
export function encodeApiVersionsFallback(
  correlationId: number,
  registry: ApiRegistry = kafkaApis,
  opts?: EncodeOptions,
): Buffer[] {
  const body = { errorCode: KafkaError.UNSUPPORTED_VERSION, apiKeys: apiVersionRanges(registry), throttleTimeMs: 0 };
  return encodeResponse(ApiVersions, 0, correlationId, body, opts);
}
