/**
 * TxnOffsetCommit (v0-v4): offsets held by the transaction coordinator, committed to the group
 * offsets only when the transaction commits (dropped on abort). The group generation (v3+) is
 * checked as OffsetCommit checks it when the request names a member.
 */
import { TxnOffsetCommit } from '../api/txn-offset-commit.js';
import { KafkaError } from '../codec/error-codes.js';
import type { OffsetCommit as CoreCommit } from '../../../core/topic/group-offsets.js';
import { commitPartitionError } from './commit-checks.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';
import { fencedAs } from '../txn/coordinator.js';
import { transactions } from '../txn/service.js';

export const txnOffsetCommitHandler = defineHandler(TxnOffsetCommit, async (req, { kafka, conn, version }) => {
  const codes = req.topics.map((t) => t.partitions.map((): number => KafkaError.NONE));
  const commits: CoreCommit[] = [];
  const where: [number, number][] = [];
  let groupCheck: number = KafkaError.NONE;
  if (req.groupId === '') groupCheck = KafkaError.INVALID_GROUP_ID;
  else if (req.memberId !== '' && req.generationId >= 0) groupCheck = kafka.groups.checkCommit(req.groupId, req.memberId, req.generationId, req.groupInstanceId, version, true);
  req.topics.forEach((t, ti) => {
    const topic = kafka.topic(t.name);
    const denied = conn.session?.mayAccessTopic(t.name, 'read') === false;
    t.partitions.forEach((p, pi) => {
      const partitionCheck = commitPartitionError(topic, p.partitionIndex, p.committedMetadata);
      if (groupCheck !== KafkaError.NONE) codes[ti]![pi] = groupCheck;
      else if (denied) codes[ti]![pi] = KafkaError.TOPIC_AUTHORIZATION_FAILED;
      else if (partitionCheck !== KafkaError.NONE) codes[ti]![pi] = partitionCheck;
      else if (p.committedOffset < 0) codes[ti]![pi] = KafkaError.INVALID_COMMIT_OFFSET_SIZE;
      else {
        commits.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '' });
        where.push([ti, pi]);
      }
    });
  });
  if (commits.length > 0) {
    let code: number;
    try {
      const { coordinator } = await transactions(kafka);
      code = fencedAs(await coordinator.txnOffsetCommit(req.transactionalId, req.producerId, req.producerEpoch, req.groupId, commits), version, 3);
    } catch (e) {
      code = kafkaCode(e);
    }
    for (const [ti, pi] of where) codes[ti]![pi] = code;
  }
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t, ti) => ({ name: t.name, partitions: t.partitions.map((p, pi) => ({ partitionIndex: p.partitionIndex, errorCode: codes[ti]![pi]! })) })),
  };
});
