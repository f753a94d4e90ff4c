/**
 * Users and permissions as stored. Records are immutable values: a change replaces the record,
 * which lets AccessControl cache compiled patterns per record object (see access-control.ts).
 */
import type { PasswordHash } from './password.js';
import type { ScramCredentials } from './scram.js';

export type Permission = 'configure' | 'write' | 'read';
export const permissions: readonly Permission[] = ['configure', 'write', 'read'];

export interface UserRecord {
  readonly name: string;
  /**
   * null: the user cannot log in with a password (RabbitMQ's passwordless users), though it may
   * have SCRAM credentials set directly (Kafka's AlterUserScramCredentials).
   */
  readonly password: PasswordHash | null;
  /** e.g. administrator, monitoring, management (used by the HTTP API and CLI). */
  readonly tags: readonly string[];
  /** Endpoints accept this user only from loopback addresses (true for guest, as RabbitMQ). */
  readonly loopbackOnly: boolean;
  /**
   * SCRAM-SHA-256/512 credentials derived when the password was last set (never the password).
   * Absent for users whose password was set before SCRAM support, or who have no password:
   * they cannot use SCRAM until the password is set again (or credentials are set through
   * Kafka's AlterUserScramCredentials, which stores them without a password).
   */
  readonly scram?: ScramCredentials;
}

/**
 * RabbitMQ's per-vhost permissions: each is a regular expression over resource names,
 * matched anywhere in the name, as RabbitMQ does (see permission-pattern.ts); '' matches nothing.
 */
export interface PermissionRecord {
  readonly user: string;
  readonly vhost: string;
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

/**
 * An SQS access key: what AWS Signature Version 4 requests are signed with, mapped to a Hopper
 * user (as an IAM access key maps to its IAM user). A request signed with it acts as that user,
 * with that user's permissions and loopback rule. Deleting the user deletes its keys.
 */
export interface AccessKeyRecord {
  readonly accessKeyId: string;
  /**
   * Kept as given, not hashed: SigV4 is a shared-secret MAC, so verifying a signature needs
   * the secret itself (the signing key is HMAC-derived from "AWS4" + secret, per day, region
   * and service). AWS keeps its secrets retrievable for the same reason. It lives only in the
   * catalogue file (mode 0600, like the password hashes) and in memory, and is never logged
   * nor returned by listings (see access-keys.ts).
   */
  readonly secretAccessKey: string;
  readonly user: string;
  /** The 12-digit AWS account the key's requests belong to (queue URLs and ARNs carry it). */
  readonly accountId: string;
  /** When the key was made, ms since the epoch (IAM's CreateDate). */
  readonly createdAtMs: number;
}

/** Where users and permissions live (the catalogue, or memory for tests and embedded use). */
export interface UserStore {
  getUser(name: string): UserRecord | undefined;
  listUsers(): UserRecord[];
  /** Inserts or replaces; resolves once durable. */
  putUser(user: UserRecord): Promise<void>;
  /** Removes the user and all their permissions; resolves once durable. */
  deleteUser(name: string): Promise<void>;
  getPermission(user: string, vhost: string): PermissionRecord | undefined;
  listPermissions(): PermissionRecord[];
  /** NOT_FOUND if the user or the vhost does not exist. */
  putPermission(p: PermissionRecord): Promise<void>;
  deletePermission(user: string, vhost: string): Promise<void>;
  getAccessKey(accessKeyId: string): AccessKeyRecord | undefined;
  listAccessKeys(): AccessKeyRecord[];
  /** Inserts or replaces; NOT_FOUND if the user does not exist; resolves once durable. */
  putAccessKey(key: AccessKeyRecord): Promise<void>;
  deleteAccessKey(accessKeyId: string): Promise<void>;
}
