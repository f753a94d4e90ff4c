/**
 * What a channel needs from its connection. Kept narrow so channels can be driven by a fake
 * host in tests and so channel code never touches the socket.
 */
import type { Session } from '../../../core/broker/session.js';
import type { AmqpMethodInput } from '../codec/methods/registry.js';
import type { AmqpError } from '../mapping/errors.js';
import type { EndpointContext } from '../server/context.js';
import type { CancelNotices } from './cancel-notices.js';

export interface ClientCapabilities {
  /** The client understands a server-sent basic.cancel (queue deleted). */
  consumerCancelNotify: boolean;
  /** The client understands connection.blocked / unblocked. */
  connectionBlocked: boolean;
}

export interface ChannelHost {
  readonly ctx: EndpointContext;
  readonly session: Session;
  /** Owner id of this connection's exclusive queues. */
  readonly connectionId: string;
  /** Negotiated frame-max: every frame written must fit. */
  readonly frameMaxBytes: number;
  readonly capabilities: ClientCapabilities;
  /** Consumer cancel notifications, held while a queue.delete of the connection replies. */
  readonly cancelNotices: CancelNotices;
  /** The connection is over (its exclusive queues were already deleted). */
  readonly isClosed: boolean;
  /** True while the socket holds more unsent bytes than the high-water mark. */
  readonly writeBlocked: boolean;
  /** The socket holds more unsent bytes than writeLimitBytes: commands wait for a drain. */
  readonly writeLimited: boolean;
  /** Queues bytes for the socket (coalesced per tick by the transport). */
  send(frames: Buffer): void;
  sendMethod(channel: number, method: AmqpMethodInput): void;
  /** A publish started / finished storing: bounds work in progress per connection. */
  publishStarted(): void;
  publishSettled(): void;
  /** A publish arrived: while a resource alarm is raised the connection stops being read. */
  noticePublish(): void;
  /** A channel's inbox passed (true) or fell back under (false) its bound. */
  inboxOverflow(over: boolean): void;
  /** A connection-level error: closes everything. */
  fail(error: AmqpError): void;
  /** The channel is closed and its number may be reused. */
  released(channel: number): void;
}
