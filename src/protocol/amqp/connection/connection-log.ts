/**
 * What the operator log says about an AMQP connection: who connected (address, user, vhost)
 * and with what (the client-properties product, version and connection_name that RabbitMQ
 * clients send; amqplib, pika and the Java client set product and version, applications may
 * set connection_name).
 */
import type { LogFields } from '../../../server/logger.js';
import type { FieldTable } from '../codec/field-table.js';

/** Longest client-supplied text put into a log line. */
const MAX_TEXT = 200;

function text(props: FieldTable, name: string): string | undefined {
  const v = props[name];
  const s = v?.type === 'string' ? v.value : v?.type === 'bytes' ? v.value.toString('utf8') : undefined;
  return s === undefined ? undefined : s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}

export function clientFields(props: FieldTable): LogFields {
  return { clientName: text(props, 'product'), clientVersion: text(props, 'version'), connectionName: text(props, 'connection_name') };
}
