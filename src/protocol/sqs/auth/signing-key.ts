/**
 * SigV4's signing key: HMAC-SHA256 chained over the scope,
 *   kDate = HMAC("AWS4" + secret, yyyymmdd); kRegion = HMAC(kDate, region);
 *   kService = HMAC(kRegion, service); kSigning = HMAC(kService, "aws4_request"),
 * and a bounded cache of derived keys: a client signs every request of a day in one region
 * with the same key, so verifying costs one HMAC instead of five.
 */
import { createHmac } from 'node:crypto';
import { scopeTerminator } from './canonical-request.js';

export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', 'AWS4' + secretAccessKey).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update(scopeTerminator).digest();
}

/** The signature of a string to sign: lower-case hex in requests, raw bytes here. */
export function signatureBytes(signingKey: Buffer, stringToSignText: string): Buffer {
  return createHmac('sha256', signingKey).update(stringToSignText).digest();
}

interface Entry {
  /** The secret the key was derived from: a key deleted and made again with the same id and another secret misses. */
  readonly secret: string;
  readonly key: Buffer;
}

/**
 * Derived keys by (access key id, date, region, service), at most `entriesMax`, the oldest
 * dropped first. An entry is only used while the key's secret is the one it was derived from.
 */
export class SigningKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly entriesMax = 1024) {
    if (!Number.isInteger(entriesMax) || entriesMax < 1) throw new RangeError('entriesMax must be an integer >= 1');
  }

  get size(): number {
    return this.entries.size;
  }

  signingKey(accessKeyId: string, secretAccessKey: string, date: string, region: string, service: string): Buffer {
    // Ids, dates, regions and services hold no '\n' (checked by the parser), so the key is unambiguous.
    const k = `${accessKeyId}\n${date}\n${region}\n${service}`;
    const hit = this.entries.get(k);
    if (hit !== undefined && hit.secret === secretAccessKey) return hit.key;
    const key = deriveSigningKey(secretAccessKey, date, region, service);
    this.entries.delete(k);
    this.entries.set(k, { secret: secretAccessKey, key });
    if (this.entries.size > this.entriesMax) this.entries.delete(this.entries.keys().next().value!);
    return key;
  }

  clear(): void {
    this.entries.clear();
  }
}
