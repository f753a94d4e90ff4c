/**
 * basic.consume: on a queue (QueueConsumer), on a stream (StreamConsumer, reading the topic),
 * or on amq.rabbitmq.reply-to (ReplyConsumer). Consumer tags are unique per channel; reusing
 * one is a connection error (530), as in RabbitMQ.
 */
import { randomBytes } from 'node:crypto';
import type { MethodByName } from '../codec/methods/registry.js';
import { ReplyCode } from '../codec/reply-codes.js';
import { connectionError, preconditionFailed } from '../mapping/errors.js';
import { asInteger, isQuorum } from '../mapping/queue-arguments.js';
import type { Channel } from './channel.js';
import { QueueConsumer, ReplyConsumer } from './consumer.js';
import { REPLY_TO_QUEUE } from './direct-reply.js';
import { startStreamConsumer } from './stream-consumer.js';

export function consume(ch: Channel, m: MethodByName<'basic.consume'>): Promise<void> | void {
  const tag = m.consumerTag === '' ? 'amq.ctag-' + randomBytes(16).toString('base64url') : m.consumerTag;
  if (ch.consumers.has(tag)) throw connectionError(ReplyCode.NOT_ALLOWED, `attempt to reuse consumer tag '${tag}'`);
  if (m.queue === REPLY_TO_QUEUE) {
    if (!m.noAck) throw preconditionFailed('reply consumer cannot acknowledge');
    if (ch.replyConsumer !== null) throw preconditionFailed('reply consumer already set');
    const rc = new ReplyConsumer(ch, tag);
    ch.replyConsumer = rc;
    ch.addConsumer(rc);
    if (!m.nowait) ch.send({ method: 'basic.consume-ok', consumerTag: tag });
    return;
  }
  const { session, connectionId } = ch.host;
  const vhost = session.vhost;
  const name = m.queue === '' ? ch.defaultQueue() : m.queue;
  const p = m.arguments['x-priority'];
  const priority = p === undefined ? 0 : asInteger(p);
  if (priority === undefined) throw preconditionFailed(`invalid x-priority ${JSON.stringify(p)}: must be an integer`);
  if (!vhost.hasQueue(name) && vhost.hasTopic(name)) return startStreamConsumer(ch, m, name, tag);

  const c = new QueueConsumer(ch, tag, name, m.noAck, isQuorum(vhost.queueEntry(name)));
  const core = session.consume(
    name,
    {
      prefetchCount: m.noAck ? 0 : ch.consumerPrefetchCount,
      prefetchBytes: m.noAck ? 0 : ch.consumerPrefetchBytes,
      priority,
      exclusive: m.exclusive,
      autoAck: m.noAck,
      tag,
    },
    c.onDelivery,
    connectionId,
  );
  c.attach(core, vhost.queue(name));
  ch.addConsumer(c);
  if (!m.nowait) ch.send({ method: 'basic.consume-ok', consumerTag: tag });
  if (ch.isPaused) c.setPaused(true);
  c.start();
}
