/**
 * DescribeShareGroupOffsets: each share partition's start offset (the queue's settled floor) and
 * lag; -1 for partitions the group has no state for, as Kafka answers. A null topic list means
 * every share partition the group has state for.
 */
import { DescribeShareGroupOffsets } from '../api/describe-share-group-offsets.js';
import { KafkaError } from '../codec/error-codes.js';
import { ZERO_UUID } from '../codec/schema.js';
import { defineHandler } from '../server/handler.js';

type Partition = { partitionIndex: number; startOffset: number; leaderEpoch: number; lag: number; errorCode: number; errorMessage: string | null };

export const describeShareGroupOffsetsHandler = defineHandler(DescribeShareGroupOffsets, async (req, { kafka, conn }) => {
  const share = kafka.share;
  const groups = [];
  for (const g of req.groups) {
    if (kafka.groups.kind(g.groupId) !== undefined || !(await share.exists(g.groupId))) {
      groups.push({ groupId: g.groupId, topics: [], errorCode: KafkaError.GROUP_ID_NOT_FOUND, errorMessage: `Group ${g.groupId} is not a share group.` });
      continue;
    }
    const byTopic = new Map<string, Partition[]>();
    const add = (topic: string, p: Partition): void => {
      let list = byTopic.get(topic);
      if (list === undefined) byTopic.set(topic, (list = []));
      list.push(p);
    };
    if (g.topics === null) {
      for (const { topic, partition, sp } of await share.states.partitionsOf(g.groupId, share.settings(g.groupId))) {
        if (conn.session?.mayAccessTopic(topic, 'read') === false) continue;
        add(topic, { partitionIndex: partition, startOffset: sp.startOffset, leaderEpoch: 0, lag: sp.lag, errorCode: KafkaError.NONE, errorMessage: null });
      }
    } else {
      for (const t of g.topics) {
        const topic = kafka.topic(t.topicName);
        for (const partitionIndex of t.partitions) {
          const none = { partitionIndex, startOffset: -1, leaderEpoch: 0, lag: -1, errorMessage: null };
          if (conn.session?.mayAccessTopic(t.topicName, 'read') === false) add(t.topicName, { ...none, errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED });
          else if (topic === undefined || partitionIndex < 0 || partitionIndex >= topic.partitionCount) add(t.topicName, { ...none, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION });
          else if (!(await share.states.has(g.groupId, t.topicName, partitionIndex))) add(t.topicName, { ...none, errorCode: KafkaError.NONE });
          else {
            const sp = await share.partition(g.groupId, t.topicName, partitionIndex);
            add(t.topicName, { partitionIndex, startOffset: sp.startOffset, leaderEpoch: 0, lag: sp.lag, errorCode: KafkaError.NONE, errorMessage: null });
          }
        }
      }
    }
    groups.push({
      groupId: g.groupId, errorCode: KafkaError.NONE, errorMessage: null,
      topics: [...byTopic].map(([topicName, partitions]) => ({ topicName, topicId: kafka.topic(topicName) ? kafka.topicId(topicName) : ZERO_UUID, partitions })),
    });
  }
  return { throttleTimeMs: 0, groups };
}, { releasesRequest: true });
