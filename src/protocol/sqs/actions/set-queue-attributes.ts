/** SetQueueAttributes: changes take effect at once (durably) through Vhost.alterQueue. */
import type { QueueOptions } from '../../../core/queue/options.js';
import { missing } from '../errors.js';
import { metaOf, metaToArguments, parseAttributes } from '../queue-attributes.js';
import { optStringMap, reqString } from './input.js';
import { checkRedrive } from './redrive.js';
import type { Action } from './types.js';

export const setQueueAttributes: Action = async (ctx, input) => {
  const { vhost, entry, name } = ctx.endpoint.resolve(ctx.identity, reqString(input, 'QueueUrl'));
  const attrs = optStringMap(input, 'Attributes');
  if (attrs === undefined) throw missing('Attributes');
  const fifo = entry.queue.options.fifo;
  const parsed = parseAttributes(attrs, fifo, false);
  const options: Partial<QueueOptions> = { ...parsed.options };
  if (parsed.redrive === null) Object.assign(options, { maxDeliveries: null, deadLetterTarget: null });
  else if (parsed.redrive !== undefined) {
    const dlq = checkRedrive(ctx, name, fifo, parsed.redrive);
    Object.assign(options, { maxDeliveries: parsed.redrive.maxReceiveCount, deadLetterTarget: { exchange: '', routingKey: dlq } });
  }
  const meta = metaOf(entry);
  const stored = { ...meta.attributes };
  for (const [k, v] of Object.entries(parsed.stored)) {
    if (v === '') delete stored[k];
    else stored[k] = v;
  }
  await vhost.alterQueue(name, { options, declaredArguments: metaToArguments({ ...meta, attributes: stored, modifiedMs: ctx.endpoint.now() }, entry.declaredArguments) });
  return {};
};
