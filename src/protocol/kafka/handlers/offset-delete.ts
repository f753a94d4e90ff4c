/**
 * OffsetDelete: deletes a group's committed offsets for the given partitions, durably, as
 * Kafka's classic coordinator does: refused for a group that does not exist
 * (GROUP_ID_NOT_FOUND) or has members of another protocol type (NON_EMPTY_GROUP); a consumer
 * group's members keep the offsets of topics they subscribe to (GROUP_SUBSCRIBED_TO_TOPIC).
 */
import { OffsetDelete } from '../api/offset-delete.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';

/**
 * The topics of a consumer-protocol subscription (version int16, then an array of strings, in
 * every version), or null when the bytes do not parse: then, as in Kafka, every topic counts
 * as subscribed.
 */
export function subscribedTopics(metadata: Buffer): string[] | null {
  if (metadata.length < 6) return null;
  const count = metadata.readInt32BE(2);
  if (count < 0 || count > (metadata.length - 6) / 2) return null;
  const topics: string[] = [];
  let pos = 6;
  for (let i = 0; i < count; i++) {
    if (pos + 2 > metadata.length) return null;
    const len = metadata.readInt16BE(pos);
    pos += 2;
    if (len < 0 || pos + len > metadata.length) return null;
    topics.push(metadata.toString('utf8', pos, pos + len));
    pos += len;
  }
  return topics;
}

export const offsetDeleteHandler = defineHandler(OffsetDelete, async (req, { kafka, conn }) => {
  const fail = (errorCode: number) => ({ errorCode, throttleTimeMs: 0, topics: [] });
  if (req.groupId === '') return fail(KafkaError.INVALID_GROUP_ID);
  const offsets = await kafka.vhost.groupOffsets();
  const live = kafka.groups.describe(req.groupId);
  if (!live && !offsets.groupNames().includes(req.groupId)) return fail(KafkaError.GROUP_ID_NOT_FOUND);
  const active = live !== undefined && live.members.length > 0;
  if (active && live.protocolType !== 'consumer') return fail(KafkaError.NON_EMPTY_GROUP);
  const subscribed = new Set<string>();
  let subscribedToAll = false;
  for (const m of active ? live.members : []) {
    const topics = subscribedTopics(m.metadata);
    if (topics === null) subscribedToAll = true;
    else for (const t of topics) subscribed.add(t);
  }
  const doomed: { topic: string; partition: number }[] = [];
  const topics = req.topics.map((t) => {
    let code: number = KafkaError.NONE;
    if (!kafka.topic(t.name)) code = KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
    else if (conn.session && !canRead(conn.session, t.name)) code = KafkaError.TOPIC_AUTHORIZATION_FAILED;
    else if (subscribedToAll || subscribed.has(t.name)) code = KafkaError.GROUP_SUBSCRIBED_TO_TOPIC;
    const partitionCount = kafka.topic(t.name)?.partitionCount ?? 0;
    return {
      name: t.name,
      partitions: t.partitions.map(({ partitionIndex }) => {
        const errorCode = code === KafkaError.NONE && (partitionIndex < 0 || partitionIndex >= partitionCount) ? KafkaError.UNKNOWN_TOPIC_OR_PARTITION : code;
        if (errorCode === KafkaError.NONE) doomed.push({ topic: t.name, partition: partitionIndex });
        return { partitionIndex, errorCode };
      }),
    };
  });
  try {
    await offsets.deletePartitions(req.groupId, doomed, kafka.broker.ctx.clock.now());
  } catch (e) {
    return fail(kafkaCode(e));
  }
  return { errorCode: KafkaError.NONE, throttleTimeMs: 0, topics };
});

function canRead(session: { checkTopic(name: string, p: 'read'): void }, name: string): boolean {
  try {
    session.checkTopic(name, 'read');
    return true;
  } catch {
    return false;
  }
}
