/** The actions served, by name (X-Amz-Target's suffix, the query protocol's Action). */
import { changeMessageVisibility } from './change-message-visibility.js';
import { changeMessageVisibilityBatch } from './change-message-visibility-batch.js';
import { createQueue } from './create-queue.js';
import { deleteMessage } from './delete-message.js';
import { deleteMessageBatch } from './delete-message-batch.js';
import { deleteQueue } from './delete-queue.js';
import { getQueueAttributes } from './get-queue-attributes.js';
import { getQueueUrl } from './get-queue-url.js';
import { listDeadLetterSourceQueues } from './list-dead-letter-source-queues.js';
import { listQueues } from './list-queues.js';
import { purgeQueue } from './purge-queue.js';
import { receiveMessage } from './receive-message.js';
import { sendMessage } from './send-message.js';
import { sendMessageBatch } from './send-message-batch.js';
import { setQueueAttributes } from './set-queue-attributes.js';
import { listQueueTags, tagQueue, untagQueue } from './tags.js';
import type { Action } from './types.js';

export const actions: ReadonlyMap<string, Action> = new Map<string, Action>([
  ['CreateQueue', createQueue],
  ['GetQueueUrl', getQueueUrl],
  ['ListQueues', listQueues],
  ['DeleteQueue', deleteQueue],
  ['GetQueueAttributes', getQueueAttributes],
  ['SetQueueAttributes', setQueueAttributes],
  ['PurgeQueue', purgeQueue],
  ['SendMessage', sendMessage],
  ['SendMessageBatch', sendMessageBatch],
  ['ReceiveMessage', receiveMessage],
  ['DeleteMessage', deleteMessage],
  ['DeleteMessageBatch', deleteMessageBatch],
  ['ChangeMessageVisibility', changeMessageVisibility],
  ['ChangeMessageVisibilityBatch', changeMessageVisibilityBatch],
  ['TagQueue', tagQueue],
  ['UntagQueue', untagQueue],
  ['ListQueueTags', listQueueTags],
  ['ListDeadLetterSourceQueues', listDeadLetterSourceQueues],
]);

/** Actions of the SQS API that Hopper does not serve yet: UnsupportedOperation, not InvalidAction. */
export const notServed: ReadonlySet<string> = new Set(['AddPermission', 'RemovePermission', 'StartMessageMoveTask', 'ListMessageMoveTasks', 'CancelMessageMoveTask']);
