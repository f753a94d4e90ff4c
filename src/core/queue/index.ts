/** The queue: one object for AMQP queues, SQS queues and SDK work queues (docs/queues.md). */
export { Queue, type QueueRecoveryReport } from './queue.js';
export { openQueue, QUEUE_LOG_SUGGESTIONS, type OpenQueueInit, type QueueLogKind, type QueueStorage } from './open.js';
export {
  defaultQueueOptions,
  MAX_DELAY_MS,
  MAX_PRIORITY_LIMIT,
  validateQueueOptions,
  type DeadLetterTarget,
  type OverflowPolicy,
  type QueueOptions,
} from './options.js';
export { defaultQueueTuning, type QueueTuning } from './tuning.js';
export { Consumer } from './consumer.js';
export { annotateDeath } from './dead-letter.js';
export { ManualTime, systemScheduler, type Scheduler, type TimerHandle } from './time.js';
export type {
  ConsumeOptions,
  DeadLetterHook,
  DeadLetterInfo,
  DeadLetterReason,
  DeliverCallback,
  Delivery,
  PublishOptions,
  PublishOutcome,
  QueueDamage,
  QueueStats,
  ReceiveOptions,
} from './types.js';
