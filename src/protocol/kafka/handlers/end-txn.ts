/**
 * EndTxn (v0-v4): commits or aborts the producer's transaction. Answered once the marker is
 * durably in every partition of the transaction and, on commit, its TxnOffsetCommit offsets are
 * in the group offsets.
 */
import { EndTxn } from '../api/end-txn.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';
import { fencedAs } from '../txn/coordinator.js';
import { transactions } from '../txn/service.js';

export const endTxnHandler = defineHandler(EndTxn, async (req, { kafka, version }) => {
  try {
    const { coordinator } = await transactions(kafka);
    const code = await coordinator.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
    return { throttleTimeMs: 0, errorCode: fencedAs(code, version, 2) };
  } catch (e) {
    return { throttleTimeMs: 0, errorCode: kafkaCode(e) };
  }
});
