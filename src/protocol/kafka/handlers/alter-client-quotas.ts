/**
 * AlterClientQuotas: sets and removes quotas of client entities with Kafka's checks, durably in
 * the catalogue, and applies them to the next requests of every connection they cover.
 * Enforced: producer_byte_rate, consumer_byte_rate, request_percentage (../quotas/manager.ts);
 * controller_mutation_rate and connection_creation_rate are stored only.
 */
import { AlterClientQuotas } from '../api/alter-client-quotas.js';
import { KafkaError } from '../codec/error-codes.js';
import { clientQuotaKey } from '../../../core/catalogue/state.js';
import { checkEntity, checkQuota, entityInKafkaOrder, type QuotaEntity } from '../quotas/entities.js';
import { defineHandler } from '../server/handler.js';
import { errorMessage, kafkaCode } from '../server/context.js';
import { mayAlterCluster } from './cluster-access.js';

export const alterClientQuotasHandler = defineHandler(AlterClientQuotas, async (req, { kafka, conn }) => {
  const catalogue = kafka.broker.catalogue;
  const seen = new Map<string, number>();
  const entities = req.entries.map((e) => {
    const entity = checkEntity(e.entity);
    if ('errorCode' in entity) return entity;
    const key = clientQuotaKey(entity as QuotaEntity);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    return entity as QuotaEntity;
  });
  const entries: { errorCode: number; errorMessage: string | null; entity: { entityType: string; entityName: string | null }[] }[] = [];
  // Every entity's change is made before any is awaited, so that they share the catalogue's saves.
  const saves: Promise<void>[] = [];
  for (let i = 0; i < req.entries.length; i++) {
    const e = req.entries[i]!;
    const entity = entities[i]!;
    const answer = (errorCode: number, message: string | null) => {
      const shown = 'errorCode' in entity ? e.entity.map((x) => ({ entityType: x.entityType, entityName: x.entityName })) : entityInKafkaOrder(entity as QuotaEntity);
      entries.push({ errorCode, errorMessage: message, entity: shown });
    };
    if (!mayAlterCluster(conn)) {
      answer(KafkaError.CLUSTER_AUTHORIZATION_FAILED, 'changing client quotas needs the administrator tag');
      continue;
    }
    if ('errorCode' in entity) {
      answer(entity.errorCode as number, entity.errorMessage as string);
      continue;
    }
    const key = clientQuotaKey(entity);
    if (seen.get(key)! > 1) {
      answer(KafkaError.INVALID_REQUEST, `Ignoring duplicate entity ${JSON.stringify(entity)}`);
      continue;
    }
    const keys = e.ops.map((o) => o.key);
    if (new Set(keys).size !== keys.length) {
      answer(KafkaError.INVALID_REQUEST, `Duplicate quota key ${keys.find((k, j) => keys.indexOf(k) !== j)} not updating quota for this entity ${JSON.stringify(entity)}`);
      continue;
    }
    const current = catalogue.clientQuotas().find((q) => clientQuotaKey(q.entity) === key)?.values ?? {};
    const next: Record<string, number> = { ...current };
    let refused = null;
    for (const o of e.ops) {
      if (o.remove) delete next[o.key];
      else {
        refused = checkQuota(entity, o.key, o.value);
        if (refused) break;
        next[o.key] = o.value;
      }
    }
    if (refused) {
      answer(refused.errorCode, refused.errorMessage);
      continue;
    }
    answer(KafkaError.NONE, null);
    if (!req.validateOnly) {
      const answered = entries[entries.length - 1]!;
      let saved: Promise<void>;
      try {
        saved = catalogue.putClientQuota({ entity, values: next });
      } catch (err) {
        saved = Promise.reject(err);
      }
      saves.push(saved.catch((err: unknown) => {
        answered.errorCode = kafkaCode(err);
        answered.errorMessage = errorMessage(err);
      }));
    }
  }
  await Promise.all(saves);
  kafka.quotas.reload();
  return { throttleTimeMs: 0, entries };
});
