/**
 * ListConfigResources: v0 (ListClientMetricsResources) lists client-metrics subscriptions, of
 * which Hopper has none; v1 lists the resources of the types asked for (all when none):
 * topics (2), this broker (4), client-metrics subscriptions (16, none) and groups (32: every
 * kind, and those with only group configs). Broker
 * loggers (8) are a type Kafka knows and Hopper has none of (its log level is a start-up setting).
 */
import { ListConfigResources } from '../api/list-config-resources.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import type { KafkaContext } from '../server/context.js';
import { mayDescribeCluster } from './cluster-access.js';

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const CLIENT_METRICS = 16;
const GROUP = 32;
const ALL = [TOPIC, BROKER, BROKER_LOGGER, CLIENT_METRICS, GROUP];

async function names(kafka: KafkaContext, type: number): Promise<string[]> {
  switch (type) {
    case TOPIC: return kafka.vhost.topicNames().sort();
    case BROKER: return [String(kafka.node.nodeId)];
    case GROUP:
      return [...new Set([
        ...(await kafka.vhost.groupOffsets()).groupNames(), ...kafka.groups.list().map((g) => g.groupId),
        ...(await kafka.share.groupIds()), ...kafka.broker.catalogue.configuredGroups(kafka.options.vhost),
      ])].sort();
    default: return [];
  }
}

export const listConfigResourcesHandler = defineHandler(ListConfigResources, async (req, { kafka, conn, version }) => {
  if (!mayDescribeCluster(conn)) return { throttleTimeMs: 0, errorCode: KafkaError.CLUSTER_AUTHORIZATION_FAILED, configResources: [] };
  const types = version === 0 ? [CLIENT_METRICS] : req.resourceTypes.length === 0 ? ALL : [...new Set(req.resourceTypes)];
  if (types.some((t) => !ALL.includes(t))) return { throttleTimeMs: 0, errorCode: KafkaError.UNSUPPORTED_VERSION, configResources: [] };
  const configResources = [];
  for (const resourceType of types) for (const resourceName of await names(kafka, resourceType)) configResources.push({ resourceName, resourceType });
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, configResources };
});
