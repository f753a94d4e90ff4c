/**
 * Users, password logins and the configure/write/read checks that every protocol goes
 * through. What each operation needs follows RabbitMQ's table (e.g. queue.declare: configure
 * on the queue; queue.bind: write on the queue and read on the exchange; basic.publish:
 * write on the exchange; basic.consume: read on the queue); the protocol layers pick the row,
 * this module answers.
 */
import { randomBytes } from 'node:crypto';
import { HashSlots } from './hash-slots.js';
import { KnownPasswords } from './known-passwords.js';
import { defaultLoginThrottleOptions, LoginThrottle, type LoginThrottleOptions, type LoginTurn } from './login-throttle.js';
import { HopperError } from '../errors.js';
import { validateUserName } from '../names.js';
import { defaultExchangeName, defaultExchangeResourceName } from '../exchange/defaults.js';
import { defaultScryptParams, hashPassword, needsRehash, passwordMaxBytes, verifyPassword, type PasswordHash, type ScryptParams } from './password.js';
import { defaultScramIterations, deriveScramCredentials, ScramError, ScramServer, type ScramCredential, type ScramCredentials, type ScramMechanism } from './scram.js';
import { compilePattern, validatePattern, type NameMatcher } from './permission-pattern.js';
import { accessKeyInfo, accessKeysPerUserMax, defaultAccountId, generateAccessKey, validateAccessKeyId, validateAccountId, validateSecretAccessKey, type AccessKeyInfo } from './access-keys.js';
import type { AccessKeyRecord, Permission, PermissionRecord, UserRecord, UserStore } from './types.js';

export interface AuthenticatedUser {
  readonly name: string;
  readonly tags: readonly string[];
  readonly loopbackOnly: boolean;
}

export interface AccessControlOptions {
  scrypt?: ScryptParams;
  /** Re-hash a password made with other parameters on its next successful login. Default true. */
  rehashOnLogin?: boolean;
  /** PBKDF2 iterations for the SCRAM credentials derived when a password is set. Default 4096. */
  scramIterations?: number;
  /** How failed logins slow down their client address (login-throttle.ts). */
  loginThrottle?: Partial<LoginThrottleOptions>;
  /** Slow password hashes (scrypt, PBKDF2) computed at once at most (hash-slots.ts). Default 1. */
  concurrentHashesMax?: number;
}

/** Where a login comes from; omitted for in-process use (then it is not throttled). */
export interface LoginOrigin {
  peerAddress?: string | undefined;
}

export interface PermissionPatterns {
  configure: string;
  write: string;
  read: string;
}

type Compiled = Record<Permission, NameMatcher>;

export class AccessControl {
  // Keyed by record object: records are replaced on change, so a stale entry can never be
  // used and is collected with its record. Each pattern is compiled once per record.
  private readonly compiled = new WeakMap<PermissionRecord, Compiled>();
  private readonly scrypt: ScryptParams;
  private readonly rehashOnLogin: boolean;
  private readonly scramIterations: number;
  readonly throttle: LoginThrottle;
  readonly slots: HashSlots;
  private readonly known = new KnownPasswords();
  /**
   * What an unknown user's password is checked against: random bytes in the shape of a real
   * hash with the current parameters, so the check costs exactly what a real one costs.
   */
  private readonly dummyHash: PasswordHash;
  /** Keys the fake SCRAM salts of unknown users: stable for this process, unguessable. */
  private readonly scramFakeSecret = randomBytes(32);

  constructor(readonly store: UserStore, options: AccessControlOptions = {}) {
    this.scrypt = options.scrypt ?? defaultScryptParams;
    this.rehashOnLogin = options.rehashOnLogin ?? true;
    this.scramIterations = options.scramIterations ?? defaultScramIterations;
    this.throttle = new LoginThrottle({ ...defaultLoginThrottleOptions, ...options.loginThrottle });
    this.slots = new HashSlots(options.concurrentHashesMax ?? 1);
    this.dummyHash = {
      algorithm: 'scrypt',
      N: this.scrypt.N,
      r: this.scrypt.r,
      p: this.scrypt.p,
      salt: randomBytes(this.scrypt.saltLengthBytes).toString('base64'),
      hash: randomBytes(this.scrypt.keyLengthBytes).toString('base64'),
    };
  }

  // ---- users ----

  /** ALREADY_EXISTS if the name is taken. A null password makes a user that cannot log in. */
  async addUser(name: string, password: string | null, opts: { tags?: readonly string[]; loopbackOnly?: boolean } = {}): Promise<UserRecord> {
    validateUserName(name);
    if (this.store.getUser(name) !== undefined) throw new HopperError('ALREADY_EXISTS', `user ${JSON.stringify(name)} already exists`);
    const [hash, scram] = await Promise.all([this.hash(password), this.deriveScram(password)]);
    const user: UserRecord = {
      name,
      password: hash,
      tags: normalizeTags(opts.tags ?? []),
      loopbackOnly: opts.loopbackOnly ?? false,
      ...(scram ? { scram } : {}),
    };
    // Checked again: another addUser may have run while we hashed.
    if (this.store.getUser(name) !== undefined) throw new HopperError('ALREADY_EXISTS', `user ${JSON.stringify(name)} already exists`);
    await this.store.putUser(user);
    return user;
  }

  async changePassword(name: string, password: string | null): Promise<void> {
    const [hash, scram] = await Promise.all([this.hash(password), this.deriveScram(password)]);
    const { scram: _old, ...rest } = this.mustGetUser(name);
    await this.store.putUser({ ...rest, password: hash, ...(scram ? { scram } : {}) });
  }

  /**
   * Sets, or with null removes, one SCRAM credential of a user (Kafka's AlterUserScramCredentials),
   * durably. A user that does not exist is created without a password (it can log in with SCRAM
   * only), without tags, and reported as created. Removing a credential the user lacks is NOT_FOUND.
   */
  async setScramCredential(name: string, mechanism: ScramMechanism, credential: ScramCredential | null): Promise<{ created: boolean }> {
    validateUserName(name);
    const user = this.store.getUser(name);
    if (credential === null) {
      if (user?.scram?.[mechanism] === undefined) throw new HopperError('NOT_FOUND', `user ${JSON.stringify(name)} has no ${mechanism} credential`);
      const { [mechanism]: _gone, ...rest } = user.scram;
      await this.store.putUser({ ...user, scram: rest });
      return { created: false };
    }
    const base: UserRecord = user ?? { name, password: null, tags: [], loopbackOnly: false };
    await this.store.putUser({ ...base, scram: { ...(base.scram ?? {}), [mechanism]: credential } });
    return { created: user === undefined };
  }

  async setTags(name: string, tags: readonly string[]): Promise<void> {
    await this.store.putUser({ ...this.mustGetUser(name), tags: normalizeTags(tags) });
  }

  async setLoopbackOnly(name: string, loopbackOnly: boolean): Promise<void> {
    await this.store.putUser({ ...this.mustGetUser(name), loopbackOnly });
  }

  async deleteUser(name: string): Promise<void> {
    this.mustGetUser(name);
    await this.store.deleteUser(name);
  }

  user(name: string): UserRecord | undefined {
    return this.store.getUser(name);
  }

  hasTag(name: string, tag: string): boolean {
    return this.store.getUser(name)?.tags.includes(tag) ?? false;
  }

  /**
   * Checks a password login; AUTHENTICATION_FAILED with one message for every cause, so the
   * reply does not tell an attacker which user names exist. A user whose password verified
   * before is checked in microseconds (known-passwords.ts); every other check, including an
   * unknown user's and a wrong password's, costs one slow hash, so the two take the same time.
   * Logins from one address are checked one at a time and slowed down after failures
   * (login-throttle.ts).
   */
  async authenticate(name: string, password: string, origin: LoginOrigin = {}): Promise<AuthenticatedUser> {
    const turn = await this.enter(origin, () => authFailed(name));
    let ok = false;
    try {
      const user = await this.checkPassword(name, password);
      ok = true;
      return user;
    } finally {
      turn.done(ok);
    }
  }

  private async checkPassword(name: string, password: string): Promise<AuthenticatedUser> {
    const user = this.store.getUser(name);
    const stored = user?.password ?? null;
    if (user !== undefined && stored !== null && this.known.matches(stored, password)) return loginResult(user);
    // Unknown users are checked against the dummy, so timing does not reveal the user's existence.
    const verified = await this.slots.run(() => verifyPassword(password, stored ?? this.dummyHash));
    if (!verified || user === undefined || stored === null) throw authFailed(name);
    this.known.remember(stored, password);
    if (this.rehashOnLogin && needsRehash(stored, this.scrypt)) {
      // A failure to store is not a failed login.
      const rehashed = await this.slots.run(() => hashPassword(password, this.scrypt)).catch(() => null);
      // Only if nothing changed the user meanwhile.
      if (rehashed !== null && this.store.getUser(name) === user) {
        await this.store.putUser({ ...user, password: rehashed }).then(
          () => this.known.remember(rehashed, password),
          () => {},
        );
      }
    }
    return loginResult(user);
  }

  /** The login's turn from its address; `refusal` if too many of that address's logins wait. */
  private async enter(origin: LoginOrigin, refusal: () => Error): Promise<LoginTurn> {
    try {
      return await this.throttle.enter(origin.peerAddress);
    } catch {
      throw refusal();
    }
  }

  /**
   * A SCRAM exchange for `mechanism` against the stored credentials. The caller turns the user
   * name it yields into a session with `authenticatedUser` (then Session.forUser).
   */
  scramServer(mechanism: ScramMechanism, opts: { serverNonce?: string } = {}): ScramServer {
    return new ScramServer(mechanism, {
      // A user without a password has SCRAM credentials only when they were set on their own
      // (Kafka's AlterUserScramCredentials): those log in; clearing the password clears them too.
      lookup: (name) => this.store.getUser(name)?.scram?.[mechanism],
      fakeSecret: this.scramFakeSecret,
      fakeIterations: this.scramIterations,
      ...opts,
    });
  }

  /**
   * The final step of a SCRAM exchange (client proof → server-final), taking its turn from the
   * client's address and counting a failure like a failed password login.
   */
  async scramFinal(server: ScramServer, clientFinal: Buffer | string, origin: LoginOrigin = {}): Promise<{ serverFinal: string; user: string }> {
    const turn = await this.enter(origin, () => new ScramError('authentication failed'));
    let ok = false;
    try {
      const r = server.clientFinal(clientFinal);
      ok = true;
      return r;
    } finally {
      turn.done(ok);
    }
  }

  /** The user as a login result; AUTHENTICATION_FAILED if it no longer exists. */
  authenticatedUser(name: string): AuthenticatedUser {
    const user = this.store.getUser(name);
    if (user === undefined) throw authFailed(name);
    return loginResult(user);
  }

  // ---- SQS access keys ----

  /**
   * Makes an SQS access key for `user`, durably, and returns its secret: the only time the
   * secret is handed out (AWS's CreateAccessKey likewise). By default the id and secret are
   * random (generateAccessKey) and the account is 000000000000; an explicit id and secret are
   * for importing existing keys (e.g. LocalStack's test/test). NOT_FOUND for an unknown user,
   * ALREADY_EXISTS for a taken id, RESOURCE_LIMIT past accessKeysPerUserMax keys.
   */
  async addAccessKey(
    user: string,
    opts: { accessKeyId?: string; secretAccessKey?: string; accountId?: string } = {},
  ): Promise<{ accessKeyId: string; secretAccessKey: string; accountId: string }> {
    this.mustGetUser(user);
    const generated = generateAccessKey();
    const accessKeyId = opts.accessKeyId ?? generated.accessKeyId;
    const secretAccessKey = opts.secretAccessKey ?? generated.secretAccessKey;
    const accountId = opts.accountId ?? defaultAccountId;
    validateAccessKeyId(accessKeyId);
    validateSecretAccessKey(secretAccessKey);
    validateAccountId(accountId);
    if (this.store.getAccessKey(accessKeyId) !== undefined) throw new HopperError('ALREADY_EXISTS', `access key ${JSON.stringify(accessKeyId)} already exists`);
    if (this.store.listAccessKeys().filter((k) => k.user === user).length >= accessKeysPerUserMax) {
      throw new HopperError('RESOURCE_LIMIT', `user ${JSON.stringify(user)} already has ${accessKeysPerUserMax} access keys (the most allowed)`);
    }
    await this.store.putAccessKey({ accessKeyId, secretAccessKey, user, accountId, createdAtMs: Date.now() });
    return { accessKeyId, secretAccessKey, accountId };
  }

  /** Deletes a key, durably; NOT_FOUND if there is none with that id. */
  async removeAccessKey(accessKeyId: string): Promise<void> {
    if (this.store.getAccessKey(accessKeyId) === undefined) throw new HopperError('NOT_FOUND', `no access key ${JSON.stringify(accessKeyId)}`);
    await this.store.deleteAccessKey(accessKeyId);
  }

  /** The keys of one user (or of everyone), oldest first, without their secrets. */
  listAccessKeys(user?: string): AccessKeyInfo[] {
    return this.store
      .listAccessKeys()
      .filter((k) => user === undefined || k.user === user)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.accessKeyId < b.accessKeyId ? -1 : 1))
      .map(accessKeyInfo);
  }

  /**
   * The stored key with its secret, for signature verification only (the SQS endpoint's
   * AccessKeyLookup). Never log what this returns.
   */
  accessKey(accessKeyId: string): AccessKeyRecord | undefined {
    return this.store.getAccessKey(accessKeyId);
  }

  // ---- permissions ----

  /** INVALID_ARGUMENT for a bad pattern; NOT_FOUND for an unknown user (or vhost, per store). */
  async setPermissions(user: string, vhost: string, p: PermissionPatterns): Promise<void> {
    this.mustGetUser(user);
    for (const k of ['configure', 'write', 'read'] as const) validatePattern(p[k]);
    await this.store.putPermission({ user, vhost, configure: p.configure, write: p.write, read: p.read });
  }

  async clearPermissions(user: string, vhost: string): Promise<void> {
    await this.store.deletePermission(user, vhost);
  }

  permissions(user: string, vhost: string): PermissionRecord | undefined {
    return this.store.getPermission(user, vhost);
  }

  /** A user may open a connection to a vhost iff they have a permission entry for it. */
  canAccessVhost(user: string, vhost: string): boolean {
    return this.store.getUser(user) !== undefined && this.store.getPermission(user, vhost) !== undefined;
  }

  /** VHOST_ACCESS_REFUSED (AMQP 530, closes the connection) unless canAccessVhost. */
  checkVhostAccess(user: string, vhost: string): void {
    if (!this.canAccessVhost(user, vhost)) {
      throw new HopperError('VHOST_ACCESS_REFUSED', `access to vhost ${JSON.stringify(vhost)} refused for user ${JSON.stringify(user)}`);
    }
  }

  /**
   * Whether `user` may do `permission` on the resource named `resource` in `vhost`. The default
   * exchange ('') is checked under the name 'amq.default', as RabbitMQ does.
   */
  can(user: string, vhost: string, permission: Permission, resource: string): boolean {
    const rec = this.store.getPermission(user, vhost);
    if (rec === undefined) return false;
    let c = this.compiled.get(rec);
    if (c === undefined) {
      c = { configure: safeCompile(rec.configure), write: safeCompile(rec.write), read: safeCompile(rec.read) };
      this.compiled.set(rec, c);
    }
    return c[permission](resource === defaultExchangeName ? defaultExchangeResourceName : resource);
  }

  /** ACCESS_REFUSED (AMQP 403 on the channel) unless `can`. */
  check(user: string, vhost: string, permission: Permission, resource: string): void {
    if (!this.can(user, vhost, permission, resource)) {
      throw new HopperError(
        'ACCESS_REFUSED',
        `access to ${JSON.stringify(resource === '' ? defaultExchangeResourceName : resource)} in vhost ${JSON.stringify(vhost)} refused for user ${JSON.stringify(user)} (${permission})`,
      );
    }
  }

  /** The broker is closing: logins waiting for their turn are refused, their timers stopped. */
  close(): void {
    this.throttle.close();
  }

  // ---- internals ----

  private mustGetUser(name: string): UserRecord {
    const u = this.store.getUser(name);
    if (u === undefined) throw new HopperError('NOT_FOUND', `no user ${JSON.stringify(name)}`);
    return u;
  }

  private async hash(password: string | null): Promise<PasswordHash | null> {
    if (password === null) return null;
    if (Buffer.byteLength(password, 'utf8') > passwordMaxBytes) throw new HopperError('INVALID_ARGUMENT', `password longer than ${passwordMaxBytes} bytes`);
    return this.slots.run(() => hashPassword(password, this.scrypt));
  }

  private async deriveScram(password: string | null): Promise<ScramCredentials | null> {
    if (password === null) return null;
    if (Buffer.byteLength(password, 'utf8') > passwordMaxBytes) throw new HopperError('INVALID_ARGUMENT', `password longer than ${passwordMaxBytes} bytes`);
    return this.slots.run(() => deriveScramCredentials(password, this.scramIterations));
  }
}

function loginResult(user: UserRecord): AuthenticatedUser {
  return { name: user.name, tags: user.tags, loopbackOnly: user.loopbackOnly };
}

function authFailed(name: string): HopperError {
  return new HopperError('AUTHENTICATION_FAILED', `login refused for user ${JSON.stringify(name)}: invalid credentials`);
}

/** A stored pattern that no longer validates (edited file, older limits) grants nothing. */
function safeCompile(pattern: string): NameMatcher {
  try {
    validatePattern(pattern);
    return compilePattern(pattern);
  } catch {
    return () => false;
  }
}

function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))].sort();
}
