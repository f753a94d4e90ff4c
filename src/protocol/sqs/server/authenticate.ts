/**
 * The one place where an SQS request is authenticated, before any action runs. The listener
 * calls an Authenticator with the request as received (method, path and query, headers, body,
 * the client's address) and runs the action as the identity it returns, or answers with the
 * SqsError it returns.
 *
 * `verifiedAuthenticator` checks the request's AWS Signature Version 4 against Hopper's access
 * keys (src/protocol/sqs/auth/, docs/sqs-auth.md): the identity is the key's user and account, in
 * the region of the credential scope. When the setting `sqs.verifySignatures` is false,
 * `unverifiedAuthenticator` maps every request to the default local identity instead: user
 * `guest`, account 000000000000, the region from the Authorization header's credential scope (or
 * a presigned URL's X-Amz-Credential), else us-east-1; the server logs a warning at start.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AccessControl } from '../../../core/auth/access-control.js';
import { authenticateSqsRequest } from '../auth/authenticate.js';
import { SqsError } from '../errors.js';
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
  /** The headers with a repeated one's values apart (Node's headersDistinct): SigV4 signs them joined with ','. */
  readonly headersDistinct: NodeJS.Dict<string[]>;
  readonly body: Buffer;
  /** The client's address (loopback-only users such as guest are refused from elsewhere). */
  readonly peerAddress: string | undefined;
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

/** Signature Version 4 against the broker's access keys (`sqs.verifySignatures`, the default). */
export function verifiedAuthenticator(access: AccessControl): Authenticator {
  return (req) => {
    const r = authenticateSqsRequest(access, { method: req.method, url: req.url, headers: req.headersDistinct, body: req.body }, { nowMs: req.receivedAtMs, peerAddress: req.peerAddress });
    if (!r.ok) return Promise.resolve(new SqsError({ type: r.code, code: r.code, status: r.status, sender: true }, r.message));
    return Promise.resolve({ user: r.user, accountId: r.accountId, region: r.region });
  };
}
