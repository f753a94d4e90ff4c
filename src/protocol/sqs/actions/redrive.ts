/** Checks a RedrivePolicy's target: an existing queue of the same kind whose RedriveAllowPolicy admits the source. */
import { SqsError } from '../errors.js';
import { metaOf, redriveAllowed, type RedrivePolicy } from '../queue-attributes.js';
import type { ActionContext } from './types.js';

export function checkRedrive(ctx: ActionContext, source: string, fifo: boolean, p: RedrivePolicy): string {
  const e = ctx.endpoint;
  const dlq = e.nameFromArn(ctx.identity, p.deadLetterTargetArn);
  const bad = (why: string) => new SqsError('InvalidParameterValue', `Value ${JSON.stringify(p)} for parameter RedrivePolicy is invalid. Reason: ${why}`);
  const vhost = e.vhostOf(ctx.identity);
  if (dlq === null || vhost === null || !vhost.hasQueue(dlq)) throw bad('Dead letter target does not exist.');
  const target = vhost.queueEntry(dlq);
  if (target.queue.options.fifo !== fifo) throw bad(fifo ? 'Dead-letter queue must be a FIFO queue for a FIFO source queue.' : 'Dead-letter queue must be a standard queue for a standard source queue.');
  if (!redriveAllowed(metaOf(target), e.arn(ctx.identity, source))) throw bad('Queue ' + p.deadLetterTargetArn + ' does not allow this queue to use it as its dead-letter queue.');
  return dlq;
}
