/**
 * A logged-in user on one vhost. Every operation checks the user's configure / write / read
 * permission first, with the resource rules RabbitMQ documents, then calls the Vhost. Protocol
 * endpoints create one Session per connection, so all of them enforce the same rules.
 */
import { isIP } from 'node:net';
import type { AuthenticatedUser } from '../auth/access-control.js';
import { HopperError } from '../errors.js';
import type { Arguments } from '../exchange/arguments.js';
import type { Destination } from '../exchange/destination.js';
import type { ExchangeInfo, ExchangeSpec } from '../exchange/exchange.js';
import type { Message } from '../message.js';
import type { ConsumeOptions, DeliverCallback, Delivery, PublishOptions, ReceiveOptions } from '../queue/types.js';
import type { Consumer } from '../queue/consumer.js';
import type { Broker } from './broker.js';
import type { DeclareQueue, DeleteQueueOptions, PublishResult, QueueEntry, Vhost } from './vhost.js';

export interface LoginRequest {
  user: string;
  password: string;
  vhost: string;
  /** The client's address as the socket reports it; omitted for in-process use. */
  peerAddress?: string;
}

/** Loopback as RabbitMQ sees it: 127.0.0.0/8, ::1, and IPv4-mapped loopback (::ffff:127.x). */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** AUTHENTICATION_FAILED when a loopback-only user (guest) connects from elsewhere. */
export function checkLoopback(user: AuthenticatedUser, peerAddress: string | undefined): void {
  if (user.loopbackOnly && peerAddress !== undefined && !isLoopback(peerAddress)) {
    throw new HopperError('AUTHENTICATION_FAILED', `user '${user.name}' can only connect from loopback`);
  }
}

/** The default exchange is checked under this name, as RabbitMQ does. */
const exchangeResource = (name: string) => (name === '' ? 'amq.default' : name);

export class Session {
  private constructor(
    readonly broker: Broker,
    readonly user: AuthenticatedUser,
    readonly vhost: Vhost,
  ) {}

  static async login(broker: Broker, req: LoginRequest): Promise<Session> {
    const user = await broker.access.authenticate(req.user, req.password, { peerAddress: req.peerAddress });
    return Session.forUser(broker, user, req);
  }

  /**
   * A session for a user whose password the caller has already checked (AMQP authenticates at
   * connection.start-ok, before the client names its vhost in connection.open). Applies the
   * same loopback and vhost rules as login.
   */
  static forUser(broker: Broker, user: AuthenticatedUser, req: { vhost: string; peerAddress?: string }): Session {
    checkLoopback(user, req.peerAddress);
    broker.access.checkVhostAccess(user.name, req.vhost);
    return new Session(broker, user, broker.vhost(req.vhost));
  }

  private check(permission: 'configure' | 'write' | 'read', resource: string): void {
    this.broker.access.check(this.user.name, this.vhost.name, permission, resource);
  }

  async declareExchange(spec: ExchangeSpec): Promise<ExchangeInfo> {
    this.check('configure', exchangeResource(spec.name));
    return this.vhost.declareExchange(spec);
  }

  async deleteExchange(name: string, opts: { ifUnused?: boolean } = {}): Promise<void> {
    this.check('configure', exchangeResource(name));
    return this.vhost.deleteExchange(name, opts);
  }

  async declareQueue(name: string, spec: DeclareQueue = {}): Promise<QueueEntry> {
    // A server-named queue is checked after naming, as RabbitMQ does (amq.gen-* names).
    if (name !== '') this.check('configure', name);
    return this.vhost.declareQueue(name, spec);
  }

  async deleteQueue(name: string, opts: DeleteQueueOptions & { owner?: string | null } = {}): Promise<number> {
    this.check('configure', name);
    return this.vhost.deleteQueue(name, opts);
  }

  async purgeQueue(name: string, owner?: string | null): Promise<number> {
    this.check('read', name);
    return this.vhost.queueEntry(name, owner).queue.purge();
  }

  /** Binding needs write on the destination and read on the source exchange. */
  async bind(source: string, destination: Destination, routingKey: string, args: Arguments = {}): Promise<void> {
    this.check('write', destination.kind === 'exchange' ? exchangeResource(destination.name) : destination.name);
    this.check('read', exchangeResource(source));
    return this.vhost.bind(source, destination, routingKey, args);
  }

  async unbind(source: string, destination: Destination, routingKey: string, args: Arguments = {}): Promise<void> {
    this.check('write', destination.kind === 'exchange' ? exchangeResource(destination.name) : destination.name);
    this.check('read', exchangeResource(source));
    return this.vhost.unbind(source, destination, routingKey, args);
  }

  async publish(exchange: string, routingKey: string, message: Message, opts?: PublishOptions): Promise<PublishResult> {
    this.check('write', exchangeResource(exchange));
    return this.vhost.publish(exchange, routingKey, message, opts);
  }

  /** Vhost.startPublish after the same check: null when the message reached nothing. */
  startPublish(exchange: string, routingKey: string, message: Message, opts?: PublishOptions, visible?: () => void): Promise<unknown> | null {
    this.check('write', exchangeResource(exchange));
    return this.vhost.startPublish(exchange, routingKey, message, opts, visible);
  }

  consume(queue: string, opts: ConsumeOptions, deliver: DeliverCallback, owner?: string | null): Consumer {
    this.check('read', queue);
    const entry = this.vhost.queueEntry(queue, owner);
    const c = entry.queue.consume(opts, deliver);
    entry.hadConsumer = true;
    return c;
  }

  async receive(queue: string, opts: ReceiveOptions = {}, owner?: string | null): Promise<Delivery[]> {
    this.check('read', queue);
    return this.vhost.queueEntry(queue, owner).queue.receive(opts);
  }

  /** Topic reads (Kafka fetch) need read on the topic; appends need write. */
  checkTopic(name: string, permission: 'write' | 'read'): void {
    this.check(permission, name);
  }

  /** The same rule as a yes/no, for protocols that answer with an error per item (Kafka). */
  mayAccessTopic(name: string, permission: 'write' | 'read'): boolean {
    return this.broker.access.can(this.user.name, this.vhost.name, permission, name);
  }
}
