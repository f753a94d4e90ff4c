/**
 * Which Hopper permission each SQS action needs: RabbitMQ's configure / write / read on the
 * queue, in the vhost that holds the account's queues, so that one user's rights are the same
 * whether it speaks AMQP, Kafka or SQS. The rows follow RabbitMQ's own table for the AMQP
 * operation that does the same thing:
 *
 * | SQS action                                          | needs                  | as in RabbitMQ              |
 * |-----------------------------------------------------|------------------------|-----------------------------|
 * | CreateQueue, DeleteQueue, SetQueueAttributes,       | configure on the queue | queue.declare, queue.delete |
 * |   TagQueue, UntagQueue, AddPermission,              |                        |   (changing what a queue is)|
 * |   RemovePermission                                  |                        |                             |
 * | SendMessage, SendMessageBatch                       | write on the queue     | basic.publish (to it)       |
 * | ReceiveMessage, DeleteMessage(Batch),               | read on the queue      | basic.get / consume / ack   |
 * |   ChangeMessageVisibility(Batch)                    |                        |                             |
 * | PurgeQueue                                          | read on the queue      | queue.purge                 |
 * | GetQueueUrl, GetQueueAttributes, ListQueueTags,     | access to the vhost    | queue.declare passive=true  |
 * |   ListDeadLetterSourceQueues, ListQueues,           |   only                 |   (existence and counts,    |
 * |   ListMessageMoveTasks                              |                        |   no resource permission)   |
 * | StartMessageMoveTask, CancelMessageMoveTask         | read on the source,    | moving = consuming from the |
 * |                                                     | write on destinations  |   DLQ, publishing elsewhere |
 *
 * A redrive policy (CreateQueue or SetQueueAttributes with RedrivePolicy) also needs write on
 * the dead-letter queue and read on the queue itself, as RabbitMQ asks of a queue declared with
 * x-dead-letter-exchange: it lets the queue's messages be moved there.
 *
 * Every action, even the read-only ones, needs a permission entry on the vhost (RabbitMQ's
 * connection.open rule). A refusal is AccessDenied (403), with SQS's message.
 */
import type { AccessControl } from '../../../core/auth/access-control.js';
import type { Permission } from '../../../core/auth/types.js';
import { accessDenied, type SigV4Failure } from './errors.js';

export const sqsActionPermission = {
  CreateQueue: 'configure',
  DeleteQueue: 'configure',
  SetQueueAttributes: 'configure',
  TagQueue: 'configure',
  UntagQueue: 'configure',
  AddPermission: 'configure',
  RemovePermission: 'configure',
  SendMessage: 'write',
  SendMessageBatch: 'write',
  ReceiveMessage: 'read',
  DeleteMessage: 'read',
  DeleteMessageBatch: 'read',
  ChangeMessageVisibility: 'read',
  ChangeMessageVisibilityBatch: 'read',
  PurgeQueue: 'read',
  StartMessageMoveTask: 'read',
  CancelMessageMoveTask: 'read',
  GetQueueUrl: null,
  GetQueueAttributes: null,
  ListQueueTags: null,
  ListDeadLetterSourceQueues: null,
  ListQueues: null,
  ListMessageMoveTasks: null,
} as const satisfies Record<string, Permission | null>;

export type SqsAction = keyof typeof sqsActionPermission;

export function isSqsAction(action: string): action is SqsAction {
  return Object.hasOwn(sqsActionPermission, action);
}

export interface SqsAccessRequest {
  action: string;
  /** The Hopper queue the action is on (for StartMessageMoveTask, the source). */
  queue?: string;
  /** CreateQueue / SetQueueAttributes with a RedrivePolicy: the dead-letter queue it names. */
  deadLetterQueue?: string;
  /** StartMessageMoveTask: where the messages go (the destination, or each original source queue). */
  moveDestinations?: readonly string[];
}

export interface RequiredPermission {
  readonly permission: Permission;
  readonly resource: string;
}

/**
 * The checks an action needs, in the order to make them; null for an action this table does not
 * know (callers refuse those: fail closed).
 */
export function requiredPermissions(req: SqsAccessRequest): RequiredPermission[] | null {
  if (!isSqsAction(req.action)) return null;
  const permission: Permission | null = sqsActionPermission[req.action];
  const out: RequiredPermission[] = [];
  if (permission !== null && req.queue !== undefined) out.push({ permission, resource: req.queue });
  if (req.deadLetterQueue !== undefined && req.queue !== undefined && (req.action === 'CreateQueue' || req.action === 'SetQueueAttributes')) {
    out.push({ permission: 'write', resource: req.deadLetterQueue }, { permission: 'read', resource: req.queue });
  }
  if (req.action === 'StartMessageMoveTask') for (const d of req.moveDestinations ?? []) out.push({ permission: 'write', resource: d });
  return out;
}

/**
 * null if `user` may do the action, else AccessDenied naming `resourceUrl` (the queue URL, or the
 * endpoint's URL for actions on no queue), as SQS does.
 */
export function checkSqsAccess(access: AccessControl, user: string, vhost: string, req: SqsAccessRequest, resourceUrl: string): SigV4Failure | null {
  if (!access.canAccessVhost(user, vhost)) return accessDenied(resourceUrl);
  const needs = requiredPermissions(req);
  if (needs === null) return accessDenied(resourceUrl);
  for (const n of needs) if (!access.can(user, vhost, n.permission, n.resource)) return accessDenied(resourceUrl);
  return null;
}
