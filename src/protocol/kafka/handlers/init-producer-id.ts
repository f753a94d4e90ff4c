/**
 * InitProducerId: hands out producer ids for idempotent producers (../txn/producer-ids.ts).
 * With a transactional id, the transaction coordinator (../txn/coordinator.ts) allocates or
 * reuses the id's producer id and bumps its epoch, aborting an ongoing transaction of the
 * previous epoch; PRODUCER_FENCED is answered as INVALID_PRODUCER_EPOCH before v4.
 */
import { InitProducerId } from '../api/init-producer-id.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';
import { allocateProducerId } from '../txn/producer-ids.js';
import { transactions } from '../txn/service.js';

export const initProducerIdHandler = defineHandler(InitProducerId, async (req, { kafka, version }) => {
  if (req.transactionalId !== null) {
    try {
      const { coordinator } = await transactions(kafka);
      const r = await coordinator.initProducerId(req.transactionalId, req.transactionTimeoutMs, req.producerId, req.producerEpoch);
      const errorCode = r.errorCode === KafkaError.PRODUCER_FENCED && version < 4 ? KafkaError.INVALID_PRODUCER_EPOCH : r.errorCode;
      return { throttleTimeMs: 0, errorCode, producerId: r.producerId, producerEpoch: r.producerEpoch };
    } catch (e) {
      return { throttleTimeMs: 0, errorCode: kafkaCode(e), producerId: -1, producerEpoch: -1 };
    }
  }
  // Bumping the epoch of a known producer id (KIP-360) keeps the id.
  if (req.producerId >= 0 && req.producerEpoch >= 0) {
    const epoch = req.producerEpoch + 1;
    if (epoch <= 0x7fff) return { throttleTimeMs: 0, errorCode: KafkaError.NONE, producerId: req.producerId, producerEpoch: epoch };
  }
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, producerId: allocateProducerId(kafka.broker.ctx.clock.now()), producerEpoch: 0 };
});
