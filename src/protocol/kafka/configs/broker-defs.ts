/**
 * The broker configs DescribeConfigs lists for this node: Kafka 3.9's names, types and defaults,
 * the value Hopper's own settings give each (reported as a static broker config where it differs
 * from Kafka's default), and which ones Kafka lets AlterConfigs change at run time, per broker
 * or also as a cluster-wide default. Not every one of Kafka's ~250 broker configs is here: those
 * about clients' view of the cluster and about logs, which clients and tools read.
 */
import { atLeast, between, type ConfigDef, listOf } from '../../../core/config/def.js';
import { validateMetadataVersion } from '../../../core/config/metadata-version.js';
import { dynamicTopicDefaults, topicConfigDefs } from '../../../core/config/topic-defs.js';
import { PRODUCER_EXPIRATION_MS } from '../../../storage/log/producer-state.js';
import type { KafkaContext } from '../server/context.js';
import { MAX_TXN_TIMEOUT_MS } from '../txn/coordinator.js';

/** Kafka's dynamic update levels: per broker only, or per broker and as a cluster-wide default. */
export type DynamicLevel = 'per-broker' | 'cluster';

export interface BrokerConfigDef extends ConfigDef {
  readonly dynamic: DynamicLevel | null;
  /** Hopper's value from its own settings; null or absent where it has none (Kafka's default applies). */
  readonly hopper?: (kafka: KafkaContext) => string | null;
  /** The value in force when no level sets one and Kafka has no default (derived from others, as Kafka derives it). */
  readonly derived?: (kafka: KafkaContext) => string;
  /**
   * Why a dynamic config Kafka accepts is refused here (Hopper cannot change it at run time),
   * or absent when an update is stored (and applied where docs/kafka-configs.md says so).
   */
  readonly refuseUpdate?: string;
}

const INT_MAX = '2147483647';

function def(name: string, type: ConfigDef['type'], defaultValue: string | null, doc: string, more: Partial<BrokerConfigDef> = {}): BrokerConfigDef {
  return { name, type, defaultValue, doc, dynamic: null, ...more };
}

const listenersRefused = 'Hopper\'s Kafka listeners are set by kafka.host, kafka.port and kafka.extraListeners at start-up';
/** Kafka's form of a listener list: NAME://host:port, comma-separated, the main listener first. */
const listenerList = (k: KafkaContext, host: (l: KafkaContext['listeners'][number]) => string): string =>
  k.listeners.map((l) => `${l.name}://${host(l)}:${l.node.port}`).join(',');
const DEFAULT_PROTOCOL_MAP = 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL';

/**
 * Hopper's value of a log config that is one of its broker settings, when it differs from what
 * Kafka's defaults give (log.retention.ms has no default of its own: log.retention.hours gives 7 days).
 */
function staticLog(name: string, k: KafkaContext): string | null {
  const log = k.broker.ctx.staticTopicLogConfig();
  const differs = (v: number, kafka: number): string | null => (v === kafka ? null : String(v));
  switch (name) {
    case 'log.segment.bytes': return differs(log.segmentMaxBytes, 1073741824);
    case 'log.retention.ms': return differs(log.retentionMs, 604800000);
    case 'log.retention.bytes': return differs(log.retentionBytes, -1);
    case 'message.max.bytes': return differs(log.maxBatchBytes, 1048588);
    default: return null;
  }
}

/** The broker synonyms of topic configs (log.retention.ms, log.retention.hours, message.max.bytes, ...). */
function logDefs(): BrokerConfigDef[] {
  const out = new Map<string, BrokerConfigDef>();
  for (const t of topicConfigDefs) {
    for (const s of t.brokerSynonyms) {
      const dynamic = dynamicTopicDefaults.get(s.name) === t ? 'cluster' : null;
      out.set(s.name, { name: s.name, type: s.type, defaultValue: s.defaultValue, doc: s.doc, dynamic, hopper: (k) => staticLog(s.name, k), ...(s.validate ? { validate: s.validate } : {}) });
    }
  }
  return [...out.values()];
}

const threads = (name: string, defaultValue: string, doc: string, dynamic: DynamicLevel | null = 'cluster'): BrokerConfigDef =>
  def(name, 'INT', defaultValue, `${doc} (stored; Hopper runs its work on one event loop and libuv's thread pool).`, { validate: atLeast(1), dynamic });

const sasl = (name: string, type: ConfigDef['type'], defaultValue: string | null, doc: string, more: Partial<BrokerConfigDef> = {}): BrokerConfigDef =>
  def(name, type, defaultValue, `${doc} (stored; Hopper's SASL needs no Kerberos or OAuth login).`, { dynamic: 'per-broker', ...more });

export const brokerConfigDefs: readonly BrokerConfigDef[] = [
  def('broker.id', 'INT', '-1', 'This node\'s id (Hopper\'s node id).', { hopper: (k) => String(k.node.nodeId) }),
  def('node.id', 'INT', '-1', 'This node\'s id in the KRaft quorum (Hopper\'s node id).', { hopper: (k) => String(k.node.nodeId) }),
  def('process.roles', 'LIST', '', 'The roles of this node: Hopper is broker and controller of its one-node cluster.', { validate: listOf('broker', 'controller'), hopper: () => 'broker,controller' }),
  def('listeners', 'STRING', 'PLAINTEXT://:9092', 'The address the Kafka listener binds (Hopper\'s kafka.host and kafka.port).', {
    dynamic: 'per-broker', refuseUpdate: listenersRefused, hopper: (k) => listenerList(k, (l) => l.host),
  }),
  def('advertised.listeners', 'STRING', null, 'The address clients are told to connect to (Hopper\'s kafka.advertisedHost, else kafka.host).', {
    dynamic: 'per-broker', refuseUpdate: listenersRefused,
    // Derived from the listener unless set, as in Kafka: a static config only when advertisedHost is.
    hopper: (k) => (k.listeners.some((l) => l.advertisedHostSet) ? listenerList(k, (l) => l.node.host) : null),
    derived: (k) => listenerList(k, (l) => l.node.host),
  }),
  def('listener.security.protocol.map', 'STRING', 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL', 'Security protocol of each listener name.', {
    dynamic: 'per-broker', refuseUpdate: listenersRefused,
    // Listener names other than the protocols' own (a second PLAINTEXT listener is PLAINTEXT_2) are added.
    hopper: (k) => {
      const own = k.listeners.filter((l) => l.name !== l.securityProtocol);
      return own.length === 0 ? null : [DEFAULT_PROTOCOL_MAP, ...own.map((l) => `${l.name}:${l.securityProtocol}`)].join(',');
    },
  }),
  def('inter.broker.listener.name', 'STRING', null, 'Listener between brokers (none: one node).'),
  def('security.inter.broker.protocol', 'STRING', 'PLAINTEXT', 'Security protocol between brokers (none: one node).'),
  def('controller.listener.names', 'STRING', null, 'Listeners of the KRaft controller (Hopper\'s controller is in-process).'),
  def('inter.broker.protocol.version', 'STRING', '3.9-IV0', 'The protocol version the node speaks to other brokers.', { validate: validateMetadataVersion }),
  def('log.dirs', 'STRING', null, 'Where logs are stored: Hopper\'s data directory.', { hopper: (k) => k.broker.dataDir }),
  def('log.dir', 'STRING', '/tmp/kafka-logs', 'Where logs are stored when log.dirs is unset.'),
  def('num.partitions', 'INT', '1', 'Partitions of auto-created topics and of CreateTopics with -1 (Hopper\'s kafka.numPartitions).', { validate: atLeast(1), hopper: (k) => String(k.options.numPartitions) }),
  def('auto.create.topics.enable', 'BOOLEAN', 'true', 'Create a topic when a client asks for an unknown one (Hopper\'s kafka.autoCreateTopics).', { hopper: (k) => String(k.options.autoCreateTopics) }),
  def('default.replication.factor', 'INT', '1', 'Replication factor of auto-created topics: always 1 on one node.'),
  def('delete.topic.enable', 'BOOLEAN', 'true', 'Whether DeleteTopics may delete topics.'),
  def('auto.leader.rebalance.enable', 'BOOLEAN', 'true', 'Move leadership back to preferred replicas (one node leads every partition).'),
  def('offsets.topic.replication.factor', 'SHORT', '3', 'Replication of committed offsets: 1 on one node.', { validate: atLeast(1), hopper: () => '1' }),
  def('offsets.topic.num.partitions', 'INT', '50', 'Partitions of Kafka\'s offsets topic (Hopper keeps committed offsets in one compacted log per vhost).', { validate: atLeast(1) }),
  def('offsets.retention.minutes', 'INT', '10080', 'How long committed offsets of an empty group are kept (stored; Hopper keeps them until the group or topic is deleted).', { validate: atLeast(1) }),
  def('offset.metadata.max.bytes', 'INT', '4096', 'Largest metadata string stored with a committed offset.'),
  def('transaction.state.log.replication.factor', 'SHORT', '3', 'Replication of transaction state: 1 on one node.', { validate: atLeast(1), hopper: () => '1' }),
  def('transaction.state.log.min.isr', 'INT', '2', 'In-sync replicas of the transaction state log: 1 on one node.', { validate: atLeast(1), hopper: () => '1' }),
  def('transaction.max.timeout.ms', 'INT', '900000', 'Longest transaction timeout a producer may ask for.', { validate: atLeast(1), hopper: () => String(MAX_TXN_TIMEOUT_MS) }),
  def('transactional.id.expiration.ms', 'INT', '604800000', 'How long an idle transactional id is remembered.', { validate: atLeast(1) }),
  def('producer.id.expiration.ms', 'INT', '86400000', 'How long a silent idempotent producer\'s state is kept (Hopper: 7 days).', { validate: atLeast(1), dynamic: 'cluster', hopper: () => String(PRODUCER_EXPIRATION_MS) }),
  def('transaction.partition.verification.enable', 'BOOLEAN', 'true', 'Verify that a transaction added a partition before its records are written (Hopper always does).', { dynamic: 'cluster' }),
  def('group.initial.rebalance.delay.ms', 'INT', '3000', 'How long a new group waits for more members before its first rebalance.', { hopper: (k) => String(k.options.groupInitialRebalanceDelayMs) }),
  def('group.min.session.timeout.ms', 'INT', '6000', 'Shortest session timeout a group member may ask for.', { hopper: (k) => String(k.options.groupMinSessionTimeoutMs) }),
  def('group.max.session.timeout.ms', 'INT', '1800000', 'Longest session timeout a group member may ask for.', { hopper: (k) => String(k.options.groupMaxSessionTimeoutMs) }),
  def('group.max.size', 'INT', INT_MAX, 'Most members a group may have.', { validate: atLeast(1) }),
  def('socket.request.max.bytes', 'INT', '104857600', 'Largest request frame (Hopper\'s kafka maxRequestBytes).', { validate: atLeast(1), hopper: (k) => String(k.options.maxRequestBytes) }),
  def('socket.send.buffer.bytes', 'INT', '102400', 'Socket send buffer (-1: the OS default).'),
  def('socket.receive.buffer.bytes', 'INT', '102400', 'Socket receive buffer (-1: the OS default).'),
  def('connections.max.idle.ms', 'LONG', '600000', 'Idle connections are closed after this long.', { hopper: (k) => String(k.options.connectionsMaxIdleMs) }),
  def('queued.max.requests', 'INT', '500', 'Requests queued for the request handlers.', { validate: atLeast(1) }),
  def('replica.fetch.max.bytes', 'INT', '1048576', 'Bytes per partition a follower fetches (no followers on one node).', { validate: atLeast(0) }),
  def('fetch.max.bytes', 'INT', '57671680', 'Largest Fetch response the broker builds.', { validate: atLeast(1024) }),
  def('max.connections', 'INT', INT_MAX, 'Most open connections (stored).', { validate: atLeast(0), dynamic: 'cluster' }),
  def('max.connections.per.ip', 'INT', INT_MAX, 'Most open connections from one address (stored).', { validate: atLeast(0), dynamic: 'cluster' }),
  def('max.connections.per.ip.overrides', 'STRING', '', 'Per-address connection limits (stored).', { dynamic: 'cluster' }),
  def('max.connection.creation.rate', 'INT', INT_MAX, 'Most new connections per second (stored).', { validate: atLeast(0), dynamic: 'cluster' }),
  threads('num.network.threads', '3', 'Threads reading and writing sockets'),
  threads('num.io.threads', '8', 'Threads handling requests'),
  threads('num.replica.fetchers', '1', 'Threads fetching from leaders'),
  threads('num.recovery.threads.per.data.dir', '1', 'Threads recovering logs at start-up'),
  threads('background.threads', '10', 'Threads for background work'),
  def('log.cleanup.interval.ms', 'LONG', '300000', 'How often retention is checked (Hopper: every minute).', { validate: atLeast(1), hopper: () => '60000' }),
  def('log.cleaner.threads', 'INT', '1', 'Threads compacting logs (stored).', { validate: atLeast(0), dynamic: 'cluster' }),
  def('log.cleaner.dedupe.buffer.size', 'LONG', '134217728', 'Memory for compaction\'s key map (stored).', { dynamic: 'cluster' }),
  def('log.cleaner.io.buffer.size', 'INT', '524288', 'I/O buffer of the log cleaner (stored).', { validate: atLeast(0), dynamic: 'cluster' }),
  def('log.cleaner.io.buffer.load.factor', 'DOUBLE', '0.9', 'Load factor of compaction\'s key map (stored).', { dynamic: 'cluster' }),
  def('log.cleaner.io.max.bytes.per.second', 'DOUBLE', '1.7976931348623157E308', 'I/O rate limit of the log cleaner (stored).', { dynamic: 'cluster' }),
  def('log.cleaner.backoff.ms', 'LONG', '15000', 'Pause of the log cleaner when there is nothing to clean (stored).', { validate: atLeast(0), dynamic: 'cluster' }),
  def('log.cleaner.enable', 'BOOLEAN', 'true', 'Whether compacted topics are compacted.'),
  def('metric.reporters', 'LIST', '', 'Metric reporter classes (stored).', { dynamic: 'cluster' }),
  def('quota.window.num', 'INT', '11', 'Samples kept for client quota rates.', { validate: atLeast(1) }),
  def('quota.window.size.seconds', 'INT', '1', 'Length of each client quota sample.', { validate: atLeast(1) }),
  def('sasl.enabled.mechanisms', 'LIST', 'GSSAPI', 'SASL mechanisms the listener offers.', {
    dynamic: 'per-broker', refuseUpdate: 'Hopper offers PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512', hopper: () => 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
  }),
  sasl('sasl.mechanism.inter.broker.protocol', 'STRING', 'GSSAPI', 'SASL mechanism between brokers'),
  sasl('sasl.kerberos.service.name', 'STRING', null, 'Kerberos service name'),
  sasl('sasl.kerberos.kinit.cmd', 'STRING', '/usr/bin/kinit', 'Kerberos kinit command'),
  sasl('sasl.kerberos.ticket.renew.window.factor', 'DOUBLE', '0.8', 'Share of a Kerberos ticket\'s life before renewal'),
  sasl('sasl.kerberos.ticket.renew.jitter', 'DOUBLE', '0.05', 'Random jitter added to Kerberos renewal'),
  sasl('sasl.kerberos.min.time.before.relogin', 'LONG', '60000', 'Least time between Kerberos relogins'),
  sasl('sasl.kerberos.principal.to.local.rules', 'LIST', 'DEFAULT', 'Rules mapping Kerberos principals to short names'),
  sasl('sasl.login.refresh.window.factor', 'DOUBLE', '0.8', 'Share of a login credential\'s life before refresh', { validate: between(0.5, 1.0) }),
  sasl('sasl.login.refresh.window.jitter', 'DOUBLE', '0.05', 'Random jitter added to login refresh', { validate: between(0, 0.25) }),
  sasl('sasl.login.refresh.min.period.seconds', 'SHORT', '60', 'Least time between login refreshes', { validate: between(0, 900) }),
  sasl('sasl.login.refresh.buffer.seconds', 'SHORT', '300', 'Time kept before a credential expires when refreshing', { validate: between(0, 3600) }),
  ...logDefs(),
];

export const brokerConfigDefsByName: ReadonlyMap<string, BrokerConfigDef> = new Map(brokerConfigDefs.map((d) => [d.name, d]));

/** Kafka's synonyms of a broker config: the names that set the same thing, in precedence order. */
export function brokerSynonymNames(name: string): string[] {
  switch (name) {
    case 'log.roll.ms': case 'log.roll.hours': return ['log.roll.ms', 'log.roll.hours'];
    case 'log.roll.jitter.ms': case 'log.roll.jitter.hours': return ['log.roll.jitter.ms', 'log.roll.jitter.hours'];
    case 'log.flush.interval.ms': return ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'];
    case 'log.retention.ms': case 'log.retention.minutes': case 'log.retention.hours': return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'];
    default: return [name];
  }
}
