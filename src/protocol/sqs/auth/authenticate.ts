/**
 * The SQS endpoint's authentication step: SigV4 (verify.ts) against the broker's access keys,
 * then the rules every protocol applies to a login, so that a key is exactly as good as its
 * user's password: the user must still exist, and a loopback-only user (guest, whose key is
 * the default guest/guest) is refused from any other address, as RabbitMQ refuses guest.
 *
 *   authenticateSqsRequest(broker.access, req, { nowMs, peerAddress }) → SqsAuthResult
 */
import type { AccessControl, AuthenticatedUser } from '../../../core/auth/access-control.js';
import { isLoopback } from '../../../core/broker/session.js';
import { failure, invalidClientToken, type SigV4Failure } from './errors.js';
import { verifySigV4, type SigV4Request, type SigV4Success, type VerifyOptions } from './verify.js';

export interface SqsAuthenticated extends SigV4Success {
  /** The user as a login result: what Session.forUser takes. */
  readonly principal: AuthenticatedUser;
}

export type SqsAuthResult = SqsAuthenticated | SigV4Failure;

export interface SqsAuthContext {
  /** When the request arrived, ms since the epoch. */
  nowMs: number;
  /** The client's address as the socket reports it; omitted for in-process use. */
  peerAddress?: string | undefined;
  verify?: VerifyOptions;
}

export function authenticateSqsRequest(access: AccessControl, req: SigV4Request, ctx: SqsAuthContext): SqsAuthResult {
  const r = verifySigV4(req, access, ctx.nowMs, ctx.verify);
  if (!r.ok) return r;
  const user = access.user(r.user);
  // Keys go with their user; a key whose user is gone (never in a consistent catalogue) fails as unknown.
  if (user === undefined) return invalidClientToken();
  if (user.loopbackOnly && ctx.peerAddress !== undefined && !isLoopback(ctx.peerAddress)) {
    return failure('AccessDenied', `User '${user.name}' can only connect from loopback (access key ${r.accessKeyId}).`);
  }
  return { ...r, principal: { name: user.name, tags: user.tags, loopbackOnly: user.loopbackOnly } };
}
