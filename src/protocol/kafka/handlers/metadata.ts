/**
 * Metadata: this node is the only broker, the controller and the leader of every partition
 * (replicas and ISR are [0]). Unknown topics are auto-created when both the request and the
 * endpoint allow it (kafka.autoCreateTopics, num.partitions).
 */
import { Metadata } from '../api/metadata.js';
import { KafkaError } from '../codec/error-codes.js';
import { ZERO_UUID } from '../codec/schema.js';
import type { Session } from '../../../core/broker/session.js';
import { validateTopicName } from '../../../core/names.js';
import type { Topic } from '../../../core/topic/topic.js';
import { defineHandler } from '../server/handler.js';
import type { KafkaContext } from '../server/context.js';
import { Slices } from '../server/slices.js';

export function describeTopic(kafka: KafkaContext, name: string, topic: Topic) {
  const partitions = [];
  for (let p = 0; p < topic.partitionCount; p++) {
    partitions.push({
      errorCode: KafkaError.NONE, partitionIndex: p, leaderId: kafka.node.nodeId, leaderEpoch: 0,
      replicaNodes: [kafka.node.nodeId], isrNodes: [kafka.node.nodeId], offlineReplicas: [],
    });
  }
  return { errorCode: KafkaError.NONE, name, topicId: kafka.topicId(name), isInternal: false, partitions };
}

function missing(name: string | null, errorCode: number, topicId = ZERO_UUID) {
  return { errorCode, name, topicId, isInternal: false, partitions: [] };
}

export const metadataHandler = defineHandler(Metadata, async (req, { kafka, version, conn }) => {
  const names = req.topics === null || (version === 0 && req.topics.length === 0) ? null : req.topics;
  const topics = [];
  const slices = new Slices();
  if (names === null) {
    for (const name of kafka.vhost.topicNames()) {
      if (slices.due()) await slices.turn();
      if (!kafka.vhost.hasTopic(name) || (conn.session && !canDescribe(conn.session, name))) continue;
      topics.push(describeTopic(kafka, name, kafka.vhost.topic(name)));
    }
  } else {
    // Each topic once, however often the request names it, as Kafka answers (a set of names).
    const seen = new Set<string>();
    for (const t of names) {
      if (slices.due()) await slices.turn();
      const key = t.name !== null ? `n${t.name}` : `i${t.topicId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let name = t.name;
      if (name === null) {
        name = kafka.topicNameById(t.topicId) ?? null;
        if (name === null) {
          topics.push(missing(null, KafkaError.UNKNOWN_TOPIC_ID, t.topicId));
          continue;
        }
      }
      try {
        validateTopicName(name);
      } catch {
        topics.push(missing(name, KafkaError.INVALID_TOPIC_EXCEPTION));
        continue;
      }
      if (conn.session && !canDescribe(conn.session, name)) {
        topics.push(missing(name, KafkaError.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      const topic = await kafka.topicOrCreate(name, version < 4 || req.allowAutoTopicCreation);
      topics.push(typeof topic === 'number' ? missing(name, topic) : describeTopic(kafka, name, topic));
    }
  }
  return {
    throttleTimeMs: 0,
    // The address of the listener the request came in on, as Kafka answers.
    brokers: [{ nodeId: conn.listener.node.nodeId, host: conn.listener.node.host, port: conn.listener.node.port, rack: null }],
    clusterId: kafka.clusterId,
    controllerId: kafka.node.nodeId,
    topics,
  };
});

/** Kafka's DESCRIBE on a topic: granted by either read or write permission. */
function canDescribe(session: Session, name: string): boolean {
  try {
    session.checkTopic(name, 'read');
    return true;
  } catch {
    try {
      session.checkTopic(name, 'write');
      return true;
    } catch {
      return false;
    }
  }
}
