/**
 * Kafka topic ids (KIP-516): 16 bytes, stable for the life of a topic. Derived from the
 * catalogue's topic id (which a re-created topic does not share), so no extra state is stored.
 */
import { createHash } from 'node:crypto';
import { ZERO_UUID } from '../codec/schema.js';

export function topicIdOf(vhost: string, name: string, catalogueId: string): string {
  const bytes = createHash('sha256').update(`${vhost}\u0000${name}\u0000${catalogueId}`).digest().subarray(0, 16);
  // Uuid.ZERO_UUID and Uuid.ONE_UUID are reserved; a hash of a real id never is zero in practice.
  const id = bytes.toString('base64url');
  return id === ZERO_UUID ? 'AAAAAAAAAAAAAAAAAAAAAQ' : id;
}
