/**
 * The Kafka TCP listeners of one broker (the main one and any extraListeners): each accepts
 * connections (at most maxConnections, and maxConnectionsPerAddress from one client address,
 * counted per listener: ../../../server/connection-limits.ts) and runs a KafkaConnection on each,
 * all sharing one KafkaContext (and so one group coordinator, transactions, quotas and producer
 * ids) whichever listener they came in on.
 */
import { createServer, type Socket } from 'node:net';
import { close as closeServer, listenOn } from '../../../server/listen.js';
import type { Broker } from '../../../core/broker/broker.js';
import { ConnectionLimits } from '../../../server/connection-limits.js';
import { silentLogger, type Logger } from '../../../server/logger.js';
import { createRegistry, kafkaApis } from '../api/registry.js';
import { kafkaHandlers } from '../handlers/index.js';
import { closeTransactions } from '../txn/service.js';
import { KafkaConnection } from './connection.js';
import { KafkaContext } from './context.js';
import { defaultKafkaEndpointOptions, defaultShareGroupOptions, type KafkaEndpointOptions } from './options.js';

export interface KafkaListener {
  /** The main listener's bound port. */
  readonly port: number;
  /** Every listener's bound port, the main one first, then extraListeners in order. */
  readonly ports: readonly number[];
  readonly context: KafkaContext;
  /** Live connections (for diagnostics and tests). */
  connections(): ReadonlySet<KafkaConnection>;
  close(): Promise<void>;
}

/** How often group session and rebalance timeouts are checked. */
const GROUP_TICK_MS = 100;

export async function listenKafka(broker: Broker, opts: Partial<KafkaEndpointOptions> = {}, logger: Logger = silentLogger): Promise<KafkaListener> {
  const options: KafkaEndpointOptions = { ...defaultKafkaEndpointOptions, ...opts, share: { ...defaultShareGroupOptions, ...opts.share } };
  // Only APIs with a handler are advertised, so the codec can define an API before it is
  // served; a request for any other one closes the connection, as Kafka does.
  const registry = createRegistry(kafkaApis.all.filter((a) => kafkaHandlers.has(a.apiKey)));
  const context = new KafkaContext(broker, options, registry, logger);
  const connections = new Set<KafkaConnection>();
  const sockets = new Set<Socket>();
  let nextId = 1;
  const bound: { port: number; servers: Awaited<ReturnType<typeof listenOn>>['servers'] }[] = [];
  try {
    for (const info of context.listeners) {
      const limits = new ConnectionLimits(options, 'kafka', logger);
      const onSocket = (socket: Socket) => {
        const release = limits.admit(socket);
        if (release === null) return;
        socket.on('close', release);
        sockets.add(socket);
        const conn = new KafkaConnection(socket, context, kafkaHandlers, logger, nextId++, info);
        connections.add(conn);
        socket.on('close', () => {
          sockets.delete(socket);
          connections.delete(conn);
        });
      };
      const b = await listenOn(() => createServer(onSocket), info.host, info.node.port);
      bound.push(b);
      // Advertise the bound port (an ephemeral port is known only now).
      info.node.port = b.port;
    }
  } catch (e) {
    // One listener failed to bind (its port taken): close the ones already bound.
    await Promise.all(bound.flatMap((b) => b.servers.map(closeServer)));
    context.close();
    context.groups.shutdown();
    await context.share.close();
    throw e;
  }
  const servers = bound.flatMap((b) => b.servers);
  const tick = setInterval(() => {
    context.groups.tick();
    context.share.tick();
  }, GROUP_TICK_MS);
  tick.unref();
  return {
    port: bound[0]!.port,
    ports: bound.map((b) => b.port),
    context,
    connections: () => connections,
    close: async () => {
      clearInterval(tick);
      context.groups.shutdown();
      context.close();
      const stopped = Promise.all(servers.map(closeServer));
      for (const c of connections) c.destroy('the broker is shutting down');
      for (const s of sockets) s.destroy();
      await stopped;
      // After the sockets: no new request can start a transaction operation now.
      await closeTransactions(context);
      await context.share.close();
    },
  };
}
