/**
 * OffsetCommit: checked against the group's generation (unless generation -1, a standalone
 * commit), then made durable in the vhost's group offsets before the answer. Any offset is
 * stored as sent, negative ones included, as Kafka does.
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
  // A partition named twice is committed once, with its last offset, as Kafka keeps them (a map).
  const slot = new Map<string, number>();
  if (groupCheck === KafkaError.NONE) {
    req.topics.forEach((t, ti) => {
      const topic = kafka.topic(t.name);
      const denied = conn.session?.mayAccessTopic(t.name, 'read') === false;
      t.partitions.forEach((p, pi) => {
        const partitionCheck = commitPartitionError(topic, p.partitionIndex, p.committedMetadata);
        if (denied) codes[ti]![pi] = KafkaError.TOPIC_AUTHORIZATION_FAILED;
        else if (partitionCheck !== KafkaError.NONE) codes[ti]![pi] = partitionCheck;
        else {
          // Stored as sent, as Kafka stores it: kafkajs's resetOffsets commits -2 (earliest) or
          // -1 (latest) and expects OffsetFetch to return just that; a consumer that fetches a
          // negative committed offset applies its own reset policy.
          const commit = { topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '' };
          const key = `${t.name}\u0000${p.partitionIndex}`;
          const at = slot.get(key);
          if (at === undefined) {
            slot.set(key, commits.length);
            commits.push(commit);
          } else commits[at] = commit;
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
