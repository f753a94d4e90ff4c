/**
 * One virtual host: its router (exchanges and bindings), queues, topics and committed group
 * offsets. Every protocol reaches these through the same methods, so the same rules (name
 * checks, equivalence on redeclare, exclusivity, durability) apply whichever protocol asks.
 * Permission checks are one layer up, in Session.
 */
import { randomBytes } from 'node:crypto';
import type { Catalogue } from '../catalogue/catalogue.js';
import type { QueueDef } from '../catalogue/types.js';
import { HopperError } from '../errors.js';
import type { Arguments } from '../exchange/arguments.js';
import type { Destination } from '../exchange/destination.js';
import type { ExchangeInfo, ExchangeSpec } from '../exchange/exchange.js';
import type { Router } from '../exchange/router.js';
import type { Message } from '../message.js';
import { checkNotReserved, validateQueueName, validateTopicName } from '../names.js';
import { openQueue, type QueueLogKind } from '../queue/open.js';
import { validateQueueOptions, type QueueOptions } from '../queue/options.js';
import type { Queue } from '../queue/queue.js';
import type { DeadLetterInfo, PublishOptions } from '../queue/types.js';
import { GroupOffsets } from '../topic/group-offsets.js';
import { logConfigFromTopicConfigs, type TopicConfigs } from '../topic/config.js';
import { PartitionWaiters } from '../topic/partition-waiters.js';
import { Topic } from '../topic/topic.js';
import { recordsExchangeName, topicOfRecordsExchange } from '../topic/records-exchange.js';
import { decodeMessages } from '../../storage/codec/message-codec.js';
import { paths } from '../paths.js';
import type { BrokerContext } from './context.js';
import { type DamageReport, describeDamage, fromLogDamage, fromQueueDamage } from './damage.js';
import { DeadLetterLog } from './dead-letter-log.js';
import { NameLocks } from './name-locks.js';
import { queueOptionsFromArguments, queueOptionsToArguments, sameQueueOptions } from './queue-arguments.js';

export interface DeclareQueue {
  /** Survives restarts (default true). */
  durable?: boolean;
  /** Deleted when its last consumer goes, once it has had one (AMQP auto-delete). */
  autoDelete?: boolean;
  /** The connection that owns an exclusive queue; it is deleted when that connection closes. */
  exclusiveOwner?: string | null;
  options?: Partial<QueueOptions>;
  /** The arguments as the protocol sent them (AMQP x-arguments), kept with the queue. */
  declaredArguments?: Arguments;
}

export interface TopicSpec {
  partitions?: number;
  config?: TopicConfigs;
}

/** One lock per kind and name: the NUL keeps kind and name apart. */
function lockKey(kind: 'queue' | 'topic' | 'exchange', name: string): string {
  return `${kind}\u0000${name}`;
}

export interface QueueEntry {
  readonly name: string;
  readonly id: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly exclusiveOwner: string | null;
  /** Replaced by alterQueue (SQS SetQueueAttributes). */
  options: QueueOptions;
  /** As declared (DeclareQueue.declaredArguments); null when not known (an older catalogue). Replaced by alterQueue. */
  declaredArguments: Arguments | null;
  readonly queue: Queue;
  /** Set once a consumer has attached: auto-delete applies only after that. */
  hadConsumer: boolean;
}

export interface PublishResult {
  /** Queues and topics the message was stored in (0: unroutable). */
  routed: number;
}

export interface DeleteQueueOptions {
  ifUnused?: boolean;
  ifEmpty?: boolean;
}

export class Vhost {
  private readonly queues = new Map<string, QueueEntry>();
  private readonly topics = new Map<string, Topic>();
  /** Reused by publish: routing fills it, so the hot path allocates no array per message. */
  private readonly routeScratch: Destination[] = [];
  private offsets: Promise<GroupOffsets> | null = null;
  /**
   * Declares, creates and deletes of one name run one at a time (keys from lockKey), so two
   * clients declaring the same new queue or topic at once get one object, not two over the
   * same files. In-memory state that changes synchronously (router, catalogue) needs no lock.
   */
  private readonly locks = new NameLocks();
  private readonly queueDeletedListeners = new Set<(entry: QueueEntry) => void>();
  private readonly topicDeletedListeners = new Set<(topic: Topic) => void>();
  /** Bumped whenever a topic is created or deleted or gains partitions (Kafka consumer groups watch it). */
  topicsVersion = 0;
  /** Readers waiting for appends to this vhost's topics (Kafka fetches, AMQP stream consumers). */
  readonly appends = new PartitionWaiters();
  private readonly deadLetters: DeadLetterLog;

  constructor(
    readonly name: string,
    private readonly ctx: BrokerContext,
    private readonly catalogue: Catalogue,
    readonly router: Router,
  ) {
    this.deadLetters = new DeadLetterLog(name, ctx.logger, ctx.deadLetterLogIntervalMs);
  }

  /** Opens the durable queues and topics the catalogue lists (at broker start). */
  async restore(signal?: AbortSignal): Promise<void> {
    for (const def of this.catalogue.queues(this.name)) {
      signal?.throwIfAborted();
      await this.openQueueFromDef(def);
    }
    for (const def of this.catalogue.topics(this.name)) {
      signal?.throwIfAborted();
      const topic = await Topic.open(def.name, paths.topic(this.ctx.dataDir, this.name, def.name, def.id), def.partitions, this.ctx.topicLogConfig(def.config), this.ctx.openTopicLog, this.appends);
      this.topics.set(def.name, topic);
      this.refreshForwarding(def.name);
    }
  }

  // ---- exchanges -------------------------------------------------------------------------

  async declareExchange(spec: ExchangeSpec): Promise<ExchangeInfo> {
    checkNotReserved('exchange', spec.name);
    // Locked so that a second declare of a new exchange is answered only once the first one's
    // catalogue save is durable, not as soon as the router has it.
    return this.locks.run(lockKey('exchange', spec.name), async () => {
      // Durable unless said otherwise, like queues here and amqplib's assertExchange.
      const { created, exchange } = this.router.declareExchange({ ...spec, durable: spec.durable ?? true });
      if (created && exchange.durable) await this.catalogue.putExchange({ vhost: this.name, ...exchange });
      return exchange;
    });
  }

  exchange(name: string): ExchangeInfo {
    return this.router.checkExchange(name);
  }

  async deleteExchange(name: string, opts: { ifUnused?: boolean } = {}): Promise<void> {
    checkNotReserved('exchange', name);
    return this.locks.run(lockKey('exchange', name), async () => {
      const deleted = this.router.deleteExchange(name, opts);
      await this.forgetExchanges(deleted);
    });
  }

  /**
   * Drops deleted exchanges from the catalogue. Call it in the same tick as the router change:
   * the catalogue changes at once, so a later declare of the same name cannot be undone by it.
   */
  private forgetExchanges(names: readonly string[]): Promise<unknown> {
    const saves: Promise<void>[] = [];
    for (const n of names) if (this.catalogue.exchange(this.name, n)) saves.push(this.catalogue.deleteExchange(this.name, n));
    return Promise.all(saves);
  }

  // ---- bindings --------------------------------------------------------------------------

  async bind(source: string, destination: Destination, routingKey: string, args: Arguments = {}): Promise<void> {
    this.checkDestination(destination);
    this.router.bind(source, destination, routingKey, args);
    const topic = topicOfRecordsExchange(source);
    if (topic !== null) this.refreshForwarding(topic);
    // Also when it existed: a concurrent bind may have created it, and this one must not be
    // answered before that save is durable (putBinding waits for it).
    await this.catalogue.putBinding({ vhost: this.name, source, destination, routingKey, arguments: args });
  }

  async unbind(source: string, destination: Destination, routingKey: string, args: Arguments = {}): Promise<void> {
    const { autoDeleted } = this.router.unbind(source, destination, routingKey, args);
    const topic = topicOfRecordsExchange(source);
    if (topic !== null) this.refreshForwarding(topic);
    // Also when already gone: a concurrent unbind's save must be durable before this answers.
    await Promise.all([this.catalogue.deleteBinding({ vhost: this.name, source, destination, routingKey, arguments: args }), this.forgetExchanges(autoDeleted)]);
  }

  private checkDestination(d: Destination): void {
    if (d.kind === 'queue') this.queueEntry(d.name);
    else if (d.kind === 'topic') this.topic(d.name);
    else this.router.checkExchange(d.name);
  }

  // ---- publishing ------------------------------------------------------------------------

  /**
   * Routes a message through an exchange and stores it in every queue and topic it reaches.
   * Resolves once it is durable in all of them (under the fsync policy): that is when AMQP
   * confirms and SQS answers. Queues deliver it earlier, once their logs have accepted it
   * (docs/queues.md). The message object is owned by the broker from here on.
   */
  async publish(exchange: string, routingKey: string, message: Message, opts?: PublishOptions): Promise<PublishResult> {
    const dests = this.routeForPublish(exchange, routingKey, message);
    if (dests.length === 0) return { routed: 0 };
    const n = dests.length;
    await this.storeAll(dests, message, opts);
    return { routed: n };
  }

  /**
   * publish's synchronous half, for endpoints that must know at once whether a message reached
   * anything (AMQP sends basic.return before the reply to the channel's next method): routes
   * the message and starts storing it. Null when it reached no queue or topic, else a promise
   * that resolves once it is durable in all of them. Refusals publish would reject with are
   * thrown here. `visible`, when given and the result is a promise, is called exactly once,
   * no later than the promise settles: when the message is in every queue it reached (and
   * readable in every topic), or refused; methods that look at queues wait for it (AMQP's
   * per-channel ordering), not for the fsync.
   */
  startPublish(exchange: string, routingKey: string, message: Message, opts?: PublishOptions, visible?: () => void): Promise<unknown> | null {
    const dests = this.routeForPublish(exchange, routingKey, message);
    return dests.length === 0 ? null : this.storeAll(dests, message, opts, visible ?? null);
  }

  private routeForPublish(exchange: string, routingKey: string, message: Message): Destination[] {
    this.checkSize(message);
    message.properties.exchange = exchange;
    message.properties.routingKey = routingKey;
    return this.router.route(exchange, routingKey, message, this.routeScratch);
  }

  private storeAll(dests: readonly Destination[], message: Message, opts: PublishOptions | undefined, visible: (() => void) | null = null): Promise<unknown> {
    const n = dests.length;
    if (n === 1) return this.store(dests[0]!, message, opts, visible);
    let left = n;
    const one = visible === null ? null : () => void (--left === 0 && visible());
    const pending: Promise<unknown>[] = new Array(n);
    for (let i = 0; i < n; i++) pending[i] = this.store(dests[i]!, message, opts, one);
    return Promise.all(pending);
  }

  private checkSize(message: Message): void {
    const size = (message.value?.length ?? 0) + (message.key?.length ?? 0);
    if (size > this.ctx.maxMessageBytes) {
      throw new HopperError('MESSAGE_TOO_LARGE', `message of ${size} bytes is over the limit of ${this.ctx.maxMessageBytes}`);
    }
  }

  /**
   * `opts` (delays) applies to queues; topics have no delayed delivery and ignore it. `visible`:
   * see startPublish (a topic's records are readable once durable).
   */
  private store(d: Destination, message: Message, opts?: PublishOptions, visible: (() => void) | null = null): Promise<unknown> {
    if (d.kind === 'queue') return this.queueEntry(d.name).queue.publish(message, opts, visible);
    const appended = this.topic(d.name).appendMessage(message);
    if (visible !== null) appended.then(visible, visible);
    return appended;
  }

  /** Where a queue's dead letters go: through the configured exchange, as RabbitMQ does. */
  private async deadLetter(message: Message, info: DeadLetterInfo): Promise<void> {
    if (info.exchange === undefined) return;
    const key = info.routingKey ?? message.properties.routingKey ?? '';
    const dests = this.router.routeTrusted(info.exchange, key, message, []);
    message.properties.exchange = info.exchange;
    message.properties.routingKey = key;
    await Promise.all(dests.map((d) => this.store(d, message)));
    this.deadLetters.count(info.queue, info.reason, info.exchange);
  }

  // ---- queues ----------------------------------------------------------------------------

  /**
   * Declares a queue, or checks an existing one is equivalent (INEQUIVALENT otherwise) and not
   * exclusive to another connection (RESOURCE_LOCKED). Pass name '' for a server-named queue.
   */
  async declareQueue(name: string, spec: DeclareQueue = {}): Promise<QueueEntry> {
    if (name === '') name = 'amq.gen-' + randomBytes(16).toString('base64url');
    else {
      validateQueueName(name);
      checkNotReserved('queue', name);
    }
    const options = validateQueueOptions({ maxMessageBytes: this.ctx.maxMessageBytes, ...spec.options });
    const durable = spec.durable ?? true;
    const autoDelete = spec.autoDelete ?? false;
    const owner = spec.exclusiveOwner ?? null;
    return this.locks.run(lockKey('queue', name), () => this.declareQueueLocked(name, durable, autoDelete, owner, options, spec.declaredArguments));
  }

  private async declareQueueLocked(name: string, durable: boolean, autoDelete: boolean, owner: string | null, options: QueueOptions, declaredArguments: Arguments | undefined): Promise<QueueEntry> {
    const existing = this.queues.get(name);
    if (existing) {
      this.checkOwner(existing, owner);
      if (existing.durable !== durable || existing.autoDelete !== autoDelete || (existing.exclusiveOwner !== null) !== (owner !== null) || !sameQueueOptions(existing.options, options)) {
        throw new HopperError('INEQUIVALENT', `queue '${name}' in vhost '${this.name}' exists with different settings`);
      }
      return existing;
    }
    let entry: QueueEntry;
    if (durable && owner === null) {
      const def = await this.catalogue.putQueue({ vhost: this.name, name, durable, autoDelete, arguments: queueOptionsToArguments(options), declaredArguments });
      entry = await this.openQueueFromDef(def);
    } else {
      // Transient and exclusive queues are not in the catalogue; their files are removed at
      // the next start if the broker stops without deleting them.
      entry = await this.openQueueEntry(name, randomBytes(8).toString('hex'), false, autoDelete, owner, options, declaredArguments ?? null);
    }
    this.logQueue('created', entry);
    return entry;
  }

  /**
   * Queue lifecycle for operators. Exclusive queues (one per RPC client, often) are logged at
   * debug level, the others at info.
   */
  private logQueue(what: 'created' | 'deleted', e: QueueEntry, extra: { reason?: string; messages?: number } = {}): void {
    this.ctx.logger[e.exclusiveOwner === null ? 'info' : 'debug'](`queue '${e.name}' in vhost '${this.name}' ${what}${extra.reason ? ` (${extra.reason})` : ''}`, {
      event: `queue.${what}`,
      vhost: this.name,
      queue: e.name,
      durable: e.durable,
      exclusive: e.exclusiveOwner !== null,
      autoDelete: e.autoDelete,
      ...extra,
    });
  }

  private openQueueFromDef(def: QueueDef): Promise<QueueEntry> {
    return this.openQueueEntry(def.name, def.id, true, def.autoDelete, null, queueOptionsFromArguments(def.arguments), def.declaredArguments ?? null);
  }

  private async openQueueEntry(
    name: string,
    id: string,
    durable: boolean,
    autoDelete: boolean,
    owner: string | null,
    options: QueueOptions,
    declaredArguments: Arguments | null,
  ): Promise<QueueEntry> {
    const dir = paths.queue(this.ctx.dataDir, this.name, name, id);
    const queue = await openQueue({
      name,
      options,
      clock: this.ctx.clock,
      storage: {
        openLog: (kind: QueueLogKind, suggested) => this.ctx.openQueueLog(dir, kind, suggested, durable),
        destroy: () => this.ctx.fs.rmrf(dir),
      },
      deadLetter: (m, info) => this.deadLetter(m, info),
      onDamage: (d) => this.ctx.logger.error(describeDamage(fromQueueDamage(this.name, name, d))),
      transient: !durable || owner !== null,
      onIdleExpired: (expired) => {
        // Only that queue: the name may have been deleted and declared again since.
        this.deleteQueueIf(name, (e) => e.queue === expired, 'expired: unused for x-expires').catch((e: unknown) => this.ctx.logger.warn(`expiring queue ${name}: ${(e as Error).message}`));
      },
    });
    const entry: QueueEntry = { name, id, durable, autoDelete, exclusiveOwner: owner, options, declaredArguments, queue, hadConsumer: false };
    this.queues.set(name, entry);
    this.router.addQueue(name);
    return entry;
  }

  private checkOwner(entry: QueueEntry, owner: string | null): void {
    if (entry.exclusiveOwner !== null && entry.exclusiveOwner !== owner) {
      throw new HopperError(
        'RESOURCE_LOCKED',
        `cannot obtain exclusive access to locked queue '${entry.name}' in vhost '${this.name}'. ` +
          'It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.',
      );
    }
  }

  /** The queue, checking exclusivity when an owner (connection id) is given. */
  queueEntry(name: string, owner?: string | null): QueueEntry {
    const e = this.queues.get(name);
    if (!e) throw new HopperError('NOT_FOUND', `no queue '${name}' in vhost '${this.name}'`);
    if (owner !== undefined) this.checkOwner(e, owner);
    return e;
  }

  queue(name: string): Queue {
    return this.queueEntry(name).queue;
  }

  hasQueue(name: string): boolean {
    return this.queues.has(name);
  }

  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  /**
   * Changes a queue's settings and declared arguments at run time (SQS SetQueueAttributes,
   * TagQueue), durably when the queue is durable. The queue checks the change (options whose
   * index shape is fixed at declaration cannot change: INVALID_ARGUMENT) before anything is
   * stored.
   */
  alterQueue(name: string, change: { options?: Partial<QueueOptions>; declaredArguments?: Arguments }): Promise<QueueEntry> {
    return this.locks.run(lockKey('queue', name), async () => {
      const e = this.queueEntry(name);
      const before = e.queue.options;
      const options = change.options === undefined ? before : e.queue.reconfigure(change.options);
      const declaredArguments = change.declaredArguments ?? e.declaredArguments;
      try {
        if (e.durable && e.exclusiveOwner === null) {
          await this.catalogue.putQueue({ vhost: this.name, name, id: e.id, durable: true, autoDelete: e.autoDelete, arguments: queueOptionsToArguments(options), ...(declaredArguments === null ? {} : { declaredArguments }) });
        }
      } catch (err) {
        if (!e.queue.isClosed) e.queue.reconfigure(before);
        throw err;
      }
      e.options = options;
      e.declaredArguments = declaredArguments;
      return e;
    });
  }

  /** Deletes a queue and its files; returns how many messages it held. */
  deleteQueue(name: string, opts: DeleteQueueOptions & { owner?: string | null } = {}): Promise<number> {
    return this.locks.run(lockKey('queue', name), () => this.deleteQueueLocked(name, opts, 'deleted by a client'));
  }

  private async deleteQueueLocked(name: string, opts: DeleteQueueOptions & { owner?: string | null }, reason: string): Promise<number> {
    const e = this.queueEntry(name, opts.owner);
    const stats = e.queue.stats();
    if (opts.ifUnused && stats.consumers > 0) throw new HopperError('IN_USE', `queue '${name}' in vhost '${this.name}' has consumers`);
    if (opts.ifEmpty && stats.ready + stats.inFlight + stats.delayed > 0) throw new HopperError('NOT_EMPTY', `queue '${name}' in vhost '${this.name}' is not empty`);
    this.queues.delete(name);
    for (const fn of this.queueDeletedListeners) fn(e);
    const autoDeleted = this.router.removeQueue(name);
    await Promise.all([e.durable ? this.catalogue.deleteQueue(this.name, name) : null, this.forgetExchanges(autoDeleted)]);
    await e.queue.delete();
    this.logQueue('deleted', e, { reason, messages: stats.ready + stats.inFlight + stats.delayed });
    return stats.ready;
  }

  /**
   * Calls `fn` whenever a queue of this vhost is deleted (by any protocol, x-expires or an
   * exclusive owner closing), so endpoints can tell their consumers (AMQP basic.cancel).
   * Returns the unsubscribe function. Listeners must not throw.
   */
  onQueueDeleted(fn: (entry: QueueEntry) => void): () => void {
    this.queueDeletedListeners.add(fn);
    return () => this.queueDeletedListeners.delete(fn);
  }

  /** Called by protocols after a consumer is cancelled: applies auto-delete. */
  async consumerGone(name: string): Promise<void> {
    await this.deleteQueueIf(name, (e) => e.autoDelete && e.hadConsumer && e.queue.stats().consumers === 0, 'auto-delete: its last consumer went');
  }

  /** Deletes the queue if it exists and passes `test`, both judged under the name's lock. */
  private deleteQueueIf(name: string, test: (e: QueueEntry) => boolean, reason: string): Promise<unknown> {
    return this.locks.run(lockKey('queue', name), async () => {
      const e = this.queues.get(name);
      if (e !== undefined && test(e)) await this.deleteQueueLocked(name, {}, reason);
    });
  }

  /** A connection closed: its exclusive queues go with it. */
  async ownerClosed(owner: string): Promise<void> {
    for (const e of [...this.queues.values()]) {
      if (e.exclusiveOwner === owner) await this.locks.run(lockKey('queue', e.name), () => this.deleteQueueLocked(e.name, { owner }, 'its exclusive owner closed'));
    }
  }

  // ---- topics ----------------------------------------------------------------------------

  /** Creates a topic; ALREADY_EXISTS if there is one of that name. */
  async createTopic(name: string, spec: TopicSpec = {}): Promise<Topic> {
    validateTopicName(name);
    return this.locks.run(lockKey('topic', name), () => this.createTopicLocked(name, spec));
  }

  /**
   * The topic, created with `spec` if there is none (Kafka's auto-creation, AMQP stream
   * declares): concurrent calls for one new name all get the same topic.
   */
  async ensureTopic(name: string, spec: TopicSpec = {}): Promise<Topic> {
    validateTopicName(name);
    return this.locks.run(lockKey('topic', name), async () => this.topics.get(name) ?? this.createTopicLocked(name, spec));
  }

  private async createTopicLocked(name: string, spec: TopicSpec): Promise<Topic> {
    if (this.topics.has(name)) throw new HopperError('ALREADY_EXISTS', `topic '${name}' exists in vhost '${this.name}'`);
    const config = spec.config ?? {};
    const logConfig = this.ctx.topicLogConfig(config); // validates before anything is stored
    const def = await this.catalogue.putTopic({ vhost: this.name, name, partitions: spec.partitions ?? 1, config });
    const topic = await Topic.open(name, paths.topic(this.ctx.dataDir, this.name, name, def.id), def.partitions, logConfig, this.ctx.openTopicLog, this.appends);
    this.topics.set(name, topic);
    this.topicsVersion++;
    this.router.addTopic(name);
    const exchange = recordsExchangeName(name);
    if (exchange !== null) {
      const { exchange: info } = this.router.declareExchange({ name: exchange, type: 'topic', durable: true, internal: true }, { system: true });
      await this.catalogue.putExchange({ vhost: this.name, ...info });
    }
    this.ctx.logger.info(`topic '${name}' in vhost '${this.name}' created`, { event: 'topic.created', vhost: this.name, topic: name, partitions: def.partitions });
    return topic;
  }

  topic(name: string): Topic {
    const t = this.topics.get(name);
    if (!t) throw new HopperError('NOT_FOUND', `no topic '${name}' in vhost '${this.name}'`);
    return t;
  }

  hasTopic(name: string): boolean {
    return this.topics.has(name);
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  deleteTopic(name: string): Promise<void> {
    return this.locks.run(lockKey('topic', name), () => this.deleteTopicLocked(name));
  }

  private async deleteTopicLocked(name: string): Promise<void> {
    const t = this.topic(name);
    this.topics.delete(name);
    this.topicsVersion++;
    for (const fn of this.topicDeletedListeners) fn(t);
    // Waiting Kafka fetches look again now (and answer UNKNOWN_TOPIC_OR_PARTITION).
    t.wakeReaders();
    const autoDeleted = this.router.removeTopic(name);
    const exchange = recordsExchangeName(name);
    if (exchange !== null && this.router.exchange(exchange)) autoDeleted.push(...this.router.deleteExchange(exchange, { system: true }));
    await Promise.all([this.catalogue.deleteTopic(this.name, name), this.forgetExchanges(autoDeleted)]);
    await t.close();
    await this.ctx.fs.rmrf(t.dir);
    await (await this.groupOffsets()).deleteTopic(name);
    this.ctx.logger.info(`topic '${name}' in vhost '${this.name}' deleted`, { event: 'topic.deleted', vhost: this.name, topic: name, partitions: t.partitionCount });
  }

  /**
   * Calls `fn` whenever a topic of this vhost is deleted (Kafka DeleteTopics, AMQP queue.delete
   * of a stream, the embedded API), so endpoints can cancel its readers (AMQP basic.cancel).
   * Returns the unsubscribe function. Listeners must not throw.
   */
  onTopicDeleted(fn: (topic: Topic) => void): () => void {
    this.topicDeletedListeners.add(fn);
    return () => this.topicDeletedListeners.delete(fn);
  }

  addPartitions(name: string, total: number): Promise<void> {
    return this.locks.run(lockKey('topic', name), async () => {
      const t = this.topic(name);
      await t.addPartitions(total);
      this.topicsVersion++;
      const def = this.catalogue.topic(this.name, name);
      if (def) await this.catalogue.putTopic({ ...def, partitions: total });
    });
  }

  alterTopicConfig(name: string, config: TopicConfigs): Promise<void> {
    return this.locks.run(lockKey('topic', name), async () => {
      const t = this.topic(name);
      const logConfig = this.ctx.topicLogConfig(config);
      const def = this.catalogue.topic(this.name, name);
      if (def) await this.catalogue.putTopic({ ...def, config });
      t.reconfigure(logConfig);
    });
  }

  /** Applies the broker's current topic defaults (BrokerContext.topicDefaults) to every topic. */
  refreshTopicConfigs(): void {
    for (const [name, t] of this.topics) {
      try {
        t.reconfigure(this.ctx.topicLogConfig(this.catalogue.topic(this.name, name)?.config ?? {}));
      } catch (e) {
        this.ctx.logger.warn(`topic ${name} in vhost ${this.name} keeps its settings: ${(e as Error).message}`);
      }
    }
  }

  /**
   * Committed consumer-group offsets of this vhost, opened on first use. The promise is kept,
   * not its result: two first uses at once must not open the offsets log twice.
   */
  groupOffsets(): Promise<GroupOffsets> {
    if (this.offsets === null) {
      const opening = (this.offsets = this.ctx.openOffsetsLog(paths.groupOffsets(this.ctx.dataDir, this.name)).then((log) => GroupOffsets.open(log)));
      opening.catch(() => {
        if (this.offsets === opening) this.offsets = null;
      });
    }
    return this.offsets;
  }

  /** Turns record forwarding on for a topic while its records exchange has bindings. */
  private refreshForwarding(topicName: string): void {
    const topic = this.topics.get(topicName);
    const exchange = recordsExchangeName(topicName);
    if (!topic || exchange === null) return;
    const bound = this.router.exchange(exchange) !== undefined && this.router.bindingsFrom(exchange).length > 0;
    topic.forwarder = bound ? (batch) => this.forwardRecords(exchange, batch) : null;
  }

  private async forwardRecords(exchange: string, batch: Buffer): Promise<void> {
    const pending: Promise<unknown>[] = [];
    const dests: Destination[] = [];
    for (const { message } of decodeMessages(batch)) {
      const key = message.key === null ? '' : message.key.toString('utf8');
      message.properties.exchange = exchange;
      message.properties.routingKey = key;
      dests.length = 0;
      for (const d of this.router.routeTrusted(exchange, key, message, dests)) {
        const entry = d.kind === 'queue' ? this.queues.get(d.name) : undefined;
        if (entry) pending.push(entry.queue.publish(message));
      }
    }
    await Promise.all(pending);
  }

  // ---- upkeep ----------------------------------------------------------------------------

  async enforceRetention(): Promise<void> {
    for (const t of this.topics.values()) await t.enforceRetention();
  }

  failures(): string[] {
    const out: string[] = [];
    for (const t of this.topics.values()) out.push(...t.failures());
    return out;
  }

  private readonly damageSources = new Set<() => readonly DamageReport[]>();

  /**
   * Adds storage that is not one of the vhost's queues or topics (Kafka share partitions) to
   * what damage() reports; returns the function that removes it.
   */
  addDamageSource(source: () => readonly DamageReport[]): () => void {
    this.damageSources.add(source);
    return () => this.damageSources.delete(source);
  }

  /** Damaged storage found in this vhost's queues and topics (see damage.ts). */
  damage(): DamageReport[] {
    const out: DamageReport[] = [];
    for (const source of this.damageSources) out.push(...source());
    for (const e of this.queues.values()) {
      for (const { log, damage } of e.queue.logDamage()) out.push(fromLogDamage({ vhost: this.name, kind: 'queue', name: e.name, log }, damage));
      for (const d of e.queue.damage()) out.push(fromQueueDamage(this.name, e.name, d));
    }
    for (const t of this.topics.values()) {
      for (const { partition, damage } of t.damage()) out.push(fromLogDamage({ vhost: this.name, kind: 'topic', name: t.name, partition }, damage));
    }
    return out;
  }

  async close(): Promise<void> {
    this.deadLetters.flush();
    // Declares and deletes under way (an exclusive queue going with its connection) finish first.
    await this.locks.idle();
    const closing: Promise<unknown>[] = [];
    for (const e of this.queues.values()) {
      // Transient and exclusive queues do not outlive the broker.
      closing.push(e.durable ? e.queue.close() : e.queue.delete());
    }
    for (const t of this.topics.values()) closing.push(t.close());
    if (this.offsets) closing.push(this.offsets.then((o) => o.close()));
    const results = await Promise.allSettled(closing);
    this.queues.clear();
    this.topics.clear();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
