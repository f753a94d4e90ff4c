/**
 * OffsetCommit: checked against the group's generation (unless generation -1, a standalone
 * commit), then made durable in the vhost's group offsets before the answer.
 */
import { OffsetCommit } from '../api/offset-commit.js';
import { KafkaError } from '../codec/error-codes.js';
import type { OffsetCommit as CoreCommit } from '../../../core/topic/group-offsets.js';
import { commitPartitionError } from './commit-checks.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';

export const offsetCommitHandler = defineHandler(OffsetCommit, async (req, { kafka, conn, version }) => {
  const groupCheck = req.groupId === ''
    ? KafkaError.INVALID_GROUP_ID
    : kafka.groups.checkCommit(req.groupId, req.memberId, req.generationIdOrMemberEpoch, req.groupInstanceId, version);
  const codes = req.topics.map((t) => t.partitions.map((): number => groupCheck));
  const commits: CoreCommit[] = [];
  const where: [number, number][] = [];
  if (groupCheck === KafkaError.NONE) {
    req.topics.forEach((t, ti) => {
      const topic = kafka.topic(t.name);
      const denied = conn.session?.mayAccessTopic(t.name, 'read') === false;
      t.partitions.forEach((p, pi) => {
        const partitionCheck = commitPartitionError(topic, p.partitionIndex, p.committedMetadata);
        if (denied) codes[ti]![pi] = KafkaError.TOPIC_AUTHORIZATION_FAILED;
        else if (partitionCheck !== KafkaError.NONE) codes[ti]![pi] = partitionCheck;
        else {
          // Kafka stores any offset; kafkajs's seek and resetOffsets commit -2 (earliest) and
          // -1 (latest). The core keeps offsets >= -1, so those are resolved now, against the log.
          const log = topic!.partition(p.partitionIndex); // commitPartitionError checked it exists
          const offset = p.committedOffset === -2 ? log.logStartOffset : p.committedOffset === -1 ? log.nextOffset : p.committedOffset < -2 ? -1 : p.committedOffset;
          commits.push({ topic: t.name, partition: p.partitionIndex, offset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '' });
          where.push([ti, pi]);
        }
      });
    });
    if (commits.length > 0) {
      try {
        await (await kafka.vhost.groupOffsets()).commit(req.groupId, commits, kafka.broker.ctx.clock.now());
      } catch (e) {
        const code = kafkaCode(e);
        for (const [ti, pi] of where) codes[ti]![pi] = code === KafkaError.INVALID_REQUEST ? KafkaError.INVALID_COMMIT_OFFSET_SIZE : code;
      }
    }
  }
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t, ti) => ({ name: t.name, partitions: t.partitions.map((p, pi) => ({ partitionIndex: p.partitionIndex, errorCode: codes[ti]![pi]! })) })),
  };
});
