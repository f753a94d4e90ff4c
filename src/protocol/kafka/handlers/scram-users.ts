/**
 * Shared by DescribeUserScramCredentials and AlterUserScramCredentials: Kafka's SCRAM mechanism
 * ids, and who may see and change the credentials. Hopper's users are the Kafka users; a
 * connection logged in as a user with the administrator tag may change credentials. An
 * unauthenticated one may not on a broker whose listeners are all without SASL (no Kafka login
 * needs SCRAM there, and it would let anyone who reaches the port take over a user's login); it
 * may on a listener without SASL beside one that requires it (kafka.extraListeners), as Kafka
 * answers there without an authorizer: that is how Kafka set-ups create the SCRAM users of their
 * SASL listener, and the operator chose to trust whoever reaches that port. Describing needs the
 * administrator or monitoring tag, or a listener without SASL.
 */
import type { ScramMechanism } from '../../../core/auth/scram.js';
import type { KafkaContext } from '../server/context.js';
import type { ConnectionState } from '../server/handler.js';
import { mayDescribeCluster } from './cluster-access.js';

export const scramMechanismIds: Readonly<Record<ScramMechanism, number>> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };

export function scramMechanismOf(id: number): ScramMechanism | null {
  return id === 1 ? 'SCRAM-SHA-256' : id === 2 ? 'SCRAM-SHA-512' : null;
}

export function mayDescribeScram(conn: ConnectionState): boolean {
  return mayDescribeCluster(conn);
}

export function mayAlterScram(conn: ConnectionState, kafka: KafkaContext): boolean {
  if (conn.session !== null) return conn.session.user.tags.includes('administrator');
  return !conn.listener.saslRequired && kafka.listeners.some((l) => l.saslRequired);
}
