/**
 * The exchanges every vhost has from birth, as in RabbitMQ. Clients can bind to them and
 * publish to them but never declare (non-passively) or delete them: the `amq.` prefix is
 * reserved (see names.ts).
 */
import type { ExchangeSpec } from './exchange.js';

/** The default exchange: implicit, routes to the queue named by the routing key. */
export const defaultExchangeName = '';

/** Permission checks name the default exchange this way (RabbitMQ does the same). */
export const defaultExchangeResourceName = 'amq.default';

export const predeclaredExchanges: readonly ExchangeSpec[] = Object.freeze([
  { name: 'amq.direct', type: 'direct', durable: true },
  { name: 'amq.fanout', type: 'fanout', durable: true },
  { name: 'amq.topic', type: 'topic', durable: true },
  { name: 'amq.headers', type: 'headers', durable: true },
  { name: 'amq.match', type: 'headers', durable: true },
]);
