/**
 * How SigV4 verification fails, with the code and HTTP status AWS answers SQS requests with.
 * `code` is the query protocol's <Code> and the JSON protocol's `x-amzn-query-error` code (with
 * `;Sender`); the JSON `__type` carries the same name. Every one is the client's fault (Sender).
 *
 * - MissingAuthenticationToken 403: no Authorization header and no X-Amz-* query signature.
 * - IncompleteSignature 400: the signature's fields are missing or malformed.
 * - InvalidSecurity 403: signed with something other than SigV4 (SigV2, SigV4a).
 * - InvalidClientTokenId 403: unknown access key id, or a session token (Hopper issues none).
 * - SignatureDoesNotMatch 403: wrong secret or altered request; also the wrong scope (date,
 *   service, terminator) and a clock more than 15 minutes off, with the message SQS sends for
 *   it ("Signature expired: … is now earlier than … (… - 15 min.)"). The AWS SDK for
 *   JavaScript v3 corrects its clock from the `Date` header of any error response whose time is
 *   5 minutes or more from its own, then retries (AwsSdkSigV4Signer.errorHandler): the endpoint
 *   must keep Node's Date header on error responses. SignatureDoesNotMatch is also among the
 *   SDK's CLOCK_SKEW_ERROR_CODES (@smithy/service-error-classification).
 * - RequestExpired 400: a presigned URL past X-Amz-Date + X-Amz-Expires.
 * - AccessDenied 403: authenticated, but the user lacks the Hopper permission (permissions.ts).
 */

export type SigV4ErrorCode =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidSecurity'
  | 'InvalidClientTokenId'
  | 'SignatureDoesNotMatch'
  | 'RequestExpired'
  | 'AccessDenied';

export const sigV4ErrorStatus: Readonly<Record<SigV4ErrorCode, number>> = {
  MissingAuthenticationToken: 403,
  IncompleteSignature: 400,
  InvalidSecurity: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  RequestExpired: 400,
  AccessDenied: 403,
};

export interface SigV4Failure {
  readonly ok: false;
  readonly code: SigV4ErrorCode;
  /** AWS's wording where known. Never contains a secret or a signature we computed. */
  readonly message: string;
  readonly status: number;
}

export function failure(code: SigV4ErrorCode, message: string): SigV4Failure {
  return { ok: false, code, message, status: sigV4ErrorStatus[code] };
}

export const missingAuthentication = (): SigV4Failure =>
  failure('MissingAuthenticationToken', 'The request must contain either a valid (registered) AWS access key ID or X.509 certificate.');

export const incomplete = (why: string): SigV4Failure => failure('IncompleteSignature', why);

export const invalidClientToken = (): SigV4Failure => failure('InvalidClientTokenId', 'The security token included in the request is invalid.');

export const signatureMismatch = (why?: string): SigV4Failure =>
  failure(
    'SignatureDoesNotMatch',
    why ?? 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );

/** AWS's "Access to the resource <url> is denied." (the queue URL, or the endpoint for ListQueues). */
export const accessDenied = (resourceUrl: string): SigV4Failure => failure('AccessDenied', `Access to the resource ${resourceUrl} is denied.`);
