/**
 * SQS access keys (AWS Signature Version 4 credentials): the rules for ids, secrets and account
 * ids, and making new ones. Storage is the UserStore's (the catalogue); AccessControl manages them.
 */
import { randomBytes } from 'node:crypto';
import { HopperError } from '../errors.js';
import type { AccessKeyRecord } from './types.js';

/**
 * The account of a key made without one. AWS's local tools (LocalStack, ElasticMQ) use the same
 * twelve zeros, so queue URLs and ARNs look like theirs.
 */
export const defaultAccountId = '000000000000';

/**
 * Keys per user. IAM allows 2 (enough to rotate); Hopper allows more so that each application
 * of a user can have its own key and lose it alone. The bound keeps the catalogue small.
 */
export const accessKeysPerUserMax = 10;

/** IAM's bounds for an access key id are 16–128 word characters; we also accept short ids like 'guest'. */
export const accessKeyIdMaxChars = 128;
export const secretAccessKeyMaxChars = 128;

// No '/' (it separates the credential scope), ',' or '=' (they delimit the Authorization header),
// nor white space: an id must survive being written in a Credential= field unescaped.
const accessKeyIdRe = /^[A-Za-z0-9_.-]+$/;
// Visible ASCII: what credential files, environment variables and every SDK carry unchanged.
const secretRe = /^[\x21-\x7e]+$/;
const accountIdRe = /^[0-9]{12}$/;

export function validateAccessKeyId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > accessKeyIdMaxChars || !accessKeyIdRe.test(id)) {
    throw new HopperError('INVALID_ARGUMENT', `an access key id is 1–${accessKeyIdMaxChars} ASCII letters, digits, '_', '.' or '-'`);
  }
}

/** The message never quotes the secret: it may be most of a real one. */
export function validateSecretAccessKey(secret: string): void {
  if (typeof secret !== 'string' || secret.length === 0 || secret.length > secretAccessKeyMaxChars || !secretRe.test(secret)) {
    throw new HopperError('INVALID_ARGUMENT', `a secret access key is 1–${secretAccessKeyMaxChars} visible ASCII characters`);
  }
}

export function validateAccountId(accountId: string): void {
  if (typeof accountId !== 'string' || !accountIdRe.test(accountId)) {
    throw new HopperError('INVALID_ARGUMENT', `an account id is 12 digits, not ${JSON.stringify(accountId)}`);
  }
}

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A fresh key pair shaped like AWS's: a 20-character id (our prefix 'HKIA' where AWS has 'AKIA',
 * then 80 random bits in base32) and a 40-character secret (240 random bits in base64).
 */
export function generateAccessKey(): { accessKeyId: string; secretAccessKey: string } {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let id = 'HKIA';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      id += base32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return { accessKeyId: id, secretAccessKey: randomBytes(30).toString('base64') };
}

/** What listings show of a key: everything but the secret. */
export interface AccessKeyInfo {
  readonly accessKeyId: string;
  readonly user: string;
  readonly accountId: string;
  readonly createdAtMs: number;
}

export function accessKeyInfo(k: AccessKeyRecord): AccessKeyInfo {
  return { accessKeyId: k.accessKeyId, user: k.user, accountId: k.accountId, createdAtMs: k.createdAtMs };
}
