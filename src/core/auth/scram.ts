/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677): the stored credentials and a sans-IO
 * server state machine. The password is never stored; a user keeps, per mechanism, the salt, the
 * iteration count, StoredKey = H(HMAC(SaltedPassword, "Client Key")) and
 * ServerKey = HMAC(SaltedPassword, "Server Key"), SaltedPassword = PBKDF2-HMAC-H(password, salt, i).
 *
 * Supported: gs2 header "n,," only (no channel binding, no authzid), no extensions. An unknown
 * user (or one without SCRAM credentials) gets a full exchange with fake, stable credentials and
 * fails at the proof, so the exchange does not reveal which user names exist.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const scramMechanisms: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

export interface ScramCredential {
  /** base64 */
  readonly salt: string;
  readonly iterations: number;
  /** base64 */
  readonly storedKey: string;
  /** base64 */
  readonly serverKey: string;
}

export type ScramCredentials = Readonly<Partial<Record<ScramMechanism, ScramCredential>>>;

/** Kafka's minimum (and RFC 7677's recommended minimum). */
export const defaultScramIterations = 4096;
const scramSaltBytes = 24;
/** Stored iteration counts outside this range are refused (a damaged record must not spin). */
const iterationsMin = 4096;
const iterationsMax = 1_000_000;

// Input bounds: messages longer than these are refused before any parsing.
const clientFirstMaxBytes = 1024;
const clientFinalMaxBytes = 2048;
const nonceMaxChars = 256;
const userMaxBytes = 512;

const digests: Record<ScramMechanism, { hash: 'sha256' | 'sha512'; bytes: number }> = {
  'SCRAM-SHA-256': { hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', bytes: 64 },
};

export function isScramMechanism(m: string | null | undefined): m is ScramMechanism {
  return m === 'SCRAM-SHA-256' || m === 'SCRAM-SHA-512';
}

function hmac(m: ScramMechanism, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(digests[m].hash, key).update(data).digest();
}
function h(m: ScramMechanism, data: Buffer): Buffer {
  return createHash(digests[m].hash).update(data).digest();
}

function pbkdf2Async(password: string, salt: Buffer, iterations: number, keyLen: number, hash: string): Promise<Buffer> {
  return new Promise((resolve, reject) => pbkdf2(password, salt, iterations, keyLen, hash, (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * Derives the stored credential for one mechanism. The password is used as given (UTF-8);
 * SASLprep is not applied, as Kafka's own broker does not apply it either.
 */
export async function deriveScramCredential(
  mechanism: ScramMechanism,
  password: string,
  opts: { salt?: Buffer; iterations?: number } = {},
): Promise<ScramCredential> {
  const salt = opts.salt ?? randomBytes(scramSaltBytes);
  const iterations = opts.iterations ?? defaultScramIterations;
  if (!Number.isInteger(iterations) || iterations < iterationsMin || iterations > iterationsMax) throw new RangeError('SCRAM iterations out of range');
  const d = digests[mechanism];
  const salted = await pbkdf2Async(password, salt, iterations, d.bytes, d.hash);
  return {
    salt: salt.toString('base64'),
    iterations,
    storedKey: h(mechanism, hmac(mechanism, salted, 'Client Key')).toString('base64'),
    serverKey: hmac(mechanism, salted, 'Server Key').toString('base64'),
  };
}

/** Credentials for every supported mechanism (what addUser / changePassword store). */
export async function deriveScramCredentials(password: string, iterations = defaultScramIterations): Promise<ScramCredentials> {
  const entries = await Promise.all(scramMechanisms.map(async (m) => [m, await deriveScramCredential(m, password, { iterations })] as const));
  return Object.fromEntries(entries) as ScramCredentials;
}

/**
 * The stored credential for a password salted elsewhere (Kafka's AlterUserScramCredentials sends
 * the salt, the iteration count and SaltedPassword, never the password).
 */
export function scramCredentialFromSalted(mechanism: ScramMechanism, salt: Buffer, iterations: number, salted: Buffer): ScramCredential {
  if (!Number.isInteger(iterations) || iterations < iterationsMin || iterations > iterationsMax) throw new RangeError('SCRAM iterations out of range');
  if (salt.length < 8 || salt.length > 128) throw new RangeError('SCRAM salt must be 8 to 128 bytes');
  if (salted.length === 0) throw new RangeError('empty salted password');
  return {
    salt: salt.toString('base64'),
    iterations,
    storedKey: h(mechanism, hmac(mechanism, salted, 'Client Key')).toString('base64'),
    serverKey: hmac(mechanism, salted, 'Server Key').toString('base64'),
  };
}

/** Thrown for every failed or malformed exchange; the message is safe to send to the client. */
export class ScramError extends Error {
  override readonly name = 'ScramError';
}

interface Decoded {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

function decodeCredential(m: ScramMechanism, c: ScramCredential | undefined): Decoded | null {
  if (c === undefined) return null;
  const salt = Buffer.from(c.salt, 'base64');
  const storedKey = Buffer.from(c.storedKey, 'base64');
  const serverKey = Buffer.from(c.serverKey, 'base64');
  const n = digests[m].bytes;
  if (storedKey.length !== n || serverKey.length !== n || salt.length < 8 || salt.length > 128) return null;
  if (!Number.isInteger(c.iterations) || c.iterations < iterationsMin || c.iterations > iterationsMax) return null;
  return { salt, iterations: c.iterations, storedKey, serverKey };
}

/** saslname: "=2C" is ',', "=3D" is '='; any other '=' is malformed (RFC 5802 §5.1). */
function decodeSaslName(s: string): string {
  if (/=(?!2C|3D)/.test(s)) throw new ScramError('malformed user name');
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** printable = %x21-2B / %x2D-7E (no ','). */
const printable = /^[\x21-\x2b\x2d-\x7e]+$/;
const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface ScramServerOptions {
  /** Looks up the stored credential; undefined for unknown users or users without SCRAM. */
  lookup(user: string): ScramCredential | undefined;
  /** Key for the fake salts of unknown users (stable per server, so probes see a stable salt). */
  fakeSecret: Buffer;
  /**
   * The iteration count offered to unknown users: the count real users' credentials are made
   * with, so it does not set them apart. Default 4096.
   */
  fakeIterations?: number;
  /** Tests only: the server's part of the nonce. */
  serverNonce?: string;
}

type State =
  | { step: 'initial' }
  | { step: 'first-sent'; user: string; cred: Decoded; real: boolean; clientNonce: string; nonce: string; clientFirstBare: string; serverFirst: string }
  | { step: 'done'; user: string }
  | { step: 'failed' };

/**
 * One server side of one exchange: clientFirst() answers server-first, clientFinal() answers
 * server-final and yields the authenticated user name. Any error leaves the machine failed.
 */
export class ScramServer {
  private state: State = { step: 'initial' };

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly options: ScramServerOptions,
  ) {}

  get done(): boolean {
    return this.state.step === 'done';
  }

  clientFirst(message: Buffer | string): string {
    return this.guard(() => {
      if (this.state.step !== 'initial') throw new ScramError('unexpected client-first message');
      const msg = text(message, clientFirstMaxBytes);
      if (msg.startsWith('p=')) throw new ScramError('channel binding is not supported');
      if (!msg.startsWith('n,,')) throw new ScramError(msg.startsWith('y,') || msg.startsWith('n,a=') ? 'only the gs2 header "n,," is supported' : 'malformed client-first message');
      const bare = msg.slice(3);
      const attrs = bare.split(',');
      if (attrs.length !== 2) throw new ScramError(attrs.length > 2 || attrs[0]?.startsWith('m=') ? 'SCRAM extensions are not supported' : 'malformed client-first message');
      const [n, r] = attrs as [string, string];
      if (!n.startsWith('n=') || !r.startsWith('r=')) throw new ScramError(n.startsWith('m=') ? 'SCRAM extensions are not supported' : 'malformed client-first message');
      const user = decodeSaslName(n.slice(2));
      if (user === '' || Buffer.byteLength(user, 'utf8') > userMaxBytes) throw new ScramError('malformed user name');
      const clientNonce = r.slice(2);
      if (clientNonce.length > nonceMaxChars || !printable.test(clientNonce)) throw new ScramError('malformed nonce');
      const stored = decodeCredential(this.mechanism, this.options.lookup(user));
      const cred = stored ?? this.fakeCredential(user);
      const nonce = clientNonce + (this.options.serverNonce ?? randomBytes(24).toString('base64'));
      const serverFirst = `r=${nonce},s=${cred.salt.toString('base64')},i=${cred.iterations}`;
      this.state = { step: 'first-sent', user, cred, real: stored !== null, clientNonce, nonce, clientFirstBare: bare, serverFirst };
      return serverFirst;
    });
  }

  /** Returns server-final and the user name; ScramError if the proof (or anything else) is wrong. */
  clientFinal(message: Buffer | string): { serverFinal: string; user: string } {
    return this.guard(() => {
      const s = this.state;
      if (s.step !== 'first-sent') throw new ScramError('unexpected client-final message');
      const msg = text(message, clientFinalMaxBytes);
      const i = msg.lastIndexOf(',p=');
      if (i < 0) throw new ScramError('malformed client-final message');
      const withoutProof = msg.slice(0, i);
      const proofB64 = msg.slice(i + 3);
      const attrs = withoutProof.split(',');
      if (attrs.length !== 2) throw new ScramError(attrs.length > 2 ? 'SCRAM extensions are not supported' : 'malformed client-final message');
      const [c, r] = attrs as [string, string];
      if (c !== 'c=biws') throw new ScramError('channel binding mismatch');
      // librdkafka before 2.6.1 (Debian's kcat: 2.0.2) sends its own nonce again in front of the
      // combined one (confluentinc/librdkafka#4895); Kafka 3.8.1-3.9 accepted that too. The
      // server's nonce is still required, and the proof covers the nonce as sent.
      if (r !== `r=${s.nonce}` && r !== `r=${s.clientNonce}${s.nonce}`) throw new ScramError('nonce mismatch');
      if (!base64Re.test(proofB64)) throw new ScramError('malformed proof');
      const proof = Buffer.from(proofB64, 'base64');
      const n = digests[this.mechanism].bytes;
      const authMessage = `${s.clientFirstBare},${s.serverFirst},${withoutProof}`;
      const signature = hmac(this.mechanism, s.cred.storedKey, authMessage);
      const clientKey = Buffer.alloc(n);
      for (let k = 0; k < n; k++) clientKey[k] = (proof[k] ?? 0) ^ signature[k]!;
      const ok = timingSafeEqual(h(this.mechanism, clientKey), s.cred.storedKey);
      if (!ok || proof.length !== n || !s.real) throw new ScramError('authentication failed');
      const serverSignature = hmac(this.mechanism, s.cred.serverKey, authMessage);
      this.state = { step: 'done', user: s.user };
      return { serverFinal: `v=${serverSignature.toString('base64')}`, user: s.user };
    });
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      this.state = { step: 'failed' };
      throw e instanceof ScramError ? e : new ScramError('malformed SCRAM message');
    }
  }

  private fakeCredential(user: string): Decoded {
    const n = digests[this.mechanism].bytes;
    const salt = hmac(this.mechanism, this.options.fakeSecret, `salt\u0000${this.mechanism}\u0000${user}`).subarray(0, scramSaltBytes);
    return { salt, iterations: this.options.fakeIterations ?? defaultScramIterations, storedKey: randomBytes(n), serverKey: randomBytes(n) };
  }
}

function text(message: Buffer | string, maxBytes: number): string {
  const len = typeof message === 'string' ? Buffer.byteLength(message, 'utf8') : message.length;
  if (len > maxBytes) throw new ScramError('SCRAM message too long');
  const s = typeof message === 'string' ? message : message.toString('utf8');
  if (s.includes('\u0000')) throw new ScramError('malformed SCRAM message');
  return s;
}
