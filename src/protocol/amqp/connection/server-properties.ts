/**
 * What connection.start announces: who we are and the RabbitMQ extensions we implement, so
 * clients turn on the matching features (confirms, consumer cancel notifications, blocked
 * notifications, close on failed login, per-consumer qos, direct reply-to).
 */
import type { TypedValue } from '../../../core/message.js';
import type { FieldTable } from '../codec/field-table.js';

const bool = (value: boolean): TypedValue => ({ type: 'bool', value });
const str = (value: string): TypedValue => ({ type: 'string', value });

export const serverCapabilities = [
  'publisher_confirms',
  'exchange_exchange_bindings',
  'basic.nack',
  'consumer_cancel_notify',
  'connection.blocked',
  'consumer_priorities',
  'authentication_failure_close',
  'per_consumer_qos',
  'direct_reply_to',
] as const;

export function serverProperties(version: string, clusterName: string): FieldTable {
  const caps: Record<string, TypedValue> = {};
  for (const c of serverCapabilities) caps[c] = bool(true);
  return {
    capabilities: { type: 'table', value: caps },
    cluster_name: str(clusterName),
    copyright: str('Hopper contributors, Apache-2.0'),
    information: str('Hopper: one broker for AMQP 0-9-1, Kafka and SQS'),
    platform: str(`Node.js ${process.version}`),
    product: str('Hopper'),
    version: str(version),
  };
}

/** Reads the client's capabilities table (client-properties.capabilities). */
export function clientCapability(clientProperties: FieldTable, name: string): boolean {
  const caps = clientProperties['capabilities'];
  if (caps?.type !== 'table') return false;
  const v = caps.value[name];
  return v?.type === 'bool' && v.value;
}
