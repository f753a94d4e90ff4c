/**
 * InitProducerId: hands out producer ids (../txn/producer-ids.ts). Without a transactional id
 * every request gets a new producer id with epoch 0, as in Kafka, whatever producer id and
 * epoch it names (an idempotent producer bumps its epoch on its own): answering with the named
 * id would let two producers share one, and each other's batches would be dropped as retries.
 * With a transactional id, the transaction coordinator (../txn/coordinator.ts) allocates or
 * reuses the id's producer id and bumps its epoch, aborting an ongoing transaction of the
 * previous epoch; PRODUCER_FENCED is answered as INVALID_PRODUCER_EPOCH before v4.
 */
import { InitProducerId } from '../api/init-producer-id.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { kafkaCode } from '../server/context.js';
import { producerIds } from '../txn/producer-ids.js';
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
  try {
    const producerId = await producerIds(kafka.broker, kafka.options.vhost).allocate();
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, producerId, producerEpoch: 0 };
  } catch (e) {
    return { throttleTimeMs: 0, errorCode: kafkaCode(e), producerId: -1, producerEpoch: -1 };
  }
});
