/**
 * SigV4's canonical request and string to sign, as AWS documents them:
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n
 *                      (name:value \n)* for each signed header \n SignedHeaders \n PayloadHash
 *   StringToSign     = "AWS4-HMAC-SHA256" \n AmzDate \n Scope \n hex(SHA256(CanonicalRequest))
 *
 * A canonical header value is the header's values (in the order received) each trimmed with
 * runs of white space collapsed to one space, joined with ','. Pure functions.
 */
import { createHash } from 'node:crypto';

export const algorithm = 'AWS4-HMAC-SHA256';
export const scopeTerminator = 'aws4_request';
export const unsignedPayload = 'UNSIGNED-PAYLOAD';
export const emptyBodySha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A header's value(s) in canonical form; '' for a header that is absent. */
export function canonicalHeaderValue(value: string | readonly string[] | undefined): string {
  if (value === undefined) return '';
  const values = typeof value === 'string' ? [value] : value;
  return values.map((v) => v.replace(/[ \t\r\n]+/g, ' ').replace(/^ | $/g, '')).join(',');
}

export interface CanonicalRequestParts {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  /** Lower-case names, in the order the signature lists them. */
  signedHeaders: readonly string[];
  /** canonicalHeaderValue of each signed header, same order. */
  headerValues: readonly string[];
  payloadHash: string;
}

export function canonicalRequest(p: CanonicalRequestParts): string {
  let headers = '';
  for (let i = 0; i < p.signedHeaders.length; i++) headers += `${p.signedHeaders[i]}:${p.headerValues[i]}\n`;
  return `${p.method}\n${p.canonicalUri}\n${p.canonicalQuery}\n${headers}\n${p.signedHeaders.join(';')}\n${p.payloadHash}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `date` is the scope's yyyymmdd. */
export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/${scopeTerminator}`;
}

export function stringToSign(amzDate: string, scope: string, canonicalRequestText: string): string {
  return `${algorithm}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequestText)}`;
}
