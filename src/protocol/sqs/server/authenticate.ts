/**
 * The one place where an SQS request is authenticated, before any action runs. The listener
 * calls an Authenticator with the request as received (method, path and query, headers, body)
 * and runs the action as the identity it returns, or answers with the SqsError it returns.
 *
 * AWS Signature Version 4 verification plugs in here (an Authenticator that checks the
 * signature against Hopper's access keys). Until it does, and whenever the setting
 * `sqs.verifySignatures` is false, `unverifiedAuthenticator` maps every request to the default
 * local identity: user `guest`, account 000000000000, the region from the Authorization
 * header's credential scope (or a presigned URL's X-Amz-Credential), else us-east-1. The
 * server logs a warning at start that signatures are not verified.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SqsError } from '../errors.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from '../endpoint.js';

export interface SqsIdentity {
  /** The Hopper user the request acts as. */
  readonly user: string;
  readonly accountId: string;
  readonly region: string;
}

export interface SignedRequest {
  readonly method: string;
  /** Path and query string as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** When the request arrived (ms since epoch): the reference for clock-skew checks. */
  readonly receivedAtMs: number;
}

export type Authenticator = (req: SignedRequest) => Promise<SqsIdentity | SqsError>;

const SCOPE_RE = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/sqs\/aws4_request/;
const QUERY_SCOPE_RE = /[?&]X-Amz-Credential=[^&/]+(?:\/|%2F)\d{8}(?:\/|%2F)([a-z0-9-]+)(?:\/|%2F)sqs(?:\/|%2F)aws4_request/i;

/** The region a request's SigV4 credential scope names, or null. */
export function regionOfRequest(req: SignedRequest): string | null {
  const auth = req.headers['authorization'];
  const m = (typeof auth === 'string' ? SCOPE_RE.exec(auth) : null) ?? QUERY_SCOPE_RE.exec(req.url);
  return m ? m[1]! : null;
}

export function unverifiedAuthenticator(defaults: { user?: string; accountId?: string; region?: string } = {}): Authenticator {
  const user = defaults.user ?? 'guest';
  const accountId = defaults.accountId ?? DEFAULT_ACCOUNT_ID;
  const fallback = defaults.region ?? DEFAULT_REGION;
  return (req) => Promise.resolve({ user, accountId, region: regionOfRequest(req) ?? fallback });
}
