/**
 * One Kafka client connection: socket chunks → RequestFramer → handler → response chunks →
 * socket. Handlers may finish in any order, but Kafka clients match responses to requests by
 * position as well as correlation id, so answers are written strictly in request order: each
 * request takes a slot in `slots`, and the head slots are flushed (corked, so one writev) as
 * soon as they are done.
 *
 * Limits: at most maxInFlightRequests requests (and about maxInFlightBytes of request bytes) are
 * being handled, and none starts while more than maxUnsentResponseBytes wait to be sent;
 * beyond that, frames wait in
 * `backlog` (at most one socket read's worth) and the socket is paused until slots free up.
 * A codec error, an unknown API or an unsupported version closes this connection only, after
 * the answers owed to earlier requests have been written.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../../server/logger.js';
import { API_VERSIONS_KEY } from '../codec/api-def.js';
import { KafkaCodecError } from '../codec/errors.js';
import { type Frame, RequestFramer } from '../codec/framer.js';
import { decodeRequestBody, encodeResponse } from '../codec/message.js';
import { encodeApiVersionsFallback } from '../api/api-versions-answer.js';
import type { KafkaContext } from './context.js';
import { peerText } from '../../../server/logger.js';
import { clip, kafkaFields, saslUser, type KafkaClientInfo } from './connection-log.js';
import type { ConnectionState, HandlerEntry } from './handler.js';
import type { KafkaListenerInfo } from './listener-info.js';

/** ApiVersions, SaslHandshake, SaslAuthenticate: what a client may send before authenticating. */
const PRE_AUTH_APIS: ReadonlySet<number> = new Set([18, 17, 36]);
const SASL_AUTHENTICATE_KEY = 36;
/** SaslHandshake, SaslAuthenticate: capped at saslMaxRequestBytes even when SASL is optional. */
const SASL_APIS: ReadonlySet<number> = new Set([17, 36]);

interface Slot {
  done: boolean;
  /** The frame to write, or null for none (acks=0). */
  chunks: Buffer[] | null;
  /** Close the connection once everything before this slot is written. */
  close: boolean;
}

export class KafkaConnection {
  private readonly framer: RequestFramer;
  private readonly slots: Slot[] = [];
  /** Frames not yet started; null marks the framer's error (close after what precedes it). */
  private readonly backlog: (Frame | null)[] = [];
  private inFlight = 0;
  /**
   * Bytes held by requests being handled: their bodies (referenced until answered) and the
   * answer size they declare (Fetch's maxBytes).
   */
  private inFlightBytes = 0;
  private closed = false;
  /** Set while a client quota throttles this connection: no request is started before then (KIP-219). */
  private mutedUntilMs = 0;
  private muteTimer: NodeJS.Timeout | null = null;
  readonly state: ConnectionState;
  /** For the log: set at the first request (null: none yet), the user SASL tried, why it ended. */
  private client: KafkaClientInfo | null = null;
  private openedAt = 0;
  private saslUser: string | undefined;
  private closeReason: string | null = null;
  private readonly peer: string;

  constructor(
    private readonly socket: Socket,
    private readonly kafka: KafkaContext,
    private readonly handlers: ReadonlyMap<number, HandlerEntry>,
    private readonly logger: Logger,
    id: number,
    listener: KafkaListenerInfo,
  ) {
    this.framer = new RequestFramer({
      maxRequestBytes: kafka.options.maxRequestBytes, maxBytesForApi: (apiKey) => this.maxBytesFor(apiKey), registry: kafka.registry, pool: kafka.framePool,
    });
    this.state = { id, remoteAddress: socket.remoteAddress ?? '', listener, session: null, saslMechanism: null, scram: null, closeAfterResponse: false };
    this.peer = peerText(socket.remoteAddress ?? '', socket.remotePort);
    socket.setNoDelay(true);
    socket.setTimeout(kafka.options.connectionsMaxIdleMs, () => {
      if (this.inFlight === 0 && this.slots.length === 0) {
        this.closeReason ??= `idle for connections.max.idle.ms (${kafka.options.connectionsMaxIdleMs} ms)`;
        this.destroy();
      }
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.pump());
    socket.on('error', (e) => {
      this.closeReason ??= `socket error: ${e.message}`;
      this.destroy();
    });
    socket.on('close', () => {
      this.closed = true;
      this.framer.discard();
      if (this.muteTimer !== null) clearTimeout(this.muteTimer);
      this.logClosed();
    });
  }

  private fields() {
    return kafkaFields(this.state.id, this.peer, this.state.session?.user.name ?? this.saslUser, this.client ?? {});
  }

  /** At the first request: the header names the client, ApiVersions v3+ its software. */
  private logOpened(frame: Frame & { kind: 'request' }, req: unknown): void {
    const software = frame.apiKey === API_VERSIONS_KEY ? (req as { clientSoftwareName?: string; clientSoftwareVersion?: string }) : {};
    this.client = { clientId: clip(frame.clientId), clientName: clip(software.clientSoftwareName), clientVersion: clip(software.clientSoftwareVersion) };
    this.openedAt = Date.now();
    this.logger.info(`kafka connection ${this.state.id} opened`, { event: 'connection.opened', ...this.fields() });
  }

  private logClosed(): void {
    if (this.openedAt === 0) return; // never sent a request: a port probe
    this.logger.info(`kafka connection ${this.state.id} closed`, {
      event: 'connection.closed', ...this.fields(), reason: this.closeReason ?? 'closed by the client', durationMs: Date.now() - this.openedAt,
    });
    this.openedAt = 0;
  }

  private logSasl(req: unknown, body: unknown): void {
    const r = body as { errorCode: number; errorMessage: string | null };
    this.saslUser = saslUser(this.state.saslMechanism, (req as { authBytes: Buffer }).authBytes) ?? this.saslUser;
    if (r.errorCode === 0) return;
    this.closeReason = 'authentication failed';
    this.logger.warn(`kafka connection ${this.state.id}: login refused for user '${this.saslUser ?? '?'}'`, {
      event: 'login.failed', ...this.fields(), mechanism: this.state.saslMechanism ?? undefined, reason: clip(r.errorMessage) ?? `error ${r.errorCode}`,
    });
  }

  /** Response bytes written to the socket and not yet sent. */
  get unsentBytes(): number {
    return this.socket.writableLength;
  }

  /**
   * Before authentication (when it is required) and for the SASL requests themselves, only small
   * requests, as Kafka's sasl.server.max.receive.size: a peer that has not logged in cannot make
   * the broker hold a large frame.
   */
  private maxBytesFor(apiKey: number): number {
    const o = this.kafka.options;
    return SASL_APIS.has(apiKey) || (this.state.listener.saslRequired && this.state.session === null) ? o.saslMaxRequestBytes : o.maxRequestBytes;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.framer.push(chunk);
    } catch (e) {
      this.fail(e);
      return;
    }
    for (const f of frames) this.backlog.push(f);
    // The framer keeps its error for the next push; a bad frame after good ones in this chunk
    // closes the connection once their answers are out.
    if (this.framer.error) this.backlog.push(null);
    this.pump();
  }

  /** Starts backlog frames while in-flight slots are free; pauses reading otherwise. */
  private pump(): void {
    if (this.muteTimer !== null) return;
    while (this.backlog.length > 0 && this.hasRoom() && !this.closed) {
      const frame = this.backlog.shift()!;
      if (frame === null) {
        this.slots.push({ done: true, chunks: null, close: true });
        this.flush();
        return;
      }
      this.start(frame);
    }
    if (this.closed) return;
    if (this.backlog.length > 0 || !this.hasRoom()) this.socket.pause();
    else this.socket.resume();
  }

  /** A quota throttled this client: stop reading requests for throttleMs, then go on. */
  private mute(throttleMs: number): void {
    if (throttleMs <= 0 || this.closed) return;
    this.mutedUntilMs = Math.max(this.mutedUntilMs, Date.now() + throttleMs);
    if (this.muteTimer !== null) clearTimeout(this.muteTimer);
    this.socket.pause();
    this.muteTimer = setTimeout(() => {
      this.muteTimer = null;
      this.pump();
    }, this.mutedUntilMs - Date.now());
    this.muteTimer.unref();
  }

  /**
   * Room for one more request: under both caps, and always for one (any frame the framer
   * accepts); but none while the client has not read what it was sent (Kafka mutes such a
   * connection too), so a client that never reads cannot make the broker buffer answers.
   */
  private hasRoom(): boolean {
    const o = this.kafka.options;
    if (this.socket.writableLength > o.maxUnsentResponseBytes) return false;
    return this.inFlight === 0 || (this.inFlight < o.maxInFlightRequests && this.inFlightBytes < o.maxInFlightBytes);
  }

  private start(frame: Frame): void {
    const slot: Slot = { done: false, chunks: null, close: false };
    this.slots.push(slot);
    if (frame.kind !== 'request') {
      slot.done = true;
      if (frame.kind === 'unsupported_version' && frame.apiKey === API_VERSIONS_KEY) {
        // KIP-511: answer in v0 with the supported ranges so the client retries lower.
        slot.chunks = encodeApiVersionsFallback(frame.correlationId, this.kafka.registry);
      } else {
        // No layout exists to answer in: Kafka closes the connection, and so do we.
        this.logger.debug(`kafka connection ${this.state.id}: ${frame.kind} (api ${frame.apiKey} v${frame.apiVersion}); closing`);
        this.closeReason ??= `${frame.kind.replace(/_/g, ' ')} (api ${frame.apiKey} v${frame.apiVersion})`;
        slot.close = true;
      }
      this.flush();
      return;
    }
    const handler = this.handlers.get(frame.apiKey);
    if (!handler || (this.state.listener.saslRequired && this.state.session === null && !PRE_AUTH_APIS.has(frame.apiKey))) {
      this.closeReason ??= handler ? `${frame.api.name} before SASL authentication` : `unsupported api ${frame.apiKey}`;
      slot.done = true;
      slot.close = true;
      this.flush();
      return;
    }
    let req: unknown;
    const started = this.kafka.quotas.active ? process.hrtime.bigint() : 0n;
    try {
      req = decodeRequestBody(frame.api, frame.apiVersion, frame.body);
    } catch (e) {
      slot.done = true;
      slot.close = true;
      this.logger.debug(`kafka connection ${this.state.id}: bad ${frame.api.name} v${frame.apiVersion}: ${(e as Error).message}`);
      this.closeReason ??= `malformed ${frame.api.name} v${frame.apiVersion} request`;
      this.flush();
      return;
    }
    if (this.client === null) this.logOpened(frame, req);
    this.inFlight++;
    const bytes = frame.body.length + (handler.responseBytes?.(req, this.kafka) ?? 0);
    this.inFlightBytes += bytes;
    this.logger.debug(`kafka connection ${this.state.id}: ${frame.api.name} v${frame.apiVersion} #${frame.correlationId}`);
    const rc = { kafka: this.kafka, conn: this.state, version: frame.apiVersion, clientId: frame.clientId };
    const quota = this.kafka.quotas.begin(this.state.session?.user.name ?? null, frame.clientId, frame.apiKey, req, frame.body.length);
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(handler.handle(req, rc));
    } catch (e) {
      result = Promise.reject(e);
    }
    // Kafka counts the time a request holds a handler thread: here decoding and the handler's synchronous part.
    const handlingNs = quota ? Number(process.hrtime.bigint() - started) : 0;
    result.then(
      (body) => {
        if (quota) this.mute(this.kafka.quotas.finish(quota, (body ?? null) as Record<string, unknown> | null, handlingNs));
        if (body !== null && body !== undefined) {
          if (frame.apiKey === SASL_AUTHENTICATE_KEY) this.logSasl(req, body);
          slot.chunks = encodeResponse(frame.api, frame.apiVersion, frame.correlationId, body as never);
        }
        if (this.state.closeAfterResponse) slot.close = true;
        // Only after success: a handler that failed midway may have left work holding the bytes.
        if (frame.pooled && handler.releasesRequest) this.kafka.framePool.release(frame.body);
      },
      (e: unknown) => {
        // Handlers answer client errors in the response; an exception here is a bug or an
        // unexpected failure: close this connection, never the process.
        this.logger.warn(`kafka ${frame.api.name} v${frame.apiVersion} failed: ${(e as Error)?.stack ?? String(e)}`);
        slot.close = true;
      },
    ).catch((e: unknown) => {
      this.logger.warn(`kafka ${frame.api.name} v${frame.apiVersion} response encoding failed: ${(e as Error).message}`);
      slot.close = true;
    }).finally(() => {
      slot.done = true;
      this.inFlight--;
      this.inFlightBytes -= bytes;
      this.flush();
      this.pump();
    });
  }

  /** Writes every finished slot at the head, in order, in one corked batch. */
  private flush(): void {
    if (this.closed) return;
    let corked = false;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      if (slot.chunks) {
        if (!corked) {
          this.socket.cork();
          corked = true;
        }
        for (const c of slot.chunks) this.socket.write(c);
      }
      if (slot.close) {
        if (corked) this.socket.uncork();
        this.socket.end();
        this.closed = true;
        this.slots.length = 0;
        this.backlog.length = 0;
        return;
      }
    }
    if (corked) this.socket.uncork();
  }

  private fail(e: unknown): void {
    if (!(e instanceof KafkaCodecError)) this.logger.warn(`kafka connection ${this.state.id}: ${(e as Error).message}`);
    this.closeReason ??= `bad request framing: ${(e as Error).message}`;
    // Answers owed to earlier requests still go out first.
    this.slots.push({ done: true, chunks: null, close: true });
    this.flush();
  }

  destroy(reason?: string): void {
    if (reason !== undefined) this.closeReason ??= reason;
    this.closed = true;
    if (this.muteTimer !== null) clearTimeout(this.muteTimer);
    this.socket.destroy();
  }
}
