/**
 * The HTTP listener. For now it serves the health endpoint; the native REST API, metrics and
 * dashboard are added as further routes here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { close as closeServer, listenOn } from '../../server/listen.js';

export interface HealthSource {
  /**
   * failures: the parts that are failed (e.g. a log whose disk write failed), empty when
   * healthy. degraded: damaged storage found (e.g. a log whose tail recovery cut), one line per
   * log: the broker still serves, and answers 200 with status "degraded".
   */
  health(): { ok: boolean; failures: string[]; degraded?: string[] };
}

/**
 * Where the process is: recovering its data ('starting', the broker is null), serving
 * ('ready': recovery done and every listener accepts connections) or shutting down.
 */
export interface HealthState {
  phase(): 'starting' | 'ready' | 'stopping';
  broker(): HealthSource | null;
}

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Readiness (send traffic here?): 503 until the process is ready, then the broker's health.
 * /health is readiness, so a load balancer or script polling it waits out a recovery.
 */
const readinessPaths = new Set(['/health', '/health/ready', '/readyz']);
/**
 * Liveness (restart this process?): the broker's health, and 200 while it starts, so a
 * probe does not kill a long recovery. /healthz keeps the behaviour it always had.
 */
const livenessPaths = new Set(['/health/live', '/livez', '/healthz']);

export function healthRoute(state: HealthState, info: () => Record<string, unknown>): Route {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const readiness = readinessPaths.has(path);
    if (!readiness && !livenessPaths.has(path)) return false;
    const phase = state.phase();
    const source = state.broker();
    if (source === null || (readiness && phase !== 'ready')) {
      sendJson(res, readiness ? 503 : 200, { status: phase, ...info() });
      return true;
    }
    const h = source.health();
    const degraded = h.degraded ?? [];
    sendJson(res, h.ok ? 200 : 503, { status: !h.ok ? 'failed' : degraded.length > 0 ? 'degraded' : 'ok', failures: h.failures, degraded, ...info() });
    return true;
  };
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export interface HttpListener {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenHttp(host: string, port: number, routes: Route[]): Promise<HttpListener> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    try {
      for (const r of routes) if (r(req, res)) return;
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  };
  const make = () => {
    const server: Server = createServer(handler);
    // Bound how long a slow or idle client can hold a socket.
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
    return server;
  };
  const { port: boundPort, servers } = await listenOn(make, host, port);
  return {
    port: boundPort,
    close: async () => {
      const closed = Promise.all(servers.map(closeServer));
      for (const s of servers) s.closeAllConnections();
      await closed;
    },
  };
}
