/** DeleteTopics: by name, or by topic id from v6. Committed offsets of the topic go with it. */
import { DeleteTopics } from '../api/delete-topics.js';
import { KafkaError } from '../codec/error-codes.js';
import { ZERO_UUID } from '../codec/schema.js';
import { defineHandler } from '../server/handler.js';
import { errorMessage, kafkaCode } from '../server/context.js';
import { Slices } from '../server/slices.js';

export const deleteTopicsHandler = defineHandler(DeleteTopics, async (req, { kafka, version, conn }) => {
  const wanted = version >= 6 ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId })) : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
  const responses = [];
  const slices = new Slices();
  for (const w of wanted) {
    if (slices.due()) await slices.turn();
    const name = w.name ?? kafka.topicNameById(w.topicId) ?? null;
    const out = { name, topicId: w.topicId, errorCode: KafkaError.NONE as number, errorMessage: null as string | null };
    responses.push(out);
    if (name === null || !kafka.topic(name)) {
      out.errorCode = w.name === null ? KafkaError.UNKNOWN_TOPIC_ID : KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
      continue;
    }
    out.topicId = kafka.topicId(name);
    try {
      conn.session?.checkTopic(name, 'write');
      await kafka.vhost.deleteTopic(name);
    } catch (e) {
      out.errorCode = kafkaCode(e);
      out.errorMessage = errorMessage(e);
    }
  }
  return { throttleTimeMs: 0, responses };
});
