/**
 * AlterConfigs and IncrementalAlterConfigs on topics and on this broker, with Kafka 3.9's checks
 * and errors: a topic's configs are validated as a whole (INVALID_CONFIG with Kafka's message)
 * and stored in the catalogue; broker configs may be changed only where Kafka allows it at run
 * time (this node, or the cluster-wide default level for most), and a bad broker value is
 * INVALID_REQUEST, as Kafka answers it (KAFKA-13609).
 */
import { HopperError } from '../../../core/errors.js';
import { normalizeValue } from '../../../core/config/def.js';
import { topicConfigDefsByName } from '../../../core/config/topic-defs.js';
import { validateTopicName } from '../../../core/names.js';
import { normalizeTopicConfigs, type TopicConfigs } from '../../../core/topic/config.js';
import { KafkaError } from '../codec/error-codes.js';
import type { ConnectionState } from '../server/handler.js';
import { errorMessage, kafkaCode, type KafkaContext } from '../server/context.js';
import { brokerConfigDefsByName } from './broker-defs.js';
import { groupConfigDefsByName } from './group-defs.js';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
/** A group's configs (KIP-848, KIP-932), set with IncrementalAlterConfigs only, as in Kafka. */
export const RESOURCE_GROUP = 32;

export interface AlterOutcome {
  errorCode: number;
  errorMessage: string | null;
}

/** One IncrementalAlterConfigs operation: SET 0, DELETE 1, APPEND 2, SUBTRACT 3. */
export interface ConfigOp {
  name: string;
  op: number;
  value: string | null;
}

/** A failure with Kafka's error code, thrown inside this module and turned into an outcome. */
class Refused extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

const ok: AlterOutcome = { errorCode: KafkaError.NONE, errorMessage: null };

function outcomeOf(e: unknown): AlterOutcome {
  if (e instanceof Refused) return { errorCode: e.code, errorMessage: e.message };
  return { errorCode: kafkaCode(e), errorMessage: errorMessage(e) };
}

const OPS = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

/** The checks Kafka makes on any IncrementalAlterConfigs resource before looking at it. */
export function checkOps(ops: readonly ConfigOp[]): AlterOutcome | null {
  const names = ops.map((o) => o.name);
  if (new Set(names).size !== names.length) return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'Error due to duplicate config keys' };
  const nulls = ops.filter((o) => o.op !== 1 && o.value === null).map((o) => o.name);
  if (nulls.length > 0) return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `Null value not supported for : ${nulls.join(', ')}` };
  const bad = ops.find((o) => OPS[o.op] === undefined);
  if (bad) return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: `Unknown operations type ${bad.op}` };
  return null;
}

/** A list value's items, without empty ones (Kafka's getParts). */
const parts = (v: string | null | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

/** Applies incremental operations to a set of configs; `isList` and `defaultOf` describe the resource's configs. */
function applyOps(current: Readonly<Record<string, string>>, ops: readonly ConfigOp[], isList: (name: string) => boolean, defaultOf: (name: string) => string | null): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const o of ops) {
    if (o.op === 0) next[o.name] = o.value!;
    else if (o.op === 1) delete next[o.name];
    else {
      if (!isList(o.name)) throw new Refused(KafkaError.INVALID_CONFIG, `Can't ${OPS[o.op]} to key ${o.name} because its type is not LIST.`);
      const list = parts(next[o.name] ?? defaultOf(o.name));
      const items = parts(o.value);
      next[o.name] = (o.op === 2 ? [...list, ...items.filter((i) => !list.includes(i))] : list.filter((i) => !items.includes(i))).join(',');
    }
  }
  return next;
}

// ---- topics ----

/**
 * Replaces a topic's configs (AlterConfigs: `ops` null, `replace` the new set) or changes them
 * (IncrementalAlterConfigs: `ops`), validating the result as Kafka does; stores it unless validateOnly.
 */
export async function alterTopicConfigs(
  kafka: KafkaContext, conn: ConnectionState, name: string, change: { replace: TopicConfigs } | { ops: readonly ConfigOp[] }, validateOnly: boolean,
): Promise<AlterOutcome> {
  try {
    try {
      validateTopicName(name);
    } catch (e) {
      throw new Refused(KafkaError.INVALID_TOPIC_EXCEPTION, errorMessage(e));
    }
    if (!kafka.topic(name)) throw new Refused(KafkaError.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
    if (conn.session) {
      try {
        conn.session.checkTopic(name, 'write');
      } catch (e) {
        throw new Refused(KafkaError.TOPIC_AUTHORIZATION_FAILED, errorMessage(e));
      }
    }
    const current = kafka.broker.catalogue.topic(kafka.options.vhost, name)?.config ?? {};
    let next: TopicConfigs;
    if ('replace' in change) next = { ...change.replace };
    else {
      for (const o of change.ops) if (!topicConfigDefsByName.has(o.name) && o.op !== 2 && o.op !== 3) throw new HopperError('INVALID_CONFIG', `Unknown topic config name: ${o.name}`);
      next = applyOps(current, change.ops, (n) => topicConfigDefsByName.get(n)?.type === 'LIST', (n) => topicConfigDefsByName.get(n)?.defaultValue ?? null);
    }
    const normalized = normalizeTopicConfigs(next);
    kafka.broker.ctx.topicLogConfig(normalized); // the log accepts them with the broker's defaults
    if (!validateOnly) await kafka.vhost.alterTopicConfig(name, normalized);
    return ok;
  } catch (e) {
    return outcomeOf(e);
  }
}

// ---- this broker ----

/** The dynamic level a broker resource name addresses: '' the cluster-wide defaults, else this node. */
function brokerLevel(kafka: KafkaContext, resourceName: string): 'perBroker' | 'clusterDefault' {
  if (resourceName === '') return 'clusterDefault';
  if (!/^-?\d+$/.test(resourceName)) throw new Refused(KafkaError.INVALID_REQUEST, `Node id must be an integer, but it is: ${resourceName}`);
  if (Number(resourceName) !== kafka.node.nodeId) {
    throw new Refused(KafkaError.INVALID_REQUEST, `Unexpected broker id, expected ${kafka.node.nodeId}, but received ${resourceName}`);
  }
  return 'perBroker';
}

/** Kafka's checks of thread-pool resizes: at least 1, at least half and at most double the current value. */
function checkThreadCount(name: string, next: number, current: number): void {
  if (next === current) return;
  const msg = `Dynamic thread count update validation failed for ${name}=${next}`;
  if (next <= 0) throw new HopperError('INVALID_ARGUMENT', `${msg}, value should be at least 1`);
  if (next < current / 2) throw new HopperError('INVALID_ARGUMENT', `${msg}, value should be at least half the current value ${current}`);
  if (next > current * 2) throw new HopperError('INVALID_ARGUMENT', `${msg}, value should not be greater than double the current value ${current}`);
}

const threadPools = new Set(['num.io.threads', 'num.network.threads', 'num.replica.fetchers', 'num.recovery.threads.per.data.dir', 'background.threads']);

/** Validates a whole new set of dynamic configs for one level; returns them in Kafka's text form. */
function validateBrokerConfigs(kafka: KafkaContext, level: 'perBroker' | 'clusterDefault', next: Readonly<Record<string, string>>, changed: readonly string[]): Record<string, string> {
  const fixed = changed.filter((n) => brokerConfigDefsByName.get(n)?.dynamic == null);
  if (fixed.length > 0) throw new Refused(KafkaError.INVALID_REQUEST, `Cannot update these configs dynamically: Set(${fixed.join(', ')})`);
  if (level === 'clusterDefault') {
    const perBrokerOnly = changed.filter((n) => brokerConfigDefsByName.get(n)!.dynamic === 'per-broker');
    if (perBrokerOnly.length > 0) throw new Refused(KafkaError.INVALID_REQUEST, `Cannot update these configs at default cluster level, broker id must be specified: Set(${perBrokerOnly.join(', ')})`);
  }
  for (const n of changed) {
    const why = brokerConfigDefsByName.get(n)!.refuseUpdate;
    if (why !== undefined && n in next) throw new Refused(KafkaError.INVALID_REQUEST, `Cannot update ${n} in Hopper: ${why}`);
  }
  const out: Record<string, string> = {};
  const { perBroker, clusterDefault } = kafka.broker.catalogue.brokerConfigs();
  try {
    for (const [n, v] of Object.entries(next)) {
      const def = brokerConfigDefsByName.get(n)!;
      out[n] = normalizeValue(def, v);
      if (threadPools.has(n) && changed.includes(n)) {
        const current = perBroker[n] ?? clusterDefault[n] ?? def.defaultValue!;
        checkThreadCount(n, Number(out[n]), Number(current));
      }
    }
  } catch (e) {
    // Kafka answers a broker config that fails validation with INVALID_REQUEST (KAFKA-13609).
    throw new Refused(KafkaError.INVALID_REQUEST, errorMessage(e));
  }
  return out;
}

/**
 * Changes this broker's dynamic configs: a whole level replaced (AlterConfigs) or changed
 * (IncrementalAlterConfigs). Only an administrator may, on a connection that logged in.
 */
export async function alterBrokerConfigs(
  kafka: KafkaContext, conn: ConnectionState, resourceName: string, change: { replace: Record<string, string> } | { ops: readonly ConfigOp[] }, validateOnly: boolean,
): Promise<AlterOutcome> {
  try {
    const level = brokerLevel(kafka, resourceName);
    if (conn.session && !conn.session.user.tags.includes('administrator')) {
      throw new Refused(KafkaError.CLUSTER_AUTHORIZATION_FAILED, `user '${conn.session.user.name}' may not change broker configs: it needs the administrator tag`);
    }
    const current = kafka.broker.catalogue.brokerConfigs()[level];
    let next: Record<string, string>;
    let changed: string[];
    if ('replace' in change) {
      next = { ...change.replace };
      changed = [...new Set([...Object.keys(next), ...Object.keys(current)])];
    } else {
      for (const o of change.ops) if (!brokerConfigDefsByName.has(o.name)) throw new HopperError('INVALID_CONFIG', `Unknown config name: ${o.name}`);
      for (const o of change.ops) {
        if ((o.op === 2 || o.op === 3) && brokerConfigDefsByName.get(o.name)!.type !== 'LIST') {
          throw new HopperError('INVALID_CONFIG', `Config value ${o.op === 2 ? 'append' : 'subtract'} is not allowed for config key: ${o.name}`);
        }
      }
      next = applyOps(current, change.ops, () => true, (n) => brokerConfigDefsByName.get(n)?.defaultValue ?? null);
      changed = change.ops.map((o) => o.name);
    }
    const validated = validateBrokerConfigs(kafka, level, next, changed);
    if (!validateOnly) await kafka.broker.setBrokerConfigs(level, validated);
    return ok;
  } catch (e) {
    return outcomeOf(e);
  }
}

// ---- groups ----

/**
 * Changes a group's configs (IncrementalAlterConfigs; LIST operations do not apply to any).
 * Kafka's group configs Hopper does not apply (consumer.*, streams.*) are refused, not stored.
 * A user may change them when it may read the vhost's topics (Kafka: ALTER_CONFIGS on the group).
 */
export async function alterGroupConfigs(kafka: KafkaContext, groupId: string, ops: readonly ConfigOp[], validateOnly: boolean): Promise<AlterOutcome> {
  try {
    if (groupId === '') throw new Refused(KafkaError.INVALID_REQUEST, 'Group id must not be empty.');
    for (const o of ops) {
      const def = groupConfigDefsByName.get(o.name);
      if (def === undefined) throw new Refused(KafkaError.INVALID_CONFIG, `Unknown group config name: ${o.name} (Hopper applies the share.* group configs and hopper.share.dead.letter.topic)`);
      if (o.op === 2 || o.op === 3) throw new Refused(KafkaError.INVALID_CONFIG, `Config value ${o.op === 2 ? 'append' : 'subtract'} is not allowed for config key: ${o.name}`);
      const why = o.op === 0 ? def.check(o.value!) : null;
      if (why !== null) throw new Refused(KafkaError.INVALID_CONFIG, `Invalid value ${o.value} for configuration ${o.name}: ${why}`);
    }
    const vhost = kafka.options.vhost;
    const next = applyOps(kafka.broker.catalogue.groupConfigs(vhost, groupId), ops, () => false, () => null);
    if (!validateOnly) await kafka.broker.catalogue.putGroupConfigs(vhost, groupId, next);
    return ok;
  } catch (e) {
    return outcomeOf(e);
  }
}
