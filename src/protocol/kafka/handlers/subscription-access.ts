/**
 * Shared by ConsumerGroupHeartbeat and ShareGroupHeartbeat: as Kafka, a subscription naming
 * topics the client may not read is refused whole with TOPIC_AUTHORIZATION_FAILED, before the
 * coordinator sees it.
 */
import { KafkaError } from '../codec/error-codes.js';
import type { ConnectionState } from '../server/handler.js';

/** The heartbeat answer refusing the subscription, or null when every named topic may be read. */
export function refuseUnreadableSubscription(conn: ConnectionState, topics: readonly string[] | null) {
  const session = conn.session;
  const denied = session && topics ? topics.filter((t) => !session.mayAccessTopic(t, 'read')) : [];
  if (denied.length === 0) return null;
  return {
    throttleTimeMs: 0, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage: `Topic authorization failed for topics: ${denied.join(', ')}`,
    memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null,
  };
}
