/**
 * The AMQP listener: accepts sockets, bounds the number of connections, and creates one
 * AmqpConnection per socket. Closing it refuses new sockets, closes every connection with
 * 320 CONNECTION_FORCED and waits (bounded) for them to go.
 */
import { createServer, type Socket } from 'node:net';
import { close as closeServer, listenOn } from '../../../server/listen.js';
import type { Broker } from '../../../core/broker/broker.js';
import { silentLogger, type Logger } from '../../../server/logger.js';
import { AmqpConnection } from '../connection/connection.js';
import { EndpointContext } from './context.js';
import type { AmqpEndpointOptions } from './options.js';
import { SocketTransport } from './socket-transport.js';

export interface AmqpListenerOptions extends Partial<AmqpEndpointOptions> {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logger?: Logger;
}

export interface AmqpListener {
  readonly port: number;
  readonly host: string;
  readonly context: EndpointContext;
  /** Live connections (for diagnostics and tests). */
  connections(): ReadonlySet<AmqpConnection>;
  close(): Promise<void>;
}

export async function listenAmqp(broker: Broker, options: AmqpListenerOptions = {}): Promise<AmqpListener> {
  const logger = options.logger ?? silentLogger;
  const ctx = new EndpointContext(broker, logger, options);
  const live = new Set<AmqpConnection>();
  const onSocket = (socket: Socket) => {
    const max = ctx.options.maxConnections;
    if (max > 0 && live.size >= max) {
      logger.warn(`amqp: refusing connection from ${socket.remoteAddress}: ${live.size} connections open (maxConnections ${max})`);
      socket.destroy();
      return;
    }
    socket.setKeepAlive(true, 60_000);
    const transport = new SocketTransport(socket);
    const conn = new AmqpConnection(ctx, transport);
    live.add(conn);
    conn.whenClosed(() => live.delete(conn));
    transport.attach(conn);
  };
  const host = options.host ?? '127.0.0.1';
  const { port, servers } = await listenOn(
    () => createServer({ noDelay: true }, onSocket).on('error', (e) => logger.error(`amqp listener: ${e.message}`)),
    host,
    options.port ?? 5672,
  );
  let closing: Promise<void> | null = null;
  return {
    port,
    host,
    context: ctx,
    connections: () => live,
    close() {
      closing ??= (async () => {
        const stopped = Promise.all(servers.map(closeServer));
        for (const c of [...live]) c.forceClose('shutdown');
        const deadline = Date.now() + ctx.options.closeTimeoutMs;
        while (live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        for (const c of [...live]) c.finish(true);
        await stopped;
      })();
      return closing;
    },
  };
}
