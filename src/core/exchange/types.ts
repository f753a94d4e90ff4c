/** The exchange types the Router knows, by the name clients declare them with. */
import { directExchange } from './direct.js';
import type { ExchangeType } from './exchange-type.js';
import { fanoutExchange } from './fanout.js';
import { headersExchange } from './headers.js';
import { topicExchange } from './topic.js';

const registry = new Map<string, ExchangeType>(
  [directExchange, fanoutExchange, topicExchange, headersExchange].map((t) => [t.name, t]),
);

export function exchangeType(name: string): ExchangeType | undefined {
  return registry.get(name);
}

export function exchangeTypeNames(): string[] {
  return [...registry.keys()];
}

/** For broker extensions (e.g. a consistent-hash type); a name can be registered once. */
export function registerExchangeType(t: ExchangeType): void {
  if (registry.has(t.name)) throw new Error(`exchange type ${t.name} is already registered`);
  registry.set(t.name, t);
}
