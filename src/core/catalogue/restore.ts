/**
 * Rebuilds a vhost's routing from the catalogue at start: exchanges first, then the queues and
 * topics bindings can lead to, then the bindings. Only durable objects are stored, so this is
 * exactly what a restart keeps.
 */
import { Router, type RouterOptions } from '../exchange/router.js';
import type { Catalogue } from './catalogue.js';

export interface RestoreHooks {
  /** Whether a stored queue should be registered (e.g. the queue module failed to open it). */
  includeQueue?: (name: string) => boolean;
}

export function restoreRouter(catalogue: Catalogue, vhost: string, options: RouterOptions & RestoreHooks = {}): Router {
  const router = new Router(vhost, options);
  for (const x of catalogue.exchanges(vhost)) {
    router.declareExchange(
      { name: x.name, type: x.type, durable: x.durable, autoDelete: x.autoDelete, internal: x.internal, alternateExchange: x.alternateExchange, arguments: x.arguments },
      { system: true },
    );
  }
  for (const q of catalogue.queues(vhost)) if (options.includeQueue?.(q.name) ?? true) router.addQueue(q.name);
  for (const t of catalogue.topics(vhost)) router.addTopic(t.name);
  for (const b of catalogue.bindings(vhost)) {
    if (b.destination.kind === 'queue' && !router.hasQueue(b.destination.name)) continue;
    router.bind(b.source, b.destination, b.routingKey, b.arguments);
  }
  return router;
}
