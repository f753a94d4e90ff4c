/**
 * Password hashing with scrypt (node:crypto). The parameters are stored with each hash, so the
 * defaults can be raised later: old hashes still verify with their own parameters and are
 * rehashed on the next successful login (see AccessControl).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. Memory used is about 128·N·r bytes. */
  N: number;
  r: number;
  p: number;
  keyLengthBytes: number;
  saltLengthBytes: number;
}

/** 16 MiB and ~50 ms per hash: paid once per connection, not per message. */
export const defaultScryptParams: Readonly<ScryptParams> = Object.freeze({ N: 16384, r: 8, p: 1, keyLengthBytes: 32, saltLengthBytes: 16 });

export interface PasswordHash {
  readonly algorithm: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** base64 */
  readonly salt: string;
  /** base64; its length is the key length. */
  readonly hash: string;
}

/** Longer passwords are refused before hashing, so a client cannot make us hash megabytes. */
export const passwordMaxBytes = 4096;

// Bounds on parameters read back from storage: a damaged or hostile record must not make a
// login allocate gigabytes or spin for minutes.
const limits = { NMax: 1 << 20, rMax: 32, pMax: 16, keyMin: 16, keyMax: 128, saltMin: 8, saltMax: 128 };

function scryptAsync(password: string, salt: Buffer, keyLength: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLength, o, (err, key) => (err ? reject(err) : resolve(key))));
}

function options(N: number, r: number, p: number): ScryptOptions {
  return { N, r, p, maxmem: 128 * N * r * p + 32 * 1024 * 1024 };
}

export function paramsWithinLimits(h: Pick<PasswordHash, 'N' | 'r' | 'p'>, keyBytes: number, saltBytes: number): boolean {
  return (
    Number.isInteger(h.N) && h.N >= 2 && h.N <= limits.NMax && (h.N & (h.N - 1)) === 0 &&
    Number.isInteger(h.r) && h.r >= 1 && h.r <= limits.rMax &&
    Number.isInteger(h.p) && h.p >= 1 && h.p <= limits.pMax &&
    keyBytes >= limits.keyMin && keyBytes <= limits.keyMax && saltBytes >= limits.saltMin && saltBytes <= limits.saltMax
  );
}

export async function hashPassword(password: string, params: ScryptParams = defaultScryptParams): Promise<PasswordHash> {
  if (Buffer.byteLength(password, 'utf8') > passwordMaxBytes) throw new RangeError(`password longer than ${passwordMaxBytes} bytes`);
  if (!paramsWithinLimits(params, params.keyLengthBytes, params.saltLengthBytes)) throw new RangeError('scrypt parameters out of range');
  const salt = randomBytes(params.saltLengthBytes);
  const key = await scryptAsync(password, salt, params.keyLengthBytes, options(params.N, params.r, params.p));
  return { algorithm: 'scrypt', N: params.N, r: params.r, p: params.p, salt: salt.toString('base64'), hash: key.toString('base64') };
}

/** True iff `password` produces `stored`. A malformed or out-of-range record never verifies. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (stored.algorithm !== 'scrypt' || Buffer.byteLength(password, 'utf8') > passwordMaxBytes) return false;
  const salt = Buffer.from(stored.salt, 'base64');
  const expected = Buffer.from(stored.hash, 'base64');
  if (!paramsWithinLimits(stored, expected.length, salt.length)) return false;
  const key = await scryptAsync(password, salt, expected.length, options(stored.N, stored.r, stored.p));
  // Constant time, so response timing does not reveal how much of the hash matched.
  return timingSafeEqual(key, expected);
}

/** Whether a stored hash was made with weaker or different parameters than `params`. */
export function needsRehash(stored: PasswordHash, params: ScryptParams = defaultScryptParams): boolean {
  return (
    stored.algorithm !== 'scrypt' || stored.N !== params.N || stored.r !== params.r || stored.p !== params.p ||
    Buffer.from(stored.hash, 'base64').length !== params.keyLengthBytes
  );
}
