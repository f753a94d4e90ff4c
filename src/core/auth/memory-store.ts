/** A UserStore in memory: for tests and for embedded brokers that keep no catalogue file. */
import { HopperError } from '../errors.js';
import type { AccessKeyRecord, PermissionRecord, UserRecord, UserStore } from './types.js';

export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, UserRecord>();
  private readonly perms = new Map<string, PermissionRecord>();
  private readonly keys = new Map<string, AccessKeyRecord>();

  /** `vhostExists` lets putPermission refuse unknown vhosts; by default every vhost exists. */
  constructor(private readonly vhostExists: (vhost: string) => boolean = () => true) {}

  getUser(name: string): UserRecord | undefined {
    return this.users.get(name);
  }
  listUsers(): UserRecord[] {
    return [...this.users.values()];
  }
  async putUser(user: UserRecord): Promise<void> {
    this.users.set(user.name, user);
  }
  async deleteUser(name: string): Promise<void> {
    this.users.delete(name);
    for (const [k, p] of this.perms) if (p.user === name) this.perms.delete(k);
    for (const [id, k] of this.keys) if (k.user === name) this.keys.delete(id);
  }
  getPermission(user: string, vhost: string): PermissionRecord | undefined {
    return this.perms.get(key(user, vhost));
  }
  listPermissions(): PermissionRecord[] {
    return [...this.perms.values()];
  }
  async putPermission(p: PermissionRecord): Promise<void> {
    if (!this.users.has(p.user)) throw new HopperError('NOT_FOUND', `no user ${JSON.stringify(p.user)}`);
    if (!this.vhostExists(p.vhost)) throw new HopperError('VHOST_NOT_FOUND', `no vhost ${JSON.stringify(p.vhost)}`);
    this.perms.set(key(p.user, p.vhost), { ...p });
  }
  async deletePermission(user: string, vhost: string): Promise<void> {
    this.perms.delete(key(user, vhost));
  }
  getAccessKey(accessKeyId: string): AccessKeyRecord | undefined {
    return this.keys.get(accessKeyId);
  }
  listAccessKeys(): AccessKeyRecord[] {
    return [...this.keys.values()];
  }
  async putAccessKey(k: AccessKeyRecord): Promise<void> {
    if (!this.users.has(k.user)) throw new HopperError('NOT_FOUND', `no user ${JSON.stringify(k.user)}`);
    this.keys.set(k.accessKeyId, Object.freeze({ ...k }));
  }
  async deleteAccessKey(accessKeyId: string): Promise<void> {
    this.keys.delete(accessKeyId);
  }
}

function key(user: string, vhost: string): string {
  return `${user}\u0000${vhost}`;
}
