/**
 * The SQS HTTP listener (node:http). Each request: read the body within maxRequestBytes,
 * authenticate it (authenticate.ts), pick the wire protocol (X-Amz-Target: JSON 1.0, else the
 * query protocol), run the action, answer in that protocol. Timeouts bound slow and idle
 * clients; node serves every connection independently, so one slow client delays no other.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Broker } from '../../../core/broker/broker.js';
import { close as closeServer, listenOn } from '../../../server/listen.js';
import type { Logger } from '../../../server/logger.js';
import { actions, notServed } from '../actions/index.js';
import type { Input } from '../actions/types.js';
import { SqsEndpoint } from '../endpoint.js';
import { SqsError, toSqsError } from '../errors.js';
import { jsonAction, jsonError, jsonReply, parseJsonInput, type WireReply } from '../wire/json.js';
import { parseForm, queryError, queryInput, queryReply } from '../wire/query.js';
import { authorize } from './authorize.js';
import type { SqsListenerOptions } from './options.js';

export interface SqsListener {
  readonly port: number;
  readonly endpoint: SqsEndpoint;
  close(): Promise<void>;
}

type Protocol = 'json' | 'query';

export async function listenSqs(broker: Broker, opts: SqsListenerOptions, log: Logger): Promise<SqsListener> {
  const endpoint = new SqsEndpoint(broker, log);
  let port = opts.port;
  let open = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const receivedAtMs = Date.now();
    const target = req.headers['x-amz-target'];
    const protocol: Protocol = typeof target === 'string' ? 'json' : 'query';
    let action = '';
    try {
      const body = await readBody(req, opts.maxRequestBytes);
      const url = req.url ?? '/';
      const who = await opts.authenticate({ method: req.method ?? 'GET', url, headers: req.headers, headersDistinct: req.headersDistinct, body, peerAddress: req.socket.remoteAddress, receivedAtMs });
      if (who instanceof SqsError) throw who;
      let input: Input;
      if (protocol === 'json') {
        const a = jsonAction(target as string);
        if (a === null) throw new SqsError('InvalidAction', `The action ${String(target)} is not valid for this endpoint.`);
        action = a;
        input = parseJsonInput(body);
      } else {
        const q = url.indexOf('?');
        const params = parseForm(q >= 0 ? url.slice(q + 1) : '');
        const type = String(req.headers['content-type'] ?? '');
        if (req.method === 'POST' && (type === '' || type.startsWith('application/x-www-form-urlencoded'))) {
          for (const [k, v] of parseForm(body.toString('utf8'))) params.set(k, v);
        }
        action = params.get('Action') ?? '';
        if (action === '') throw new SqsError('MissingParameter', 'The request must contain the parameter Action.');
        input = queryInput(params);
        // The query protocol may name the queue by the request's path instead of QueueUrl.
        if (input['QueueUrl'] === undefined && url.split('?')[0]!.split('/').filter(Boolean).length === 2) input = { ...input, QueueUrl: url.split('?')[0] };
      }
      const run = actions.get(action);
      if (run === undefined) {
        if (notServed.has(action)) throw new SqsError('UnsupportedOperation', `${action} is not supported by Hopper yet.`);
        throw new SqsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
      }
      const host = req.headers.host ?? `localhost:${port}`;
      const denied = authorize(broker.access, endpoint, who, action, input, host);
      if (denied !== null) throw denied;
      const ac = new AbortController();
      res.once('close', () => ac.abort());
      const output = await run({ endpoint, identity: who, host, signal: ac.signal }, input);
      send(res, protocol === 'json' ? jsonReply(output, requestId) : queryReply(action, output, requestId));
    } catch (e) {
      const err = toSqsError(e);
      if (err.kind.status >= 500) log.warn(`sqs ${action || 'request'} failed: ${(e as Error).message}`);
      send(res, protocol === 'json' ? jsonError(err, requestId) : queryError(err, requestId));
      // An oversized body was not read to its end: the connection cannot be reused.
      if (err.kind.code === 'RequestEntityTooLarge') res.once('finish', () => req.socket.destroy());
    }
  };

  const make = (): Server => {
    const server = createServer({ maxHeaderSize: opts.maxHeaderBytes, requestTimeout: opts.requestTimeoutMs, headersTimeout: opts.headersTimeoutMs, keepAliveTimeout: opts.idleTimeoutMs }, (req, res) => {
      void handle(req, res);
    });
    server.maxHeadersCount = opts.maxHeaders;
    server.on('connection', (socket) => {
      if (opts.maxConnections > 0 && open >= opts.maxConnections) {
        socket.destroy();
        return;
      }
      open++;
      socket.once('close', () => open--);
    });
    server.on('clientError', (_e, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
    return server;
  };
  const bound = await listenOn(make, opts.host, opts.port);
  port = bound.port;
  return {
    port,
    endpoint,
    close: async () => {
      const closed = Promise.all(bound.servers.map(closeServer));
      for (const s of bound.servers) s.closeAllConnections();
      await closed;
    },
  };
}

function send(res: ServerResponse, r: WireReply): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
  res.end(r.body);
}

/** The whole body, or RequestEntityTooLarge as soon as it passes `max` (by content-length or by count). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > max) {
      req.resume();
      reject(tooLarge(max));
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(max));
        return;
      }
      chunks.push(c);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, n)));
    req.once('error', reject);
  });
}

function tooLarge(max: number): SqsError {
  return new SqsError('RequestEntityTooLarge', `The request is larger than ${max} bytes.`);
}
