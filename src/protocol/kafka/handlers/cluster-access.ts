/**
 * Kafka's permissions on the CLUSTER resource, mapped onto Hopper's user tags: a connection that
 * logged in with SASL may describe the cluster (log dirs, quotas, the quorum, SCRAM users) when
 * its user has the administrator or monitoring tag, and change it (quotas, broker configs,
 * reassignments, elections) only with the administrator tag. A connection on a listener that
 * does not require SASL has full access, as Kafka's PLAINTEXT listener without an authorizer.
 */
import type { ConnectionState } from '../server/handler.js';

export function mayDescribeCluster(conn: ConnectionState): boolean {
  const tags = conn.session?.user.tags;
  return tags === undefined || tags.includes('administrator') || tags.includes('monitoring');
}

export function mayAlterCluster(conn: ConnectionState): boolean {
  const tags = conn.session?.user.tags;
  return tags === undefined || tags.includes('administrator');
}
