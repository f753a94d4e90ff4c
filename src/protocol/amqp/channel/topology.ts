/**
 * The exchange and queue classes: declare, delete, bind, unbind, purge, each a thin mapping
 * onto Session (which checks permissions) and Vhost (which enforces names, equivalence,
 * exclusivity). A queue declared with x-queue-type=stream is a topic; binding to or deleting a
 * stream reaches the topic.
 */
import { isHopperError } from '../../../core/errors.js';
import { assertEquivalent, resolveExchangeSpec } from '../../../core/exchange/exchange.js';
import { exchangeType } from '../../../core/exchange/types.js';
import type { Destination } from '../../../core/exchange/destination.js';
import { isReservedName } from '../../../core/names.js';
import type { MethodByName } from '../codec/methods/registry.js';
import { ReplyCode } from '../codec/reply-codes.js';
import { channelError, connectionError, preconditionFailed } from '../mapping/errors.js';
import { assertQueueEquivalent } from '../mapping/equivalence.js';
import { queueSpecFromArguments } from '../mapping/queue-arguments.js';
import type { Channel } from './channel.js';

/** The plugin's type name; here any exchange honours x-delay, so it declares x-delayed-type. */
const DELAYED_TYPE = 'x-delayed-message';

export async function declareExchange(ch: Channel, m: MethodByName<'exchange.declare'>): Promise<void> {
  const { session } = ch.host;
  const vhost = session.vhost;
  if (m.passive) {
    vhost.exchange(m.exchange);
  } else {
    let type = m.type;
    if (type === DELAYED_TYPE) {
      const t = m.arguments['x-delayed-type'];
      if (t?.type !== 'string') throw preconditionFailed("Invalid argument, 'x-delayed-type' must be an existing exchange type");
      type = t.value;
    }
    if (exchangeType(type) === undefined) throw connectionError(ReplyCode.COMMAND_INVALID, `unknown exchange type '${m.type}'`);
    const spec = { name: m.exchange, type, durable: m.durable, autoDelete: m.autoDelete, internal: m.internal, arguments: m.arguments };
    const existing = vhost.router.exchange(m.exchange);
    if (existing !== undefined && isReservedName(m.exchange)) {
      // amq.* may be redeclared as it is (RabbitMQ checks the reserved prefix only on create).
      assertEquivalent(vhost.name, existing, resolveExchangeSpec(spec));
    } else {
      await session.declareExchange(spec);
    }
  }
  if (!m.nowait) ch.send({ method: 'exchange.declare-ok' });
}

export async function deleteExchange(ch: Channel, m: MethodByName<'exchange.delete'>): Promise<void> {
  await ch.host.session.deleteExchange(m.exchange, { ifUnused: m.ifUnused });
  if (!m.nowait) ch.send({ method: 'exchange.delete-ok' });
}

export async function bindExchange(ch: Channel, m: MethodByName<'exchange.bind' | 'exchange.unbind'>): Promise<void> {
  const { session } = ch.host;
  const dest: Destination = { kind: 'exchange', name: m.destination };
  if (m.method === 'exchange.bind') {
    await session.bind(m.source, dest, m.routingKey, m.arguments);
    if (!m.nowait) ch.send({ method: 'exchange.bind-ok' });
  } else {
    await session.unbind(m.source, dest, m.routingKey, m.arguments);
    if (!m.nowait) ch.send({ method: 'exchange.unbind-ok' });
  }
}

export async function declareQueue(ch: Channel, m: MethodByName<'queue.declare'>): Promise<void> {
  const { session, connectionId } = ch.host;
  const vhost = session.vhost;
  let name = m.queue;
  let messages = 0;
  let consumers = 0;
  if (m.passive) {
    if (name === '') name = ch.defaultQueue();
    if (!vhost.hasTopic(name) || vhost.hasQueue(name)) {
      const e = vhost.queueEntry(name, connectionId);
      const s = e.queue.stats();
      messages = s.ready;
      consumers = s.consumers;
    }
  } else {
    // A re-declare is checked against the queue first, as RabbitMQ does (405 / 406 with its texts).
    if (name !== '' && vhost.hasQueue(name)) assertQueueEquivalent(vhost.queueEntry(name), m, connectionId, vhost.name);
    const spec = queueSpecFromArguments(m.arguments, name, vhost.name);
    if (spec.type === 'stream') {
      if (!m.durable || m.exclusive || m.autoDelete || name === '') {
        throw preconditionFailed(`invalid property for stream '${name}': streams are named, durable, not exclusive and not auto-delete`);
      }
      if (vhost.hasQueue(name)) throw inequivalentType(name, vhost.name, 'stream', 'classic');
      ch.host.ctx.broker.access.check(session.user.name, vhost.name, 'configure', name);
      // A RabbitMQ stream keeps its data until x-max-age / x-max-length-bytes say otherwise,
      // unlike a Kafka topic (7 days by default): declared here, it keeps it. ensureTopic:
      // clients declaring one new stream at once all get the same topic.
      await vhost.ensureTopic(name, { partitions: 1, config: { 'retention.ms': '-1' } });
    } else {
      if (name !== '' && vhost.hasTopic(name) && !vhost.hasQueue(name)) throw inequivalentType(name, vhost.name, spec.type, 'stream');
      const e = await session.declareQueue(name, {
        durable: m.durable,
        autoDelete: m.autoDelete,
        exclusiveOwner: m.exclusive ? connectionId : null,
        options: spec.options,
        declaredArguments: m.arguments,
      });
      if (m.exclusive && ch.host.isClosed) {
        // The connection went while the queue was being created, after its exclusive queues
        // were deleted: this one goes too.
        await vhost.deleteQueue(e.name, { owner: connectionId }).catch(() => undefined);
        return;
      }
      e.queue.touch();
      name = e.name;
      const s = e.queue.stats();
      messages = s.ready;
      consumers = s.consumers;
    }
  }
  ch.lastQueue = name;
  if (!m.nowait) ch.send({ method: 'queue.declare-ok', queue: name, messageCount: messages, consumerCount: consumers });
}

function inequivalentType(queue: string, vhost: string, received: string, current: string) {
  return preconditionFailed(`inequivalent arg 'x-queue-type' for queue '${queue}' in vhost '${vhost}': received '${received}' but current is '${current}'`);
}

/** A queue name as a binding destination: a stream is its topic. */
function destinationOf(ch: Channel, name: string): Destination {
  const vhost = ch.host.session.vhost;
  if (!vhost.hasQueue(name) && vhost.hasTopic(name)) return { kind: 'topic', name };
  // Exclusive queues are bound only by their owner (405 otherwise).
  if (vhost.hasQueue(name)) vhost.queueEntry(name, ch.host.connectionId);
  return { kind: 'queue', name };
}

export async function bindQueue(ch: Channel, m: MethodByName<'queue.bind' | 'queue.unbind'>): Promise<void> {
  const { session } = ch.host;
  const name = m.queue === '' ? ch.defaultQueue() : m.queue;
  const dest = destinationOf(ch, name);
  if (m.method === 'queue.bind') {
    await session.bind(m.exchange, dest, m.routingKey, m.arguments);
    if (!m.nowait) ch.send({ method: 'queue.bind-ok' });
  } else {
    await session.unbind(m.exchange, dest, m.routingKey, m.arguments);
    ch.send({ method: 'queue.unbind-ok' });
  }
}

export async function purgeQueue(ch: Channel, m: MethodByName<'queue.purge'>): Promise<void> {
  const name = m.queue === '' ? ch.defaultQueue() : m.queue;
  const n = await ch.host.session.purgeQueue(name, ch.host.connectionId);
  if (!m.nowait) ch.send({ method: 'queue.purge-ok', messageCount: n });
}

export async function deleteQueue(ch: Channel, m: MethodByName<'queue.delete'>): Promise<void> {
  const { session, connectionId } = ch.host;
  const vhost = session.vhost;
  const name = m.queue === '' ? ch.defaultQueue() : m.queue;
  let n = 0;
  // delete-ok goes out before the basic.cancel notifications the delete causes (RabbitMQ).
  const resume = ch.host.cancelNotices.hold();
  try {
    if (!vhost.hasQueue(name) && vhost.hasTopic(name)) {
      ch.host.ctx.broker.access.check(session.user.name, vhost.name, 'configure', name);
      await vhost.deleteTopic(name);
    } else {
      try {
        n = await session.deleteQueue(name, { ifUnused: m.ifUnused, ifEmpty: m.ifEmpty, owner: connectionId });
      } catch (e) {
        // Deleting a queue that does not exist succeeds (RabbitMQ 3.x+), after the permission check.
        if (!isHopperError(e, 'NOT_FOUND')) throw e;
      }
    }
    if (!m.nowait) ch.send({ method: 'queue.delete-ok', messageCount: n });
  } finally {
    resume();
  }
}

export function noPreviousQueue() {
  return channelError(ReplyCode.NOT_FOUND, 'no previously declared queue');
}
