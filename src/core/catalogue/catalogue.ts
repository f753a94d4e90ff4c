/**
 * The catalogue: definitions of every durable object (vhosts, exchanges, queues, topics,
 * bindings, policies, users, permissions), kept in memory and persisted as one file.
 *
 * Contract: a mutation changes the in-memory definitions at once (reads see it immediately)
 * and returns a promise that resolves only when a save covering it is durable. Saves are
 * coalesced: mutations made while a save runs share the next one, so a burst of N declares
 * costs about two file writes, not N. Non-durable objects are accepted and ignored: RabbitMQ's
 * rule that a binding is durable iff both its ends are follows from "ends must be stored".
 *
 * A failed save is not retried: the catalogue turns read-only (every later mutation rejects
 * with STORAGE_FAILED) because memory now holds changes the disk may never get, and callers
 * were told they failed. Restart to recover from the last durable version.
 */
import { randomBytes } from 'node:crypto';
import { diskFs } from '../../storage/fs/disk.js';
import type { StorageFs } from '../../storage/fs/types.js';
import { HopperError } from '../errors.js';
import { validateExchangeName, validateQueueName, validateTopicName, validateUserName, validateVhostName } from '../names.js';
import { hashPassword, type ScryptParams } from '../auth/password.js';
import { deriveScramCredentials } from '../auth/scram.js';
import { defaultAccountId, validateAccessKeyId, validateAccountId, validateSecretAccessKey } from '../auth/access-keys.js';
import type { AccessKeyRecord, PermissionRecord, UserRecord, UserStore } from '../auth/types.js';
import { predeclaredExchanges } from '../exchange/defaults.js';
import { resolveExchangeSpec } from '../exchange/exchange.js';
import { decodeCatalogue, encodeCatalogue } from './codec.js';
import { backupPath, readForRecovery, writeAtomically } from './file.js';
import { effectivePolicy, validatePolicy, type PolicyTarget } from './policies.js';
import { SaveQueue } from './save-queue.js';
import { bindingKey, CatalogueState, clientQuotaKey, groupConfigsKey, permissionKey, VhostEntry } from './state.js';
import type { BindingDef, BrokerConfigsDef, ClientQuotaDef, ExchangeDef, PolicyDef, QueueDef, QueueInput, TopicDef, TopicInput, VhostDef } from './types.js';

export interface DefaultUser {
  name: string;
  password: string;
  tags?: string[];
  loopbackOnly?: boolean;
  /** An SQS access key made for the user with it (account 000000000000 unless given). */
  accessKey?: { accessKeyId: string; secretAccessKey: string; accountId?: string };
}

export interface CatalogueOptions {
  /** Where the file lives: the broker's StorageFs (the real disk by default, the simulator in crash tests). */
  fs?: StorageFs;
  /** Created with a fresh catalogue. Default '/'; null for none. */
  defaultVhost?: string | null;
  /**
   * Created with a fresh catalogue, with full permissions on the default vhost. Default
   * guest/guest, administrator, loopback only (as RabbitMQ); null for none.
   */
  defaultUser?: DefaultUser | null;
  scrypt?: ScryptParams;
}

export interface RecoveryInfo {
  /** No file existed: defaults were created. */
  fresh: boolean;
  /** A leftover .tmp from an interrupted save was deleted. */
  strayTmpRemoved: boolean;
  /** Save counter of the file loaded (0 when fresh). */
  generation: number;
}

/**
 * RabbitMQ's guest/guest, and for SQS the access key guest with secret guest: one set of
 * default credentials for every protocol, loopback only, gone with the guest user.
 */
export const guestUser: DefaultUser = {
  name: 'guest', password: 'guest', tags: ['administrator'], loopbackOnly: true,
  accessKey: { accessKeyId: 'guest', secretAccessKey: 'guest' },
};

/** A new per-object id (used in file paths, see src/core/paths.ts). */
export function newObjectId(): string {
  return randomBytes(8).toString('hex');
}

export class Catalogue implements UserStore {
  /** null for an in-memory catalogue. */
  private readonly saves: SaveQueue | null;
  private closed = false;
  private generationNo: number;

  private constructor(
    /** null: in memory only, every mutation is "durable" at once. */
    readonly path: string | null,
    private readonly fs: StorageFs,
    private readonly st: CatalogueState,
    readonly recovery: RecoveryInfo,
  ) {
    this.generationNo = recovery.generation;
    this.saves = path === null ? null : new SaveQueue(() => this.writeFile(path), (e) =>
      new HopperError('STORAGE_FAILED', `saving catalogue ${path} failed: ${(e as Error).message}`, { cause: e }));
  }

  /**
   * Loads the catalogue at `path`, or creates a fresh one (default vhost and user) if there is
   * none. Refuses (STORAGE_FAILED) a damaged file, naming the backup to recover from.
   */
  static async open(path: string, options: CatalogueOptions = {}): Promise<Catalogue> {
    const fs = options.fs ?? diskFs;
    let read;
    try {
      read = await readForRecovery(fs, path);
    } catch (e) {
      throw new HopperError('STORAGE_FAILED', `cannot open catalogue: ${(e as Error).message}`, { cause: e });
    }
    if (read.data === null) {
      const c = new Catalogue(path, fs, new CatalogueState(), { fresh: true, strayTmpRemoved: read.strayTmpRemoved, generation: 0 });
      await c.createDefaults(options);
      await c.save();
      return c;
    }
    let decoded;
    try {
      decoded = decodeCatalogue(read.data);
      const st = CatalogueState.fromSnapshot(decoded.snapshot);
      return new Catalogue(path, fs, st, { fresh: false, strayTmpRemoved: read.strayTmpRemoved, generation: decoded.generation });
    } catch (e) {
      throw new HopperError(
        'STORAGE_FAILED',
        `catalogue ${path} is corrupt (${(e as Error).message}); refusing to start rather than lose definitions. ` +
          `The previous version, if any, is ${backupPath(path)}: inspect it and copy it to ${path} to recover.`,
        { cause: e },
      );
    }
  }

  /** A catalogue that is never written (tests, embedded brokers without a data dir). */
  static async inMemory(options: Omit<CatalogueOptions, 'fs'> = {}): Promise<Catalogue> {
    const c = new Catalogue(null, diskFs, new CatalogueState(), { fresh: true, strayTmpRemoved: false, generation: 0 });
    await c.createDefaults(options);
    return c;
  }

  /** Number of saves made to this file over its life. */
  get generation(): number {
    return this.generationNo;
  }

  /** Writes the current definitions now (coalesced with any save already due). */
  save(): Promise<void> {
    return this.commit();
  }

  /** Resolves once every mutation made so far is durable. */
  flush(): Promise<void> {
    return this.saves?.settled() ?? Promise.resolve();
  }

  /** Waits for pending saves; later mutations reject with CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => {});
    this.closed = true;
  }

  // ---- vhosts ----

  vhosts(): VhostDef[] {
    return [...this.st.vhosts.values()].map((v) => v.def);
  }
  vhost(name: string): VhostDef | undefined {
    return this.st.vhosts.get(name)?.def;
  }
  hasVhost(name: string): boolean {
    return this.st.vhosts.has(name);
  }

  /** Creates a vhost with the predeclared amq.* exchanges, or updates its description/tags. */
  async putVhost(def: { name: string; description?: string; tags?: readonly string[] }): Promise<VhostDef> {
    this.writable();
    validateVhostName(def.name);
    const v: VhostDef = { name: def.name, description: def.description ?? '', tags: [...(def.tags ?? [])] };
    const existing = this.st.vhosts.get(def.name);
    if (existing !== undefined) existing.def = v;
    else this.addVhost(v);
    await this.commit();
    return v;
  }

  /** Deletes a vhost and everything in it, including permissions on it. */
  async deleteVhost(name: string): Promise<void> {
    this.writable();
    if (!this.st.vhosts.delete(name)) throw new HopperError('VHOST_NOT_FOUND', `no vhost ${JSON.stringify(name)}`);
    for (const [k, p] of this.st.permissions) if (p.vhost === name) this.st.permissions.delete(k);
    for (const [k, g] of this.st.groupConfigs) if (g.vhost === name) this.st.groupConfigs.delete(k);
    return this.commit();
  }

  // ---- exchanges ----

  exchanges(vhost: string): ExchangeDef[] {
    return [...(this.st.vhosts.get(vhost)?.exchanges.values() ?? [])];
  }
  exchange(vhost: string, name: string): ExchangeDef | undefined {
    return this.st.vhosts.get(vhost)?.exchanges.get(name);
  }

  /** Stores a durable exchange (replacing any same-named one); resolves false if not durable. */
  async putExchange(def: ExchangeDef): Promise<boolean> {
    this.writable();
    const v = this.mustGetVhost(def.vhost);
    if (!def.durable) return false;
    validateExchangeName(def.name);
    if (def.name === '') throw new HopperError('NOT_ALLOWED', 'the default exchange is implicit');
    v.exchanges.set(def.name, freeze({ ...def }));
    await this.commit();
    return true;
  }

  /** Deletes an exchange and the bindings from and to it. */
  async deleteExchange(vhost: string, name: string): Promise<void> {
    this.writable();
    const v = this.st.vhosts.get(vhost);
    if (v === undefined || !v.exchanges.delete(name)) return this.flush();
    v.dropBindingsOf((b) => b.source === name || (b.destination.kind === 'exchange' && b.destination.name === name));
    return this.commit();
  }

  // ---- queues ----

  queues(vhost: string): QueueDef[] {
    return [...(this.st.vhosts.get(vhost)?.queues.values() ?? [])];
  }
  queue(vhost: string, name: string): QueueDef | undefined {
    return this.st.vhosts.get(vhost)?.queues.get(name);
  }

  /**
   * Stores a durable, non-exclusive queue (replacing a same-named one). Resolves with the
   * definition, its id assigned (kept from the stored one, or new) even when not stored.
   */
  async putQueue(input: QueueInput): Promise<QueueDef> {
    this.writable();
    const v = this.mustGetVhost(input.vhost);
    validateQueueName(input.name);
    const { exclusive, ...rest } = input;
    const def: QueueDef = freeze({ ...rest, id: input.id ?? v.queues.get(input.name)?.id ?? newObjectId() });
    if (!def.durable || exclusive) return def;
    v.queues.set(def.name, def);
    await this.commit();
    return def;
  }

  async deleteQueue(vhost: string, name: string): Promise<void> {
    this.writable();
    const v = this.st.vhosts.get(vhost);
    if (v === undefined || !v.queues.delete(name)) return this.flush();
    v.dropBindingsOf((b) => b.destination.kind === 'queue' && b.destination.name === name);
    return this.commit();
  }

  // ---- topics (always durable) ----

  topics(vhost: string): TopicDef[] {
    return [...(this.st.vhosts.get(vhost)?.topics.values() ?? [])];
  }
  topic(vhost: string, name: string): TopicDef | undefined {
    return this.st.vhosts.get(vhost)?.topics.get(name);
  }

  async putTopic(input: TopicInput): Promise<TopicDef> {
    this.writable();
    const v = this.mustGetVhost(input.vhost);
    validateTopicName(input.name);
    if (!Number.isSafeInteger(input.partitions) || input.partitions < 1) {
      throw new HopperError('INVALID_ARGUMENT', `partitions must be a positive integer, not ${input.partitions}`);
    }
    const def: TopicDef = freeze({ ...input, config: { ...input.config }, id: input.id ?? v.topics.get(input.name)?.id ?? newObjectId() });
    v.topics.set(def.name, def);
    await this.commit();
    return def;
  }

  async deleteTopic(vhost: string, name: string): Promise<void> {
    this.writable();
    const v = this.st.vhosts.get(vhost);
    if (v === undefined || !v.topics.delete(name)) return this.flush();
    v.dropBindingsOf((b) => b.destination.kind === 'topic' && b.destination.name === name);
    return this.commit();
  }

  // ---- bindings ----

  bindings(vhost: string): BindingDef[] {
    return [...(this.st.vhosts.get(vhost)?.bindings.values() ?? [])];
  }

  /** Stores a binding whose ends are both stored (durable); resolves false otherwise. */
  async putBinding(def: BindingDef): Promise<boolean> {
    this.writable();
    const v = this.mustGetVhost(def.vhost);
    if (!v.exchanges.has(def.source) || !v.has(def.destination)) return false;
    const key = bindingKey(def);
    if (v.bindings.has(key)) {
      await this.flush();
      return true;
    }
    v.bindings.set(key, freeze({ ...def, destination: { ...def.destination }, arguments: { ...def.arguments } }));
    await this.commit();
    return true;
  }

  async deleteBinding(def: BindingDef): Promise<void> {
    this.writable();
    const v = this.st.vhosts.get(def.vhost);
    if (v === undefined || !v.bindings.delete(bindingKey(def))) return this.flush();
    return this.commit();
  }

  // ---- policies ----

  policies(vhost: string): PolicyDef[] {
    return [...(this.st.vhosts.get(vhost)?.policies.values() ?? [])];
  }
  policy(vhost: string, name: string): PolicyDef | undefined {
    return this.st.vhosts.get(vhost)?.policies.get(name);
  }

  /** INVALID_ARGUMENT for a bad name, pattern, apply-to, priority or empty definition. */
  async putPolicy(def: PolicyDef): Promise<void> {
    this.writable();
    const v = this.mustGetVhost(def.vhost);
    validatePolicy(def);
    v.policies.set(def.name, freeze({ ...def, definition: structuredClone(def.definition) }));
    return this.commit();
  }

  async deletePolicy(vhost: string, name: string): Promise<void> {
    this.writable();
    const v = this.st.vhosts.get(vhost);
    if (v === undefined || !v.policies.delete(name)) return this.flush();
    return this.commit();
  }

  /** The policy applying to an object, if any. */
  effectivePolicy(vhost: string, target: PolicyTarget, name: string): PolicyDef | undefined {
    const v = this.st.vhosts.get(vhost);
    return v === undefined ? undefined : effectivePolicy(v.policies.values(), target, name);
  }

  // ---- users and permissions (the UserStore that AccessControl uses) ----

  getUser(name: string): UserRecord | undefined {
    return this.st.users.get(name);
  }
  listUsers(): UserRecord[] {
    return [...this.st.users.values()];
  }
  async putUser(user: UserRecord): Promise<void> {
    this.writable();
    validateUserName(user.name);
    this.st.users.set(user.name, freeze({ ...user, tags: [...user.tags] }));
    return this.commit();
  }
  async deleteUser(name: string): Promise<void> {
    this.writable();
    if (!this.st.users.delete(name)) return this.flush();
    for (const [k, p] of this.st.permissions) if (p.user === name) this.st.permissions.delete(k);
    for (const [id, k] of this.st.accessKeys) if (k.user === name) this.st.accessKeys.delete(id);
    return this.commit();
  }
  getPermission(user: string, vhost: string): PermissionRecord | undefined {
    return this.st.permissions.get(permissionKey(user, vhost));
  }
  listPermissions(): PermissionRecord[] {
    return [...this.st.permissions.values()];
  }
  async putPermission(p: PermissionRecord): Promise<void> {
    this.writable();
    if (!this.st.users.has(p.user)) throw new HopperError('NOT_FOUND', `no user ${JSON.stringify(p.user)}`);
    this.mustGetVhost(p.vhost);
    const { user, vhost, configure, write, read } = p;
    this.st.permissions.set(permissionKey(user, vhost), freeze({ user, vhost, configure, write, read }));
    return this.commit();
  }
  async deletePermission(user: string, vhost: string): Promise<void> {
    this.writable();
    if (!this.st.permissions.delete(permissionKey(user, vhost))) return this.flush();
    return this.commit();
  }

  // ---- SQS access keys (each belongs to a user) ----

  getAccessKey(accessKeyId: string): AccessKeyRecord | undefined {
    return this.st.accessKeys.get(accessKeyId);
  }
  listAccessKeys(): AccessKeyRecord[] {
    return [...this.st.accessKeys.values()];
  }
  async putAccessKey(k: AccessKeyRecord): Promise<void> {
    this.writable();
    if (!this.st.users.has(k.user)) throw new HopperError('NOT_FOUND', `no user ${JSON.stringify(k.user)}`);
    validateAccessKeyId(k.accessKeyId);
    validateSecretAccessKey(k.secretAccessKey);
    validateAccountId(k.accountId);
    const { accessKeyId, secretAccessKey, user, accountId, createdAtMs } = k;
    this.st.accessKeys.set(accessKeyId, freeze({ accessKeyId, secretAccessKey, user, accountId, createdAtMs }));
    return this.commit();
  }
  async deleteAccessKey(accessKeyId: string): Promise<void> {
    this.writable();
    if (!this.st.accessKeys.delete(accessKeyId)) return this.flush();
    return this.commit();
  }

  // ---- Kafka's dynamic broker configs and client quotas (cluster-wide, not per vhost) ----

  brokerConfigs(): BrokerConfigsDef {
    return this.st.brokerConfigs;
  }

  /** Replaces the dynamic broker configs of one level (the caller has validated them). */
  async putBrokerConfigs(level: keyof BrokerConfigsDef, configs: Readonly<Record<string, string>>): Promise<void> {
    this.writable();
    this.st.brokerConfigs = freeze({ ...this.st.brokerConfigs, [level]: freeze({ ...configs }) });
    return this.commit();
  }

  clientQuotas(): ClientQuotaDef[] {
    return [...this.st.clientQuotas.values()];
  }

  /** Sets an entity's quotas (the caller has validated them); an empty set removes the entity. */
  async putClientQuota(def: ClientQuotaDef): Promise<void> {
    this.writable();
    const key = clientQuotaKey(def.entity);
    if (Object.keys(def.values).length === 0) this.st.clientQuotas.delete(key);
    else this.st.clientQuotas.set(key, freeze({ entity: freeze({ ...def.entity }), values: freeze({ ...def.values }) }));
    return this.commit();
  }

  // ---- Kafka's group configs (per vhost) ----

  /** A group's dynamic configs (empty when none are set). */
  groupConfigs(vhost: string, group: string): Readonly<Record<string, string>> {
    return this.st.groupConfigs.get(groupConfigsKey(vhost, group))?.configs ?? {};
  }

  /** Groups of the vhost with configs set. */
  configuredGroups(vhost: string): string[] {
    return [...this.st.groupConfigs.values()].filter((g) => g.vhost === vhost).map((g) => g.group);
  }

  /** Replaces a group's configs (the caller has validated them); an empty set removes them. */
  async putGroupConfigs(vhost: string, group: string, configs: Readonly<Record<string, string>>): Promise<void> {
    this.writable();
    this.mustGetVhost(vhost);
    const key = groupConfigsKey(vhost, group);
    if (Object.keys(configs).length === 0) this.st.groupConfigs.delete(key);
    else this.st.groupConfigs.set(key, freeze({ vhost, group, configs: freeze({ ...configs }) }));
    return this.commit();
  }

  // ---- internals ----

  private addVhost(def: VhostDef): VhostEntry {
    const v = new VhostEntry(def);
    this.st.vhosts.set(def.name, v);
    for (const spec of predeclaredExchanges) v.exchanges.set(spec.name, freeze({ vhost: def.name, ...resolveExchangeSpec(spec) }));
    return v;
  }

  private async createDefaults(options: Omit<CatalogueOptions, 'fs'>): Promise<void> {
    const vhost = options.defaultVhost === undefined ? '/' : options.defaultVhost;
    if (vhost !== null) {
      validateVhostName(vhost);
      this.addVhost({ name: vhost, description: 'Default virtual host', tags: [] });
    }
    const u = options.defaultUser === undefined ? guestUser : options.defaultUser;
    if (u === null) return;
    validateUserName(u.name);
    const [password, scram] = await Promise.all([hashPassword(u.password, options.scrypt), deriveScramCredentials(u.password)]);
    this.st.users.set(u.name, freeze({ name: u.name, password, tags: [...(u.tags ?? [])], loopbackOnly: u.loopbackOnly ?? false, scram }));
    if (vhost !== null) {
      this.st.permissions.set(permissionKey(u.name, vhost), freeze({ user: u.name, vhost, configure: '.*', write: '.*', read: '.*' }));
    }
    if (u.accessKey !== undefined) {
      const { accessKeyId, secretAccessKey, accountId = defaultAccountId } = u.accessKey;
      validateAccessKeyId(accessKeyId);
      validateSecretAccessKey(secretAccessKey);
      validateAccountId(accountId);
      this.st.accessKeys.set(accessKeyId, freeze({ accessKeyId, secretAccessKey, user: u.name, accountId, createdAtMs: Date.now() }));
    }
  }

  private mustGetVhost(name: string): VhostEntry {
    const v = this.st.vhosts.get(name);
    if (v === undefined) throw new HopperError('VHOST_NOT_FOUND', `no vhost ${JSON.stringify(name)}`);
    return v;
  }

  /** Checked before any change is applied, so a refused mutation changes nothing. */
  private writable(): void {
    if (this.closed) throw new HopperError('CLOSED', 'catalogue is closed');
    const failure = this.saves?.failure;
    if (failure) throw failure;
  }

  /** Asks for a save covering everything applied so far; resolves when it is durable. */
  private commit(): Promise<void> {
    return this.saves?.request() ?? Promise.resolve();
  }

  private async writeFile(path: string): Promise<void> {
    // Encoded before the first await: the save holds exactly the changes applied so far.
    const bytes = encodeCatalogue(this.st.snapshot(), this.generationNo + 1);
    await writeAtomically(this.fs, path, bytes);
    this.generationNo++;
  }
}

function freeze<T extends object>(o: T): T {
  return Object.freeze(o);
}
