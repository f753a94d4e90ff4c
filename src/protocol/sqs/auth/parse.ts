/**
 * Reads a request's SigV4 fields, from the Authorization header
 *   AWS4-HMAC-SHA256 Credential=<id>/<yyyymmdd>/<region>/<service>/aws4_request,
 *                    SignedHeaders=<a;b;c>, Signature=<64 hex>
 * or from a presigned URL's X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
 * X-Amz-SignedHeaders and X-Amz-Signature. Only the shape is checked here; verify.ts checks
 * the values (scope, time, key, signature). Pure functions.
 */
import { algorithm } from './canonical-request.js';
import { failure, incomplete, type SigV4Failure } from './errors.js';
import { decodeCanonical, type QueryParam } from './uri-encode.js';
import type { SigV4Limits } from './limits.js';

export interface SignatureFields {
  readonly presigned: boolean;
  readonly accessKeyId: string;
  /** The credential scope: yyyymmdd, region, service, terminator (expected aws4_request). */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
  /** Lower-case header names in the order the client listed them. */
  readonly signedHeaders: readonly string[];
  /** 64 lower-case hex digits (checked). */
  readonly signature: string;
  /** yyyymmddThhmmssZ as the request gives it (X-Amz-Date), not yet validated. */
  readonly amzDate: string | undefined;
  /** A presigned URL's lifetime in seconds, if it gives one. */
  readonly expiresSec: number | undefined;
  /** The request carries a session token (temporary credentials). */
  readonly sessionToken: boolean;
}

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A header's single value; undefined if absent; null if repeated. */
export function singleHeader(headers: HeaderBag, name: string): string | undefined | null {
  const v = headers[name];
  if (v === undefined || typeof v === 'string') return v;
  return v.length === 1 ? v[0] : v.length === 0 ? undefined : null;
}

const signatureRe = /^[0-9a-f]{64}$/;
const headerNameRe = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

const presignParams = {
  algorithm: 'X-Amz-Algorithm',
  credential: 'X-Amz-Credential',
  date: 'X-Amz-Date',
  expires: 'X-Amz-Expires',
  signedHeaders: 'X-Amz-SignedHeaders',
  signature: 'X-Amz-Signature',
  token: 'X-Amz-Security-Token',
} as const;

/** Whether the request claims SigV4 in the query (a presigned URL). */
export function hasPresignedQuery(params: readonly QueryParam[]): boolean {
  return params.some((p) => p.name === presignParams.algorithm);
}

/** Signed with AWS's older Signature Version 2 (query parameters or an "AWS id:sig" header). */
export function looksLikeSigV2(params: readonly QueryParam[], authorization: string | undefined): boolean {
  if (authorization !== undefined && /^AWS [^ ]+:/.test(authorization)) return true;
  return params.some((p) => p.name === 'AWSAccessKeyId' || p.name === 'SignatureVersion');
}

function parseCredential(value: string): Omit<SignatureFields, 'presigned' | 'signedHeaders' | 'signature' | 'amzDate' | 'expiresSec' | 'sessionToken'> | SigV4Failure {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '' || /\s/.test(p))) {
    return incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request, got '${value.slice(0, 200)}'.`);
  }
  const [accessKeyId, scopeDate, region, service, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, scopeDate, region, service, terminator };
}

function parseSignedHeaders(value: string, limits: SigV4Limits): readonly string[] | SigV4Failure {
  const names = value.split(';');
  if (names.length > limits.signedHeadersMax) return incomplete(`Too many signed headers (at most ${limits.signedHeadersMax}).`);
  const seen = new Set<string>();
  for (const n of names) {
    if (!headerNameRe.test(n)) return incomplete(`SignedHeaders must be lower-case header names separated by ';', got '${value.slice(0, 200)}'.`);
    if (seen.has(n)) return incomplete(`SignedHeaders lists '${n}' twice.`);
    seen.add(n);
  }
  return names;
}

function checkSignature(value: string): string | SigV4Failure {
  // A malformed signature can never match: say so plainly rather than run the HMAC.
  return signatureRe.test(value) ? value : failure('SignatureDoesNotMatch', 'The request signature must be 64 lower-case hexadecimal digits.');
}

/** The fields of `Authorization: AWS4-HMAC-SHA256 …`. */
export function parseAuthorizationHeader(value: string, headers: HeaderBag, limits: SigV4Limits): SignatureFields | SigV4Failure {
  if (value.length > limits.authorizationMaxChars) return incomplete(`The Authorization header is longer than ${limits.authorizationMaxChars} characters.`);
  const space = value.indexOf(' ');
  const alg = space < 0 ? value : value.slice(0, space);
  if (alg !== algorithm) {
    if (alg.startsWith('AWS4-')) return failure('InvalidSecurity', `Unsupported signing algorithm '${alg.slice(0, 64)}': sign requests with AWS Signature Version 4 (${algorithm}).`);
    return incomplete(`Unsupported AWS 'algorithm': '${alg.slice(0, 64)}'.`);
  }
  const fields = new Map<string, string>();
  for (const item of value.slice(space + 1).split(',')) {
    const t = item.trim();
    if (t === '') continue;
    const eq = t.indexOf('=');
    const k = eq < 0 ? t : t.slice(0, eq);
    if (fields.has(k)) return incomplete(`Authorization header has '${k.slice(0, 64)}' twice.`);
    fields.set(k, eq < 0 ? '' : t.slice(eq + 1));
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !fields.has(k));
  if (missing.length > 0) return incomplete(missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' '));
  const credential = parseCredential(fields.get('Credential')!);
  if ('ok' in credential) return credential;
  const signedHeaders = parseSignedHeaders(fields.get('SignedHeaders')!, limits);
  if ('ok' in signedHeaders) return signedHeaders;
  const signature = checkSignature(fields.get('Signature')!);
  if (typeof signature !== 'string') return signature;
  const amzDate = singleHeader(headers, 'x-amz-date') ?? singleHeader(headers, 'date');
  if (amzDate === null) return incomplete("The request has more than one 'X-Amz-Date' header.");
  if (amzDate === undefined) return incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  return {
    presigned: false,
    ...credential,
    signedHeaders,
    signature,
    amzDate,
    expiresSec: undefined,
    sessionToken: headers['x-amz-security-token'] !== undefined,
  };
}

/** The fields of a presigned URL's query. */
export function parsePresignedQuery(params: readonly QueryParam[], limits: SigV4Limits): SignatureFields | SigV4Failure {
  const got = new Map<string, string>();
  const wanted: readonly string[] = Object.values(presignParams);
  for (const p of params) {
    if (!wanted.includes(p.name)) continue;
    if (got.has(p.name)) return incomplete(`The query string has '${p.name}' twice.`);
    got.set(p.name, decodeCanonical(p.value));
  }
  const alg = got.get(presignParams.algorithm)!;
  if (alg !== algorithm) {
    if (alg.startsWith('AWS4-')) return failure('InvalidSecurity', `Unsupported signing algorithm '${alg.slice(0, 64)}': sign requests with AWS Signature Version 4 (${algorithm}).`);
    return incomplete(`X-Amz-Algorithm only supports '${algorithm}'.`);
  }
  const missing = [presignParams.credential, presignParams.signature, presignParams.date, presignParams.signedHeaders].filter((k) => !got.has(k));
  if (missing.length > 0) {
    return incomplete(`AWS query-string parameters must include ${missing.map((k) => `'${k}'`).join(', ')}. Re-examine the query-string parameters.`);
  }
  const credential = parseCredential(got.get(presignParams.credential)!);
  if ('ok' in credential) return credential;
  const signedHeaders = parseSignedHeaders(got.get(presignParams.signedHeaders)!, limits);
  if ('ok' in signedHeaders) return signedHeaders;
  const signature = checkSignature(got.get(presignParams.signature)!);
  if (typeof signature !== 'string') return signature;
  let expiresSec: number | undefined;
  const expires = got.get(presignParams.expires);
  if (expires !== undefined) {
    if (!/^[0-9]{1,7}$/.test(expires) || Number(expires) < 1 || Number(expires) > limits.presignedExpiresMaxSec) {
      return incomplete(`X-Amz-Expires must be a whole number of seconds from 1 to ${limits.presignedExpiresMaxSec}.`);
    }
    expiresSec = Number(expires);
  }
  return {
    presigned: true,
    ...credential,
    signedHeaders,
    signature,
    amzDate: got.get(presignParams.date),
    expiresSec,
    sessionToken: got.has(presignParams.token),
  };
}

/** The canonical name of the parameter a presigned URL's canonical query leaves out. */
export const presignedSignatureParam = presignParams.signature;
