/**
 * AWS Signature Version 4 verification for the SQS endpoint.
 *
 *   verifySigV4(req, keys, nowMs, options?) → SigV4Success | SigV4Failure
 *
 * - `req`: the request as received: `method`, `url` (path and query, still percent-encoded:
 *   Node's req.url), `headers` with lower-case names (pass Node's `req.headersDistinct` to keep
 *   a repeated header's values apart, as AWS joins them with ',' where Node's req.headers uses
 *   ', '), and the whole `body`, already bounded in size by the endpoint.
 * - `keys`: finds an access key's secret, user and account by id (broker.access is one).
 * - `nowMs`: the time the request arrived, for the 15-minute clock-skew rule and presigned expiry.
 * - `options.service`: the credential scope's service, 'sqs' by default; `options.cache`: where
 *   derived signing keys are kept (a shared bounded cache by default); `options.limits`.
 *
 * Success says who signed (the Hopper user and access key), the account, and the region the
 * client signed for (from the credential scope: queues are kept per account and region, as in
 * AWS). Failure has AWS's code, message and HTTP status for SQS (errors.ts). Both signature
 * forms are accepted: the Authorization header, and a presigned URL's X-Amz-* query parameters.
 *
 * What is checked, in order: one auth mechanism present (else MissingAuthenticationToken, or
 * InvalidSecurity for SigV2); sizes (limits.ts), before any hashing; the fields' shape
 * (IncompleteSignature); the scope's terminator, service, date and region (SignatureDoesNotMatch);
 * the access key (InvalidClientTokenId); the time (SignatureDoesNotMatch "Signature expired" past
 * ±15 minutes, RequestExpired past a presigned URL's X-Amz-Expires); 'host' among the signed
 * headers; the payload hash (x-amz-content-sha256 when given, which must match the body unless
 * it is UNSIGNED-PAYLOAD); then the signature itself, compared in constant time.
 *
 * Loopback-only users and Hopper permissions are not this function's: see authenticate.ts and
 * permissions.ts.
 */
import { timingSafeEqual } from 'node:crypto';
import { canonicalHeaderValue, canonicalRequest, credentialScope, emptyBodySha256, scopeTerminator, sha256Hex, stringToSign, unsignedPayload } from './canonical-request.js';
import { failure, incomplete, invalidClientToken, missingAuthentication, signatureMismatch, type SigV4Failure } from './errors.js';
import { defaultSigV4Limits, type SigV4Limits } from './limits.js';
import { hasPresignedQuery, looksLikeSigV2, parseAuthorizationHeader, parsePresignedQuery, presignedSignatureParam, singleHeader, type HeaderBag, type SignatureFields } from './parse.js';
import { SigningKeyCache, signatureBytes } from './signing-key.js';
import { canonicalParams, canonicalQueryString, canonicalUri, decodeCanonical, type QueryParam } from './uri-encode.js';

export interface SigV4Request {
  readonly method: string;
  /** Path and query string as received (Node's req.url). */
  readonly url: string;
  /** Lower-case names; an array holds a repeated header's values in order (Node's req.headersDistinct). */
  readonly headers: HeaderBag;
  readonly body: Buffer;
}

/** What verification needs to know of an access key. AccessControl (broker.access) is one. */
export interface AccessKeyLookup {
  accessKey(accessKeyId: string): { readonly secretAccessKey: string; readonly user: string; readonly accountId: string } | undefined;
}

export interface SigV4Success {
  readonly ok: true;
  /** The Hopper user the key belongs to. */
  readonly user: string;
  readonly accessKeyId: string;
  readonly accountId: string;
  /** The region of the credential scope. */
  readonly region: string;
  readonly service: string;
  readonly presigned: boolean;
}

export type SigV4Result = SigV4Success | SigV4Failure;

export interface VerifyOptions {
  /** The service the scope must name. Default 'sqs'. */
  service?: string;
  cache?: SigningKeyCache;
  limits?: Partial<SigV4Limits>;
}

const sharedCache = new SigningKeyCache();
const amzDateRe = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// What AWS's region names look like (us-east-1), and local stand-ins (elasticmq, local).
const regionRe = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;

/** yyyymmddThhmmssZ → ms, or NaN if malformed or not a real date. */
export function parseAmzDate(s: string): number {
  const m = amzDateRe.exec(s);
  if (m === null) return NaN;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  // Date.UTC rolls 20150231 over to March: refuse what does not round-trip.
  return formatAmzDate(ms) === s ? ms : NaN;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export function verifySigV4(req: SigV4Request, keys: AccessKeyLookup, nowMs: number, options: VerifyOptions = {}): SigV4Result {
  const limits: SigV4Limits = options.limits === undefined ? defaultSigV4Limits : { ...defaultSigV4Limits, ...options.limits };
  const service = options.service ?? 'sqs';

  // ---- what kind of authentication, and sizes, before anything is hashed ----
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  if (path.length > limits.pathMaxChars) return incomplete(`The request path is longer than ${limits.pathMaxChars} characters.`);
  if (rawQuery.length > limits.queryMaxChars) return incomplete(`The query string is longer than ${limits.queryMaxChars} characters.`);
  if (countParams(rawQuery) > limits.queryParamsMax) return incomplete(`The query string has more than ${limits.queryParamsMax} parameters.`);
  const params = canonicalParams(rawQuery);
  const authorization = singleHeader(req.headers, 'authorization');
  if (authorization === null) return incomplete('The request has more than one Authorization header.');
  const presigned = hasPresignedQuery(params);
  if (presigned && authorization !== undefined) {
    return incomplete('Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.');
  }
  if (!presigned && authorization === undefined) {
    return looksLikeSigV2(params, undefined)
      ? failure('InvalidSecurity', 'Signature Version 2 is not supported: sign requests with AWS Signature Version 4.')
      : missingAuthentication();
  }
  if (authorization !== undefined && looksLikeSigV2([], authorization)) {
    return failure('InvalidSecurity', 'Signature Version 2 is not supported: sign requests with AWS Signature Version 4.');
  }
  const fields = presigned ? parsePresignedQuery(params, limits) : parseAuthorizationHeader(authorization!, req.headers, limits);
  if ('ok' in fields) return fields;

  // ---- scope and key ----
  const scopeProblem = checkScope(fields, service);
  if (scopeProblem !== null) return scopeProblem;
  const key = keys.accessKey(fields.accessKeyId);
  if (key === undefined) return invalidClientToken();
  // Hopper issues no temporary credentials, so no session token can be valid.
  if (fields.sessionToken) return invalidClientToken();

  // ---- time ----
  const dateMs = parseAmzDate(fields.amzDate!);
  const timeProblem = checkTime(fields, dateMs, nowMs, limits);
  if (timeProblem !== null) return timeProblem;

  // ---- signed headers and payload ----
  if (!fields.signedHeaders.includes('host')) return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  const headerValues: string[] = [];
  let headerBytes = 0;
  for (const name of fields.signedHeaders) {
    const v = canonicalHeaderValue(req.headers[name]);
    headerBytes += v.length;
    if (headerBytes > limits.signedHeaderBytesMax) return incomplete(`The signed headers hold more than ${limits.signedHeaderBytesMax} bytes.`);
    headerValues.push(v);
  }
  const payloadHashes = payloadHashCandidates(req, params, presigned);
  if (!Array.isArray(payloadHashes)) return payloadHashes as SigV4Failure;

  // ---- the signature ----
  const scope = credentialScope(fields.scopeDate, fields.region, fields.service);
  const signingKey = (options.cache ?? sharedCache).signingKey(fields.accessKeyId, key.secretAccessKey, fields.scopeDate, fields.region, fields.service);
  const given = Buffer.from(fields.signature, 'hex');
  const base = {
    method: req.method,
    canonicalUri: canonicalUri(path),
    canonicalQuery: canonicalQueryString(params, presigned ? presignedSignatureParam : undefined),
    signedHeaders: fields.signedHeaders,
    headerValues,
  };
  let matched = false;
  for (const payloadHash of payloadHashes) {
    const expected = signatureBytes(signingKey, stringToSign(fields.amzDate!, scope, canonicalRequest({ ...base, payloadHash })));
    // Constant time: how much of a guessed signature is right must not show in the reply's timing.
    if (timingSafeEqual(expected, given)) matched = true;
  }
  if (!matched) return signatureMismatch();
  return { ok: true, user: key.user, accessKeyId: fields.accessKeyId, accountId: key.accountId, region: fields.region, service: fields.service, presigned };
}

function countParams(rawQuery: string): number {
  if (rawQuery === '') return 0;
  let n = 1;
  for (let i = rawQuery.indexOf('&'); i >= 0; i = rawQuery.indexOf('&', i + 1)) n++;
  return n;
}

function checkScope(f: SignatureFields, service: string): SigV4Failure | null {
  const amzDate = f.amzDate ?? '';
  if (Number.isNaN(parseAmzDate(amzDate))) {
    return incomplete(`Date must be in ISO-8601 'basic format'. Got '${amzDate.slice(0, 64)}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  if (f.terminator !== scopeTerminator) return signatureMismatch(`Credential should be scoped with a valid terminator: '${scopeTerminator}', not '${f.terminator.slice(0, 64)}'.`);
  if (f.service !== service) return signatureMismatch(`Credential should be scoped to correct service: '${service}'. `);
  if (f.scopeDate !== amzDate.slice(0, 8)) {
    return signatureMismatch(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${f.scopeDate.slice(0, 64)}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  }
  if (!regionRe.test(f.region)) return signatureMismatch('Credential should be scoped to a valid region. ');
  return null;
}

const skewMinutes = (ms: number) => `${Math.round(ms / 60_000)} min.`;

function checkTime(f: SignatureFields, dateMs: number, nowMs: number, limits: SigV4Limits): SigV4Failure | null {
  const skew = limits.clockSkewMaxMs;
  if (dateMs > nowMs + skew) {
    return signatureMismatch(`Signature not yet current: ${f.amzDate} is still later than ${formatAmzDate(nowMs + skew)} (${formatAmzDate(nowMs)} + ${skewMinutes(skew)})`);
  }
  if (f.presigned && f.expiresSec !== undefined) {
    if (nowMs > dateMs + f.expiresSec * 1000) {
      return failure('RequestExpired', `Request has expired: it was signed at ${f.amzDate} for ${f.expiresSec} seconds, and it is now ${formatAmzDate(nowMs)}.`);
    }
    return null;
  }
  if (dateMs < nowMs - skew) {
    return signatureMismatch(`Signature expired: ${f.amzDate} is now earlier than ${formatAmzDate(nowMs - skew)} (${formatAmzDate(nowMs)} - ${skewMinutes(skew)})`);
  }
  return null;
}

const hexSha256Re = /^[0-9a-fA-F]{64}$/;

/**
 * The payload hashes the client may have signed. With x-amz-content-sha256 (or a presigned
 * URL's X-Amz-Content-Sha256), its value: UNSIGNED-PAYLOAD, or a digest that must be the body's.
 * Without, the body's digest; for a presigned URL with no body also UNSIGNED-PAYLOAD, which
 * some presigners sign by default (a body never goes unsigned unless the client said so).
 */
function payloadHashCandidates(req: SigV4Request, params: readonly QueryParam[], presigned: boolean): string[] | SigV4Failure {
  let declared: string | undefined | null = singleHeader(req.headers, 'x-amz-content-sha256');
  if (declared === null) return incomplete("The request has more than one 'x-amz-content-sha256' header.");
  if (presigned && declared === undefined) {
    const p = params.find((x) => x.name === 'X-Amz-Content-Sha256');
    if (p !== undefined) declared = decodeCanonical(p.value);
  }
  if (declared === unsignedPayload) return [unsignedPayload];
  const bodyHash = req.body.length === 0 ? emptyBodySha256 : sha256Hex(req.body);
  if (declared !== undefined) {
    if (!hexSha256Re.test(declared)) return incomplete("x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the hex SHA-256 of the body.");
    if (declared.toLowerCase() !== bodyHash) return signatureMismatch("The provided 'x-amz-content-sha256' header does not match what was computed.");
    return [declared];
  }
  return presigned && req.body.length === 0 ? [bodyHash, unsignedPayload] : [bodyHash];
}
