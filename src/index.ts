/** Hopper's embedded API: everything a protocol endpoint or an in-process user needs. */
export { Broker } from './core/broker/broker.js';
export type { BrokerOptions } from './core/broker/options.js';
export { Session, type LoginRequest } from './core/broker/session.js';
export { Vhost, type DeclareQueue, type PublishResult, type QueueEntry } from './core/broker/vhost.js';
export { HopperError, errorCatalogue, type ErrorCode } from './core/errors.js';
export { makeMessage, type Message, type MessageProperties, type TypedValue, type Header } from './core/message.js';
export type { QueueOptions } from './core/queue/options.js';
export type { Delivery, ConsumeOptions, ReceiveOptions, QueueStats } from './core/queue/types.js';
export type { Destination } from './core/exchange/destination.js';
export type { ExchangeSpec, ExchangeInfo } from './core/exchange/exchange.js';
export { Topic } from './core/topic/topic.js';
export { parseFsyncPolicy, type FsyncPolicy } from './storage/types.js';
