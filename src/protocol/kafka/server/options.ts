/** Settings of the Kafka endpoint. Units are last in every name. */
export interface KafkaEndpointOptions {
  /** Address the listener binds to; also advertised in Metadata unless advertisedHost is set. */
  host: string;
  /** 0 picks an ephemeral port (tests). */
  port: number;
  /** Host clients are told to connect to (Metadata, FindCoordinator). Default: host (0.0.0.0, :: and localhost → 127.0.0.1). */
  advertisedHost?: string;
  /** The vhost Kafka topics live in. */
  vhost: string;
  /** Create a topic on Metadata or Produce for an unknown name (Kafka's auto.create.topics.enable). */
  autoCreateTopics: boolean;
  /** Partitions of an auto-created topic, and of CreateTopics with -1 (Kafka's num.partitions). */
  numPartitions: number;
  /**
   * Refuse every request but ApiVersions and SASL until the client has authenticated with
   * SASL PLAIN (a Hopper user; its permissions on the vhost then apply to every topic).
   * When false, unauthenticated clients have full access, as Kafka's PLAINTEXT listener.
   */
  saslRequired: boolean;
  /** Requests decoded and not yet answered, per connection; reading pauses beyond it. */
  maxInFlightRequests: number;
  /** Request bytes decoded and not yet answered, per connection; reading pauses beyond it (one request is always admitted). */
  maxInFlightBytes: number;
  /** The most record bytes one Fetch answers with, whatever its maxBytes (Kafka's fetch.max.bytes). */
  fetchMaxBytes: number;
  /** Response bytes written and not yet sent to the client; no further request starts beyond it. */
  maxUnsentResponseBytes: number;
  /** A connection with no request for this long and nothing in flight is closed (Kafka's connections.max.idle.ms). */
  connectionsMaxIdleMs: number;
  /** Largest request frame (Kafka's socket.request.max.bytes). */
  maxRequestBytes: number;
  /** Group members whose session timeout falls outside these bounds are refused (Kafka's group.*.session.timeout.ms). */
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  /** How long a new group waits for more members before its first rebalance completes (group.initial.rebalance.delay.ms). */
  groupInitialRebalanceDelayMs: number;
  /** This broker's node id in Metadata, FindCoordinator and DescribeCluster (Kafka's node.id). */
  nodeId: number;
  /** Open connections; further ones are closed at once (Kafka's max.connections). 0: no limit. */
  maxConnections: number;
  /** Open connections from one client address; further ones are closed at once (Kafka's max.connections.per.ip). 0: no limit. */
  maxConnectionsPerAddress: number;
  /**
   * Largest request frame before authentication when saslRequired, and of SaslHandshake and
   * SaslAuthenticate always (Kafka's sasl.server.max.receive.size): checked on the size prefix,
   * before anything of the frame is kept.
   */
  saslMaxRequestBytes: number;
  /** KIP-848 groups: a member silent this long is fenced (Kafka's group.consumer.session.timeout.ms). */
  groupConsumerSessionTimeoutMs: number;
  /** KIP-848 groups: how often members are told to heartbeat (group.consumer.heartbeat.interval.ms). */
  groupConsumerHeartbeatIntervalMs: number;
  /** KIP-848 groups: most members of one group (group.consumer.max.size; Kafka's default is unbounded). */
  groupConsumerMaxSize: number;
  /** Which non-empty groups convert between the classic and KIP-848 protocols (group.consumer.migration.policy). */
  groupConsumerMigrationPolicy: 'bidirectional' | 'upgrade' | 'downgrade' | 'disabled';
  /** Share groups (KIP-932): see docs and ../groups/share/. */
  share: ShareGroupOptions;
  /**
   * More listeners of this same broker (Kafka's `listeners` beyond the first), each with its own
   * address and SASL setting; everything else (groups, transactions, quotas, producer ids) is
   * shared, so a client sees the same broker whichever listener it connects through.
   */
  extraListeners: KafkaExtraListenerOptions[];
}

/** One more listener of the broker: only what Kafka sets per listener. */
export interface KafkaExtraListenerOptions {
  /** Address it binds to. Default: the main listener's host. */
  host?: string;
  /** 0 picks an ephemeral port (tests). */
  port: number;
  /** Host clients connecting through it are told to use. Default: as for the main listener. */
  advertisedHost?: string;
  /** As KafkaEndpointOptions.saslRequired, for connections through this listener. */
  saslRequired: boolean;
  /** Its name in the listeners broker configs. Default: its security protocol, numbered when taken. */
  name?: string;
}

/** Share groups' settings, under Kafka's names (they are group configs there, broker-wide here). */
export interface ShareGroupOptions {
  /** group.share.record.lock.duration.ms: how long an acquired record stays locked to its member. */
  recordLockDurationMs: number;
  /** group.share.delivery.count.limit: deliveries of a record before it is archived. */
  deliveryCountLimit: number;
  /** group.share.partition.max.record.locks: most records acquired at once per share partition. */
  partitionMaxRecordLocks: number;
  /** group.share.session.timeout.ms: a member silent this long is removed. */
  sessionTimeoutMs: number;
  /** group.share.heartbeat.interval.ms. */
  heartbeatIntervalMs: number;
  /** group.share.max.size: most members of one share group. */
  maxSize: number;
  /** group.share.max.groups: most share groups (each holds members, sessions and open share partitions). */
  maxGroups: number;
  /** share.auto.offset.reset: where a new share partition starts. */
  autoOffsetReset: 'latest' | 'earliest';
  /** share.isolation.level. */
  isolationLevel: 'read_uncommitted' | 'read_committed';
  /**
   * Beyond Kafka (hopper.share.dead.letter.topic): the topic that records a share group rejects
   * or that pass the delivery limit are appended to, instead of only being archived; `{group}`
   * is replaced by the group id. null: none.
   */
  deadLetterTopic: string | null;
}

export const defaultShareGroupOptions: ShareGroupOptions = {
  recordLockDurationMs: 30_000,
  deliveryCountLimit: 5,
  partitionMaxRecordLocks: 2_000,
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 5_000,
  maxSize: 200,
  maxGroups: 10,
  autoOffsetReset: 'latest',
  isolationLevel: 'read_uncommitted',
  deadLetterTopic: null,
};

export const defaultKafkaEndpointOptions: KafkaEndpointOptions = {
  host: '127.0.0.1',
  port: 9092,
  vhost: '/',
  autoCreateTopics: true,
  numPartitions: 1,
  saslRequired: false,
  maxInFlightRequests: 64,
  maxInFlightBytes: 64 * 1024 * 1024,
  maxUnsentResponseBytes: 16 * 1024 * 1024,
  fetchMaxBytes: 57_671_680,
  connectionsMaxIdleMs: 600_000,
  maxRequestBytes: 100 * 1024 * 1024,
  groupMinSessionTimeoutMs: 1_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupInitialRebalanceDelayMs: 3_000,
  nodeId: 0,
  maxConnections: 10_000,
  maxConnectionsPerAddress: 1_000,
  saslMaxRequestBytes: 512 * 1024,
  groupConsumerSessionTimeoutMs: 45_000,
  groupConsumerHeartbeatIntervalMs: 5_000,
  groupConsumerMaxSize: 10_000,
  groupConsumerMigrationPolicy: 'bidirectional',
  share: defaultShareGroupOptions,
  extraListeners: [],
};
