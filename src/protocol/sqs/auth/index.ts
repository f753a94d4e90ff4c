/**
 * SQS authentication: AWS Signature Version 4 verified against Hopper's access keys, and the
 * Hopper permission each SQS action needs. See docs/sqs-auth.md.
 */
export { authenticateSqsRequest, type SqsAuthContext, type SqsAuthenticated, type SqsAuthResult } from './authenticate.js';
export { verifySigV4, parseAmzDate, formatAmzDate, type AccessKeyLookup, type SigV4Request, type SigV4Result, type SigV4Success, type VerifyOptions } from './verify.js';
export { accessDenied, sigV4ErrorStatus, type SigV4ErrorCode, type SigV4Failure } from './errors.js';
export { defaultSigV4Limits, type SigV4Limits } from './limits.js';
export { SigningKeyCache, deriveSigningKey } from './signing-key.js';
export { checkSqsAccess, isSqsAction, requiredPermissions, sqsActionPermission, type RequiredPermission, type SqsAccessRequest, type SqsAction } from './permissions.js';
export { canonicalRequest, canonicalHeaderValue, credentialScope, stringToSign } from './canonical-request.js';
export { canonicalUri, canonicalParams, canonicalQueryString, uriEncode } from './uri-encode.js';
