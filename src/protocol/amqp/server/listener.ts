/**
 * The AMQP listener: accepts sockets, bounds the number of connections, and creates one
 * AmqpConnection per socket. Closing it refuses new sockets, closes every connection with
 * 320 CONNECTION_FORCED and waits (bounded) for them to go.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
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
  const server: Server = createServer({ noDelay: true }, (socket: Socket) => {
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
  });
  server.on('error', (e) => logger.error(`amqp listener: ${e.message}`));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5672, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    port,
    host,
    context: ctx,
    connections: () => live,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((res) => server.close(() => res()));
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
