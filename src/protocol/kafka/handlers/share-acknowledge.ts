/**
 * ShareAcknowledge (KIP-932): acknowledgements without a fetch, in the member's share session
 * (which it cannot open: epoch 0 is INVALID_SHARE_SESSION_EPOCH; -1 closes it after the
 * acknowledgements, releasing what the member still holds). Answered once they are durable.
 */
import { ShareAcknowledge } from '../api/share-acknowledge.js';
import { KafkaError } from '../codec/error-codes.js';
import { acknowledge, sessionFor } from '../groups/share/requests.js';
import { FINAL_EPOCH } from '../groups/share/sessions.js';
import { defineHandler } from '../server/handler.js';

export const shareAcknowledgeHandler = defineHandler(ShareAcknowledge, async (req, { kafka, version }) => {
  const lockMs = kafka.share.optionsFor(req.groupId ?? '').recordLockDurationMs;
  const answer = (errorCode: number, errorMessage: string | null, responses: { topicId: string; partitions: { partitionIndex: number; errorCode: number; errorMessage: string | null; currentLeader: { leaderId: number; leaderEpoch: number } }[] }[] = []) => ({
    throttleTimeMs: 0, errorCode, errorMessage, acquisitionLockTimeoutMs: lockMs, responses, nodeEndpoints: [],
  });
  const { groupId, memberId } = req;
  if (groupId === null || groupId === '' || memberId === null || memberId === '') return answer(KafkaError.INVALID_REQUEST, 'GroupId and MemberId must be set.');
  const session = sessionFor(kafka, groupId, memberId, req.shareSessionEpoch, false);
  if (!('partitions' in session)) return answer(session.errorCode, session.errorMessage);
  const parts = req.topics.flatMap((t) => t.partitions.map((p) => ({ topicId: t.topicId, partitionIndex: p.partitionIndex, acknowledgementBatches: p.acknowledgementBatches })));
  const outcomes = await acknowledge(kafka, groupId, memberId, parts, version >= 2);
  if (req.shareSessionEpoch === FINAL_EPOCH) {
    const closed = kafka.share.sessions.close(groupId, memberId);
    if (closed !== undefined) kafka.share.endSession(closed);
  }
  const byTopic = new Map<string, { partitionIndex: number; errorCode: number; errorMessage: string | null; currentLeader: { leaderId: number; leaderEpoch: number } }[]>();
  for (const o of outcomes) {
    let list = byTopic.get(o.topicId);
    if (list === undefined) byTopic.set(o.topicId, (list = []));
    list.push({ partitionIndex: o.partitionIndex, errorCode: o.errorCode, errorMessage: o.errorMessage, currentLeader: { leaderId: kafka.node.nodeId, leaderEpoch: 0 } });
  }
  return answer(KafkaError.NONE, null, [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions })));
}, { releasesRequest: true });
