/**
 * The HTTP listener. For now it serves the health endpoint; the native REST API, metrics and
 * dashboard are added as further routes here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthSource {
  /**
   * failures: the parts that are failed (e.g. a log whose disk write failed), empty when
   * healthy. degraded: damaged storage found (e.g. a log whose tail recovery cut), one line per
   * log: the broker still serves, and answers 200 with status "degraded".
   */
  health(): { ok: boolean; failures: string[]; degraded?: string[] };
}

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean;

export function healthRoute(source: HealthSource, info: () => Record<string, unknown>): Route {
  return (req, res) => {
    if (req.url !== '/health' && req.url !== '/healthz') return false;
    const h = source.health();
    const degraded = h.degraded ?? [];
    const body = JSON.stringify({ status: !h.ok ? 'failed' : degraded.length > 0 ? 'degraded' : 'ok', failures: h.failures, degraded, ...info() });
    res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return true;
  };
}

export interface HttpListener {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenHttp(host: string, port: number, routes: Route[]): Promise<HttpListener> {
  const server: Server = createServer((req, res) => {
    try {
      for (const r of routes) if (r(req, res)) return;
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  // Bound how long a slow or idle client can hold a socket.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      }),
  };
}
