/**
 * Limits and defaults of the AMQP endpoint. Units are last in every name; every limit bounds
 * memory or time a client can make the broker spend.
 */
export interface AmqpEndpointOptions {
  /** frame-max offered in connection.tune (whole frame). RabbitMQ's default, 128 KiB. */
  frameMaxBytes: number;
  /** channel-max offered in connection.tune. */
  channelMax: number;
  /** Heartbeat interval offered in connection.tune (the client's tune-ok value wins; 0 = off). */
  heartbeatSec: number;
  /** From accept to connection.open-ok; a slower client is disconnected. */
  handshakeTimeoutMs: number;
  /** Open connections per listener; further ones are closed at once. 0: no limit. */
  maxConnections: number;
  /** Consumers stop receiving while the socket holds more unsent bytes than this. */
  writeHighWaterBytes: number;
  /**
   * The socket is not read while it holds more unsent bytes than this, so a client that
   * pipelines requests and never reads the answers cannot make the broker buffer without bound.
   * Above writeHighWaterBytes and the largest message, so normal traffic never reaches it.
   */
  writeLimitBytes: number;
  /** Publishes being stored per connection; above it the socket is not read (publisher backpressure). */
  maxPendingPublishes: number;
  /** Commands queued on a channel behind a slow one (a declare, a commit); above it reading pauses. */
  channelInboxMax: number;
  /** How long to wait for close-ok after sending connection.close. */
  closeTimeoutMs: number;
  /**
   * How long a client's channel.close or connection.close waits for the publishes still being
   * stored on the channel (or the connection) before close-ok is sent anyway.
   */
  closeDrainTimeoutMs: number;
  /** Bytes of message bodies one transaction may hold before commit (406 beyond). */
  txMaxBytes: number;
}

export const defaultAmqpEndpointOptions: Readonly<AmqpEndpointOptions> = Object.freeze({
  frameMaxBytes: 131_072,
  channelMax: 2047,
  heartbeatSec: 60,
  handshakeTimeoutMs: 10_000,
  maxConnections: 10_000,
  writeHighWaterBytes: 1024 * 1024,
  writeLimitBytes: 32 * 1024 * 1024,
  maxPendingPublishes: 4096,
  channelInboxMax: 1024,
  closeTimeoutMs: 3_000,
  closeDrainTimeoutMs: 5_000,
  txMaxBytes: 64 * 1024 * 1024,
});
