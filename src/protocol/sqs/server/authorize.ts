/**
 * Hopper's permissions applied to SQS requests (the table is src/protocol/sqs/auth/permissions.ts,
 * RabbitMQ's configure/write/read model on the vhost the account and region map to): runs
 * after authentication and before the action, so a refused request changes nothing.
 *
 * A vhost that does not exist yet (an account's first CreateQueue in a region other than the
 * default one) has no permissions to check: CreateQueue creates it and gives its creator full
 * permissions there (SqsEndpoint.ensureVhost); every other action finds no queue in it.
 */
import type { AccessControl } from '../../../core/auth/access-control.js';
import { checkSqsAccess } from '../auth/permissions.js';
import type { Input } from '../actions/types.js';
import type { SqsEndpoint } from '../endpoint.js';
import { SqsError } from '../errors.js';
import type { SqsIdentity } from './authenticate.js';

export function authorize(access: AccessControl, endpoint: SqsEndpoint, who: SqsIdentity, action: string, input: Input, host: string): SqsError | null {
  const vhost = endpoint.vhostName(who.accountId, who.region);
  if (!endpoint.broker.vhostNames().includes(vhost)) return null;
  const queue = queueOf(endpoint, action, input);
  const refused = checkSqsAccess(access, who.user, vhost, { action, queue, deadLetterQueue: deadLetterQueueOf(input) }, typeof input['QueueUrl'] === 'string' ? input['QueueUrl'] : `http://${host}/`);
  return refused === null ? null : new SqsError({ type: refused.code, code: refused.code, status: refused.status, sender: true }, refused.message);
}

function queueOf(endpoint: SqsEndpoint, action: string, input: Input): string | undefined {
  if (action === 'CreateQueue' || action === 'GetQueueUrl') return typeof input['QueueName'] === 'string' ? input['QueueName'] : undefined;
  const url = input['QueueUrl'] ?? input['SourceArn'];
  if (typeof url !== 'string') return undefined;
  try {
    return url.startsWith('arn:') ? url.slice(url.lastIndexOf(':') + 1) : endpoint.parseQueueUrl(url).name;
  } catch {
    return undefined; // a malformed URL: the action answers it (InvalidAddress)
  }
}

/** The dead-letter queue a RedrivePolicy attribute names (its ARN's last part), if any. */
function deadLetterQueueOf(input: Input): string | undefined {
  const attrs = input['Attributes'];
  if (typeof attrs !== 'object' || attrs === null) return undefined;
  const policy = (attrs as Record<string, unknown>)['RedrivePolicy'];
  if (typeof policy !== 'string' || policy === '') return undefined;
  try {
    const arn = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
    return typeof arn === 'string' ? arn.slice(arn.lastIndexOf(':') + 1) : undefined;
  } catch {
    return undefined; // malformed: the action refuses it (InvalidAttributeValue)
  }
}
