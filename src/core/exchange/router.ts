/**
 * The exchanges and bindings of one vhost, and routing. The Router knows which queues and
 * topics exist because their owners register them (addQueue/addTopic); it holds no messages.
 *
 * Routing follows RabbitMQ: the start exchange's type picks destinations; each exchange among
 * them is routed through in turn (e2e), each exchange at most once per message, so cycles end;
 * an exchange whose own bindings match nothing hands the message to its alternate exchange,
 * which is then routed like any other reached exchange (so AE chains and AE cycles are also
 * cut by the once-per-message rule). The result holds each queue or topic once.
 *
 * All methods are synchronous; callers persist durable changes through the catalogue.
 */
import { HopperError } from '../errors.js';
import type { Message } from '../message.js';
import { checkNotReserved, validateExchangeName, validateQueueName, validateTopicName } from '../names.js';
import { argumentsEqual, noArguments, type Arguments } from './arguments.js';
import { defaultExchangeName, predeclaredExchanges } from './defaults.js';
import { formatDestination, type Destination, type DestNode, type RouteSink } from './destination.js';
import { assertEquivalent, resolveExchangeSpec, type ExchangeInfo, type ExchangeSpec } from './exchange.js';
import { Binding, DefaultIndex, ExchangeState, Node, type BindingInfo } from './state.js';
import { directExchange } from './direct.js';
import { exchangeType } from './types.js';

export type { BindingInfo } from './state.js';

export interface RouterOptions {
  /** Declare amq.direct, amq.fanout, amq.topic, amq.headers and amq.match. Default true. */
  predeclare?: boolean;
}

export interface DeclareOptions {
  /** The broker itself (recovery, vhost creation) may declare `amq.*`; clients may not. */
  system?: boolean;
}

export interface DeleteExchangeOptions extends DeclareOptions {
  /** Refuse (IN_USE) if the exchange is the source of any binding. */
  ifUnused?: boolean;
}

/** Per-route scratch state, reused across messages so routing allocates almost nothing. */
class Collector implements RouteSink {
  epoch = 0;
  /** Destination emissions by the exchange being routed, before deduplication. */
  raw = 0;
  readonly work: ExchangeState[] = [];
  out: Destination[] = [];

  add(node: DestNode): void {
    this.raw++;
    if (node.mark === this.epoch) return;
    node.mark = this.epoch;
    const x = (node as Node).exchange;
    if (x !== null) this.work.push(x);
    else this.out.push(node.dest);
  }
}

export class Router {
  private readonly exchangesByName = new Map<string, ExchangeState>();
  private readonly queues = new Map<string, Node>();
  private readonly topics = new Map<string, Node>();
  private readonly c = new Collector();

  constructor(readonly vhost: string, options: RouterOptions = {}) {
    const dflt = new ExchangeState(
      resolveExchangeSpec({ name: defaultExchangeName, type: 'direct', durable: true }),
      directExchange,
      new DefaultIndex(this.queues),
    );
    this.exchangesByName.set(dflt.name, dflt);
    if (options.predeclare ?? true) {
      for (const spec of predeclaredExchanges) this.declareExchange(spec, { system: true });
    }
  }

  // ---- exchanges ----

  /**
   * Declares an exchange, or checks an existing one is equivalent (INEQUIVALENT if not).
   * INVALID_NAME, NOT_ALLOWED for '' or (unless system) `amq.*`, INVALID_ARGUMENT for an
   * unknown type or a bad alternate-exchange argument.
   */
  declareExchange(spec: ExchangeSpec, options: DeclareOptions = {}): { created: boolean; exchange: ExchangeInfo } {
    validateExchangeName(spec.name);
    if (spec.name === defaultExchangeName) throw this.defaultExchangeRefusal();
    if (!options.system) checkNotReserved('exchange', spec.name);
    const info = resolveExchangeSpec(spec);
    const existing = this.exchangesByName.get(spec.name);
    if (existing !== undefined) {
      assertEquivalent(this.vhost, existing, info);
      return { created: false, exchange: existing.info() };
    }
    const kind = exchangeType(info.type);
    if (kind === undefined) throw new HopperError('INVALID_ARGUMENT', `unknown exchange type ${JSON.stringify(info.type)}`);
    const x = new ExchangeState(info, kind, kind.createIndex());
    this.exchangesByName.set(x.name, x);
    return { created: true, exchange: x.info() };
  }

  /** The exchange's settings, or undefined. '' (the default exchange) always exists. */
  exchange(name: string): ExchangeInfo | undefined {
    return this.exchangesByName.get(name)?.info();
  }

  /** Passive declare: the exchange's settings, or NOT_FOUND. */
  checkExchange(name: string): ExchangeInfo {
    return this.mustGetExchange(name).info();
  }

  exchanges(): ExchangeInfo[] {
    return [...this.exchangesByName.values()].map((x) => x.info());
  }

  /**
   * Deletes an exchange and every binding to or from it. Returns the names of the exchanges
   * deleted: this one first, then any auto-delete exchanges that lost their last binding as a
   * consequence (empty if it did not exist: delete is idempotent, as in RabbitMQ).
   */
  deleteExchange(name: string, options: DeleteExchangeOptions = {}): string[] {
    if (name === defaultExchangeName) throw this.defaultExchangeRefusal();
    if (!options.system) checkNotReserved('exchange', name);
    const x = this.exchangesByName.get(name);
    if (x === undefined) return [];
    if (options.ifUnused && x.outboundCount > 0) {
      throw new HopperError('IN_USE', `exchange ${JSON.stringify(name)} in vhost ${JSON.stringify(this.vhost)} in use`);
    }
    const deleted: string[] = [];
    this.destroyExchange(x, deleted);
    return deleted;
  }

  // ---- queues and topics (owned elsewhere; registered here so bindings can reach them) ----

  addQueue(name: string): void {
    validateQueueName(name);
    if (!this.queues.has(name)) this.queues.set(name, new Node('queue', name));
  }

  hasQueue(name: string): boolean {
    return this.queues.has(name);
  }

  /** Forgets a queue and its bindings; returns the auto-delete exchanges this deleted. */
  removeQueue(name: string): string[] {
    return this.removeLeaf(this.queues, name);
  }

  addTopic(name: string): void {
    validateTopicName(name);
    if (!this.topics.has(name)) this.topics.set(name, new Node('topic', name));
  }

  hasTopic(name: string): boolean {
    return this.topics.has(name);
  }

  removeTopic(name: string): string[] {
    return this.removeLeaf(this.topics, name);
  }

  // ---- bindings ----

  /**
   * Binds `destination` to exchange `source`. Binding again with the same key and arguments
   * is a no-op. NOT_FOUND if either end is missing; NOT_ALLOWED involving the default
   * exchange; INVALID_ARGUMENT if the exchange type refuses the arguments.
   */
  bind(source: string, destination: Destination, routingKey: string, args: Arguments = noArguments): { created: boolean } {
    const x = this.mustGetExchange(source);
    const to = this.mustGetDestination(destination);
    if (x.name === defaultExchangeName || to.exchange?.name === defaultExchangeName) throw this.defaultExchangeRefusal();
    x.kind.validateBinding(routingKey, args);
    if (this.findBinding(x, to, routingKey, args) !== undefined) return { created: false };
    const stored = args === noArguments ? args : { ...args };
    const b = new Binding(x, to, routingKey, stored, x.index.add(routingKey, stored, to));
    const list = x.outbound.get(to);
    if (list) list.push(b);
    else x.outbound.set(to, [b]);
    x.outboundCount++;
    to.inbound.add(b);
    return { created: true };
  }

  /**
   * Removes a binding (a missing binding is not an error, as in RabbitMQ; missing ends are
   * NOT_FOUND). Returns whether it existed and the auto-delete exchanges this deleted.
   */
  unbind(source: string, destination: Destination, routingKey: string, args: Arguments = noArguments): { removed: boolean; autoDeleted: string[] } {
    const x = this.mustGetExchange(source);
    const to = this.mustGetDestination(destination);
    if (x.name === defaultExchangeName || to.exchange?.name === defaultExchangeName) throw this.defaultExchangeRefusal();
    const b = this.findBinding(x, to, routingKey, args);
    const autoDeleted: string[] = [];
    if (b !== undefined) this.removeBinding(b, autoDeleted);
    return { removed: b !== undefined, autoDeleted };
  }

  /** Every binding whose source is `source` (empty for unknown or default exchange). */
  bindingsFrom(source: string): BindingInfo[] {
    const x = this.exchangesByName.get(source);
    return x === undefined ? [] : [...x.outbound.values()].flat();
  }

  /** Every binding that leads to `destination`. */
  bindingsTo(destination: Destination): BindingInfo[] {
    const n = this.findNode(destination);
    return n === undefined ? [] : [...n.inbound];
  }

  bindings(): BindingInfo[] {
    const out: BindingInfo[] = [];
    for (const x of this.exchangesByName.values()) for (const list of x.outbound.values()) out.push(...list);
    return out;
  }

  // ---- routing ----

  /**
   * The queues and topics a message published to `exchangeName` reaches, each once, in the
   * order first reached. NOT_FOUND for a missing exchange; NOT_ALLOWED for an internal one.
   * Pass `out` to reuse an array across calls (it is cleared first).
   */
  route(exchangeName: string, routingKey: string, message: Message, out: Destination[] = []): Destination[] {
    const x = this.mustGetExchange(exchangeName);
    if (x.internal) {
      throw new HopperError('NOT_ALLOWED', `cannot publish to internal exchange ${JSON.stringify(exchangeName)} in vhost ${JSON.stringify(this.vhost)}`);
    }
    return this.routeFrom(x, routingKey, message, out);
  }

  /**
   * Routing for messages the broker republishes itself (dead-lettering, shovels): internal
   * exchanges are allowed and a missing exchange routes nowhere, as RabbitMQ drops messages
   * dead-lettered to an exchange that does not exist.
   */
  routeTrusted(exchangeName: string, routingKey: string, message: Message, out: Destination[] = []): Destination[] {
    const x = this.exchangesByName.get(exchangeName);
    if (x === undefined) {
      out.length = 0;
      return out;
    }
    return this.routeFrom(x, routingKey, message, out);
  }

  private routeFrom(start: ExchangeState, key: string, message: Message, out: Destination[]): Destination[] {
    out.length = 0;
    const c = this.c;
    c.out = out;
    const epoch = ++c.epoch;
    const work = c.work;
    work.length = 0;
    start.node.mark = epoch;
    work.push(start);
    for (let i = 0; i < work.length; i++) {
      const x = work[i]!;
      c.raw = 0;
      x.index.route(key, message, c);
      if (c.raw === 0 && x.alternateExchange !== null) {
        const ae = this.exchangesByName.get(x.alternateExchange);
        // A missing alternate exchange is ignored (RabbitMQ logs it); a seen one is a cycle.
        if (ae !== undefined && ae.node.mark !== epoch) {
          ae.node.mark = epoch;
          work.push(ae);
        }
      }
    }
    work.length = 0;
    c.out = [];
    return out;
  }

  // ---- internals ----

  private mustGetExchange(name: string): ExchangeState {
    const x = this.exchangesByName.get(name);
    if (x === undefined) throw new HopperError('NOT_FOUND', `no exchange ${JSON.stringify(name)} in vhost ${JSON.stringify(this.vhost)}`);
    return x;
  }

  private findNode(d: Destination): Node | undefined {
    switch (d.kind) {
      case 'queue':
        return this.queues.get(d.name);
      case 'topic':
        return this.topics.get(d.name);
      case 'exchange':
        return this.exchangesByName.get(d.name)?.node;
    }
  }

  private mustGetDestination(d: Destination): Node {
    const n = this.findNode(d);
    if (n === undefined) throw new HopperError('NOT_FOUND', `no ${formatDestination(d)} in vhost ${JSON.stringify(this.vhost)}`);
    return n;
  }

  private findBinding(x: ExchangeState, to: Node, key: string, args: Arguments): Binding | undefined {
    return x.outbound.get(to)?.find((b) => b.routingKey === key && argumentsEqual(b.arguments, args));
  }

  private removeBinding(b: Binding, autoDeleted: string[]): void {
    const x = b.from;
    x.index.remove(b.token);
    const list = x.outbound.get(b.to)!;
    list.splice(list.indexOf(b), 1);
    if (list.length === 0) x.outbound.delete(b.to);
    x.outboundCount--;
    b.to.inbound.delete(b);
    if (x.autoDelete && x.outboundCount === 0 && !x.deleting) this.destroyExchange(x, autoDeleted);
  }

  private destroyExchange(x: ExchangeState, deleted: string[]): void {
    x.deleting = true;
    this.exchangesByName.delete(x.name);
    deleted.push(x.name);
    for (const list of [...x.outbound.values()]) for (const b of [...list]) this.removeBinding(b, deleted);
    // Removing bindings into x may leave their sources without bindings: those auto-delete.
    for (const b of [...x.node.inbound]) this.removeBinding(b, deleted);
  }

  private removeLeaf(map: Map<string, Node>, name: string): string[] {
    const n = map.get(name);
    const autoDeleted: string[] = [];
    if (n === undefined) return autoDeleted;
    map.delete(name);
    for (const b of [...n.inbound]) this.removeBinding(b, autoDeleted);
    return autoDeleted;
  }

  private defaultExchangeRefusal(): HopperError {
    return new HopperError('NOT_ALLOWED', 'operation not permitted on the default exchange');
  }
}
