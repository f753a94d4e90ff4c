/**
 * Bounds on what one request may make the verifier do, checked before any hashing. The body's
 * size is the endpoint's to bound (it reads the body before calling verifySigV4); these cover
 * the rest of what is hashed or parsed.
 */
export interface SigV4Limits {
  /** Longest Authorization header accepted. */
  authorizationMaxChars: number;
  /** Most headers one signature may cover (AWS's SDKs sign 4 to 8). */
  signedHeadersMax: number;
  /** Most bytes of signed header values together. */
  signedHeaderBytesMax: number;
  /** Longest path (without the query). */
  pathMaxChars: number;
  /** Longest query string: a query-protocol GET may carry a whole message, percent-encoded. */
  queryMaxChars: number;
  /** Most query parameters. */
  queryParamsMax: number;
  /** Longest lifetime a presigned URL may ask for (X-Amz-Expires): 7 days, as AWS. */
  presignedExpiresMaxSec: number;
  /** How far a request's time may be from ours: 15 minutes, as AWS. */
  clockSkewMaxMs: number;
}

export const defaultSigV4Limits: Readonly<SigV4Limits> = Object.freeze({
  authorizationMaxChars: 4096,
  signedHeadersMax: 64,
  signedHeaderBytesMax: 64 * 1024,
  pathMaxChars: 8192,
  queryMaxChars: 3 * 1024 * 1024 + 64 * 1024,
  queryParamsMax: 4096,
  presignedExpiresMaxSec: 7 * 24 * 3600,
  clockSkewMaxMs: 15 * 60 * 1000,
});
