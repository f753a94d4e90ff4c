/**
 * Shared by DescribeUserScramCredentials and AlterUserScramCredentials: Kafka's SCRAM mechanism
 * ids, and who may see and change the credentials. Hopper's users are the Kafka users; only a
 * connection logged in as a user with the administrator tag may change credentials (never an
 * unauthenticated one, even where the listener does not require SASL: that would let anyone who
 * reaches the port take over an administrator's login). Describing needs the administrator or
 * monitoring tag, or a listener without SASL.
 */
import type { ScramMechanism } from '../../../core/auth/scram.js';
import type { ConnectionState } from '../server/handler.js';
import { mayDescribeCluster } from './cluster-access.js';

export const scramMechanismIds: Readonly<Record<ScramMechanism, number>> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };

export function scramMechanismOf(id: number): ScramMechanism | null {
  return id === 1 ? 'SCRAM-SHA-256' : id === 2 ? 'SCRAM-SHA-512' : null;
}

export function mayDescribeScram(conn: ConnectionState): boolean {
  return mayDescribeCluster(conn);
}

export function mayAlterScram(conn: ConnectionState): boolean {
  return conn.session?.user.tags.includes('administrator') ?? false;
}
