/**
 * DescribeClientQuotas: the entities that match the filter (each component by exact name, the
 * default entity, or any specified name; strict wants no other entity types) and their quotas,
 * in the order the entities first got a quota.
 */
import { DescribeClientQuotas } from '../api/describe-client-quotas.js';
import { KafkaError } from '../codec/error-codes.js';
import { checkFilter, entityInKafkaOrder, matches, valuesInKafkaOrder } from '../quotas/entities.js';
import { defineHandler } from '../server/handler.js';
import { mayDescribeCluster } from './cluster-access.js';

export const describeClientQuotasHandler = defineHandler(DescribeClientQuotas, (req, { kafka, conn }) => {
  if (!mayDescribeCluster(conn)) return { throttleTimeMs: 0, errorCode: KafkaError.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, entries: null };
  const refused = checkFilter(req.components);
  if (refused) return { throttleTimeMs: 0, ...refused, entries: null };
  const entries = kafka.broker.catalogue.clientQuotas()
    .filter((q) => matches(q.entity, req.components, req.strict))
    .map((q) => ({ entity: entityInKafkaOrder(q.entity), values: valuesInKafkaOrder(q.values) }));
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, errorMessage: null, entries };
});
