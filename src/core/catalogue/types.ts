/**
 * The definitions the catalogue keeps: everything durable, nothing transient. Definitions are
 * immutable values; a change replaces them.
 */
import type { Arguments } from '../exchange/arguments.js';
import type { Destination } from '../exchange/destination.js';
import type { ExchangeInfo } from '../exchange/exchange.js';
import type { JsonValue } from './typed-json.js';

export interface VhostDef {
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
}

export interface ExchangeDef extends ExchangeInfo {
  readonly vhost: string;
}

export interface QueueDef {
  readonly vhost: string;
  readonly name: string;
  /** Unique per incarnation: a queue deleted and redeclared gets a new id (and new files). */
  readonly id: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  /**
   * The queue's settings as a typed table (AMQP x-arguments, SQS attributes): the queue module
   * defines the keys; the catalogue stores them as they are.
   */
  readonly arguments: Arguments;
  /**
   * The arguments as the protocol declared the queue (AMQP x-arguments with their types), for
   * RabbitMQ's equivalence check on a re-declare and its queue type. Absent in catalogues
   * written before they were kept.
   */
  readonly declaredArguments?: Arguments;
}

/** What putQueue takes: the id is assigned when absent; exclusive queues are never stored. */
export interface QueueInput extends Omit<QueueDef, 'id'> {
  readonly id?: string;
  /** Exclusive queues die with their connection, so they never outlive a restart. */
  readonly exclusive?: boolean;
}

export interface TopicDef {
  readonly vhost: string;
  readonly name: string;
  readonly id: string;
  readonly partitions: number;
  /** Kafka topic configs in their string form (see src/core/topic/config.ts). */
  readonly config: Readonly<Record<string, string>>;
}

export type TopicInput = Omit<TopicDef, 'id'> & { readonly id?: string };

export interface BindingDef {
  readonly vhost: string;
  readonly source: string;
  readonly destination: Destination;
  readonly routingKey: string;
  readonly arguments: Arguments;
}

/** RabbitMQ's apply-to, plus topics. */
export type PolicyApplyTo = 'all' | 'exchanges' | 'queues' | 'topics';
export const policyApplyTos: readonly PolicyApplyTo[] = ['all', 'exchanges', 'queues', 'topics'];

export interface PolicyDef {
  readonly vhost: string;
  readonly name: string;
  /** A regex over object names, unanchored as in RabbitMQ (write '^' and '$' as needed). */
  readonly pattern: string;
  readonly applyTo: PolicyApplyTo;
  /** Keys and values the queue/exchange/topic modules interpret (e.g. "max-length": 1000). */
  readonly definition: Readonly<Record<string, JsonValue>>;
  /** The highest-priority matching policy applies (ties: the first name in code-unit order). */
  readonly priority: number;
}

/**
 * Kafka's dynamic broker configs (AlterConfigs on a broker resource), in their text form: those
 * set for this node, and the cluster-wide defaults (empty resource name). Kept here so they
 * survive a restart, as Kafka keeps them in its metadata log.
 */
export interface BrokerConfigsDef {
  readonly perBroker: Readonly<Record<string, string>>;
  readonly clusterDefault: Readonly<Record<string, string>>;
}

/**
 * Kafka's dynamic group configs (IncrementalAlterConfigs on a GROUP resource) of one group of a
 * vhost, in their text form (share.auto.offset.reset and the like), kept so they survive a
 * restart as Kafka keeps them in its metadata log.
 */
export interface GroupConfigsDef {
  readonly vhost: string;
  readonly group: string;
  readonly configs: Readonly<Record<string, string>>;
}

/**
 * One Kafka client quota entity and its quotas. The entity maps entity types (user, client-id,
 * ip) to a name, or to null for that type's default entity; values map quota keys
 * (producer_byte_rate, consumer_byte_rate, request_percentage, ...) to numbers.
 */
export interface ClientQuotaDef {
  readonly entity: Readonly<Record<string, string | null>>;
  readonly values: Readonly<Record<string, number>>;
}
