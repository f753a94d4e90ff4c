/**
 * What every Kafka connection of one endpoint shares: the broker and the vhost topics live in,
 * the advertised node, topic ids, waiting fetches, the group coordinator and the memory that
 * large request frames are assembled in. One Hopper node is
 * the whole cluster: node `nodeId` (0 unless set), leader of every partition, controller and
 * group coordinator, with replication factor 1.
 */
import type { Broker } from '../../../core/broker/broker.js';
import type { Vhost } from '../../../core/broker/vhost.js';
import { HopperError } from '../../../core/errors.js';
import type { Topic } from '../../../core/topic/topic.js';
import type { ApiRegistry } from '../api/registry.js';
import { FramePool } from '../codec/frame-pool.js';
import { GroupCoordinator } from '../groups/coordinator.js';
import { ShareCoordinator } from '../groups/share/coordinator.js';
import { ShareStates } from '../../../core/share/share-states.js';
import type { TopicsView } from '../groups/consumer/regex-subscriptions.js';
import { QuotaManager } from '../quotas/manager.js';
import type { KafkaEndpointOptions } from './options.js';
import { topicIdOf } from './topic-ids.js';
import { listenerInfos, type AdvertisedNode, type KafkaListenerInfo } from './listener-info.js';
import { silentLogger, type Logger } from '../../../server/logger.js';

export type { AdvertisedNode } from './listener-info.js';

export class KafkaContext {
  readonly framePool = new FramePool();
  private closed = false;
  /** The wake-ups of fetches waiting now, so that closing the endpoint answers them at once. */
  private readonly fetchWakes = new Set<() => void>();
  readonly groups: GroupCoordinator;
  /** Share groups (KIP-932). */
  readonly share: ShareCoordinator;
  /** Client quotas (AlterClientQuotas), enforced per request by the connections. */
  readonly quotas: QuotaManager;
  /** The main listener's node: its id is every listener's; ask the connection's listener for the address to advertise. */
  readonly node: AdvertisedNode;
  /** Every listener of this broker, the main one first. */
  readonly listeners: readonly KafkaListenerInfo[];
  /** Per-topic id cache, keyed by catalogue id so a re-created topic gets a new one. */
  private readonly ids = new Map<string, { catalogueId: string; id: string }>();
  private readonly names = new Map<string, string>();

  constructor(
    readonly broker: Broker,
    readonly options: KafkaEndpointOptions,
    /** The APIs this endpoint answers: ApiVersions and the framer are read off it. */
    readonly registry: ApiRegistry,
    logger: Logger = silentLogger,
  ) {
    this.listeners = listenerInfos(options);
    this.node = this.listeners[0]!.node;
    this.clusterId = topicIdOf('cluster', broker.dataDir, '');
    this.quotas = new QuotaManager(broker.catalogue, broker.ctx.clock);
    this.groups = new GroupCoordinator({
      clock: broker.ctx.clock,
      minSessionTimeoutMs: options.groupMinSessionTimeoutMs,
      maxSessionTimeoutMs: options.groupMaxSessionTimeoutMs,
      initialRebalanceDelayMs: options.groupInitialRebalanceDelayMs,
      consumer: {
        sessionTimeoutMs: options.groupConsumerSessionTimeoutMs, heartbeatIntervalMs: options.groupConsumerHeartbeatIntervalMs,
        maxSize: options.groupConsumerMaxSize, migrationPolicy: options.groupConsumerMigrationPolicy,
      },
      topics: this.topicsView(),
      isShareGroup: (groupId) => this.share.kind(groupId) !== undefined,
      // A group member dropped by the coordinator is a consumer the broker cancelled.
      onMemberExpired: (groupId, m, reason) =>
        logger.info(`kafka group '${groupId}': member ${m.memberId} removed: ${reason}`, {
          event: 'consumer.cancelled', protocol: 'kafka', group: groupId, memberId: m.memberId, clientId: m.clientId, client: m.clientHost, reason,
        }),
    });
    this.share = this.makeShare();
  }

  private makeShare(): ShareCoordinator {
    return new ShareCoordinator(this.options.share, new ShareStates(this.vhost, this.broker.ctx), this.broker.ctx.clock, {
      partitions: (t) => this.topic(t)?.partitionCount,
      id: (t) => this.topicId(t),
    }, (groupId) => this.groups.kind(groupId), (groupId) => this.broker.catalogue.groupConfigs(this.options.vhost, groupId));
  }

  /**
   * Resolves at the first append to one of the partitions (keys from PartitionWaiters.key; the
   * vhost's topics notify every append, whichever protocol made it), after timeoutMs, or when
   * the endpoint closes, whichever comes first.
   */
  untilAppend(keys: readonly string[], timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        cancel();
        this.fetchWakes.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const cancel = this.vhost.appends.wait(keys, done);
      this.fetchWakes.add(done);
    });
  }

  /** The endpoint is closing: waiting fetches answer now and later ones do not wait. */
  close(): void {
    this.closed = true;
    for (const done of [...this.fetchWakes]) done();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get vhost(): Vhost {
    return this.broker.vhost(this.options.vhost);
  }

  /** The vhost's topics as KIP-848 groups see them (ids, sizes, and a version that moves on any change). */
  private topicsView(): TopicsView {
    const ctx = this;
    return {
      get version() {
        return ctx.vhost.topicsVersion;
      },
      names: () => ctx.vhost.topicNames(),
      describe: (name) => {
        const t = ctx.topic(name);
        return t ? { id: ctx.topicId(name), partitions: t.partitionCount } : undefined;
      },
      nameOf: (id) => ctx.topicNameById(id),
    };
  }

  /** Hopper's cluster id: stable per data directory (derived from its path, 22 chars like Kafka's). */
  readonly clusterId: string;

  topic(name: string): Topic | undefined {
    const v = this.vhost;
    return v.hasTopic(name) ? v.topic(name) : undefined;
  }

  topicId(name: string): string {
    const def = this.broker.catalogue.topic(this.options.vhost, name);
    const catalogueId = def?.id ?? '';
    const cached = this.ids.get(name);
    if (cached && cached.catalogueId === catalogueId) return cached.id;
    const id = topicIdOf(this.options.vhost, name, catalogueId);
    this.ids.set(name, { catalogueId, id });
    this.names.set(id, name);
    return id;
  }

  topicNameById(id: string): string | undefined {
    const cached = this.names.get(id);
    if (cached !== undefined && this.vhost.hasTopic(cached) && this.topicId(cached) === id) return cached;
    for (const name of this.vhost.topicNames()) if (this.topicId(name) === id) return name;
    return undefined;
  }

  /**
   * The topic, auto-created with the default partition count when allowed. Returns an error
   * code when the topic is absent (UNKNOWN_TOPIC_OR_PARTITION) or its name invalid.
   */
  async topicOrCreate(name: string, allowCreate: boolean): Promise<Topic | number> {
    const t = this.topic(name);
    if (t) return t;
    if (!allowCreate || !this.options.autoCreateTopics) return 3; // UNKNOWN_TOPIC_OR_PARTITION
    try {
      // ensureTopic: producers auto-creating one topic at once must all get the same one.
      return await this.vhost.ensureTopic(name, { partitions: this.options.numPartitions });
    } catch (e) {
      return kafkaCode(e);
    }
  }
}

/** The Kafka error code of an exception: a HopperError's mapping, else UNKNOWN_SERVER_ERROR. */
export function kafkaCode(e: unknown): number {
  return e instanceof HopperError ? e.mapping.kafka : -1;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
