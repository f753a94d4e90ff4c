/** AddOffsetsToTxn (v0-v4): the group whose offsets the transaction will commit (TxnOffsetCommit). */
import { AddOffsetsToTxn } from '../api/add-offsets-to-txn.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';
import { fencedAs } from '../txn/coordinator.js';
import { transactions } from '../txn/service.js';

export const addOffsetsToTxnHandler = defineHandler(AddOffsetsToTxn, async (req, { kafka, version }) => {
  if (req.groupId === '') return { throttleTimeMs: 0, errorCode: KafkaError.INVALID_GROUP_ID };
  try {
    const { coordinator } = await transactions(kafka);
    const code = await coordinator.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId);
    return { throttleTimeMs: 0, errorCode: fencedAs(code, version, 2) };
  } catch (e) {
    return { throttleTimeMs: 0, errorCode: kafkaCode(e) };
  }
});
