/**
 * The Router's internal records. Not exported from the package: callers see ExchangeInfo,
 * BindingInfo and Destination.
 */
import type { Message } from '../message.js';
import type { Arguments } from './arguments.js';
import type { Destination, DestNode, RouteSink } from './destination.js';
import type { ExchangeInfo } from './exchange.js';
import type { BindingIndex, ExchangeType } from './exchange-type.js';

export interface BindingInfo {
  readonly source: string;
  readonly destination: Destination;
  readonly routingKey: string;
  readonly arguments: Arguments;
}

export class Node implements DestNode {
  mark = 0;
  /** Bindings that lead here; a deleted destination takes them with it. */
  readonly inbound = new Set<Binding>();
  readonly dest: Destination;
  constructor(kind: Destination['kind'], name: string, readonly exchange: ExchangeState | null = null) {
    this.dest = Object.freeze({ kind, name });
  }
}

export class Binding implements BindingInfo {
  readonly arguments: Arguments;
  constructor(
    readonly from: ExchangeState,
    readonly to: Node,
    readonly routingKey: string,
    args: Arguments,
    readonly token: unknown,
  ) {
    this.arguments = args;
  }
  get source(): string {
    return this.from.name;
  }
  get destination(): Destination {
    return this.to.dest;
  }
}

export class ExchangeState implements ExchangeInfo {
  readonly node: Node;
  /** This exchange's bindings as the source, grouped by destination (for identity lookups). */
  readonly outbound = new Map<Node, Binding[]>();
  outboundCount = 0;
  /** Set while being deleted, so removing its bindings does not auto-delete it twice. */
  deleting = false;
  readonly name: string;
  readonly type: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly alternateExchange: string | null;
  readonly arguments: Arguments;

  constructor(info: ExchangeInfo, readonly kind: ExchangeType, readonly index: BindingIndex) {
    this.name = info.name;
    this.type = info.type;
    this.durable = info.durable;
    this.autoDelete = info.autoDelete;
    this.internal = info.internal;
    this.alternateExchange = info.alternateExchange;
    this.arguments = info.arguments;
    this.node = new Node('exchange', info.name, this);
  }

  info(): ExchangeInfo {
    const { name, type, durable, autoDelete, internal, alternateExchange, arguments: args } = this;
    return { name, type, durable, autoDelete, internal, alternateExchange, arguments: args };
  }
}

/** The default exchange's "index": the queue named by the routing key, if it exists. */
export class DefaultIndex implements BindingIndex<never> {
  constructor(private readonly queues: ReadonlyMap<string, Node>) {}
  add(): never {
    throw new Error('the default exchange has no explicit bindings');
  }
  remove(): void {}
  route(key: string, _m: Message, sink: RouteSink): void {
    const q = this.queues.get(key);
    if (q !== undefined) sink.add(q);
  }
}
