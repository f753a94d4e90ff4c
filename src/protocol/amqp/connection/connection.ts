/**
 * One AMQP 0-9-1 connection, as a state machine over a Transport: bytes in (`receive`), frames
 * out (`transport.write`). It runs the handshake (protocol header, start / start-ok, secure,
 * tune / tune-ok, open), owns the channels, enforces the connection limits, and turns every
 * failure into the close RabbitMQ would send:
 *
 *   header → start → [secure] → tune → open → ready → closing → closed
 *
 * 'closing' is either side's connection.close: ours waits for the client's close-ok, the
 * client's waits for its publishes to be stored before close-ok (onClientClose).
 *
 * Hostile input never escapes as an exception: codec errors and anything thrown while
 * handling a frame close the channel or the connection with the mapped reply code. Framing
 * errors (501) end the socket right after connection.close, since nothing after them can be
 * parsed; other hard errors wait (bounded) for close-ok.
 *
 * Backpressure: reading pauses while the handshake waits on a login, while too many publishes
 * are being stored, while a channel's inbox is over its bound, and after a publish while a
 * resource alarm is raised. Consumers pause while the socket's unsent bytes are over the
 * high-water mark, and resume on drain.
 */
import { isHopperError } from '../../../core/errors.js';
import { checkLoopback, Session } from '../../../core/broker/session.js';
import type { AuthenticatedUser } from '../../../core/auth/access-control.js';
import type { AlarmKind } from '../../../core/broker/alarms.js';
import type { Queue } from '../../../core/queue/queue.js';
import type { Topic } from '../../../core/topic/topic.js';
import { CommandAssembler, type ChannelFrame } from '../codec/command-assembler.js';
import { encodeMethodFrame } from '../codec/encode.js';
import { AmqpCodecError } from '../codec/errors.js';
import type { FieldTable } from '../codec/field-table.js';
import { encodeHeartbeat, FRAME_MIN_SIZE, PROTOCOL_HEADER } from '../codec/frame.js';
import { type AmqpFrame, FrameDecoder } from '../codec/frame-decoder.js';
import type { AmqpMethod, AmqpMethodInput, MethodByName } from '../codec/methods/registry.js';
import { ReplyCode } from '../codec/reply-codes.js';
import { CancelNotices } from '../channel/cancel-notices.js';
import { Channel } from '../channel/channel.js';
import { settledWithin } from '../channel/settle-wait.js';
import type { ChannelHost, ClientCapabilities } from '../channel/host.js';
import { AmqpError, connectionError, isInternal, toAmqpError } from '../mapping/errors.js';
import type { EndpointContext } from '../server/context.js';
import { peerText } from '../../../server/logger.js';
import { clientFields } from './connection-log.js';
import { Heartbeat } from './heartbeat.js';
import { type Credentials, isSupportedMechanism, type Mechanism, parseResponse, refused, supportedMechanisms } from './sasl.js';
import { clientCapability, serverProperties } from './server-properties.js';
import type { Transport } from './transport.js';

type State = 'header' | 'start' | 'secure' | 'tune' | 'open' | 'ready' | 'closing' | 'closed';

/** Why reading is paused; reading resumes when no reason is left. */
const Pause = { handshake: 1, publishes: 2, inbox: 4, alarm: 8, write: 16 } as const;

const HEARTBEAT_FRAME = encodeHeartbeat();

export class AmqpConnection implements ChannelHost {
  readonly connectionId: string;
  private state: State = 'header';
  private readonly decoder: FrameDecoder;
  private readonly assembler = new CommandAssembler();
  private readonly channels = new Map<number, Channel>();

  private mechanism: Mechanism = 'PLAIN';
  private user: AuthenticatedUser | null = null;
  private clientProperties: FieldTable = {};
  capabilities: ClientCapabilities = { consumerCancelNotify: false, connectionBlocked: false };
  private sessionRef: Session | null = null;
  readonly cancelNotices = new CancelNotices();

  frameMaxBytes: number;
  private channelMax: number;
  private heartbeat: Heartbeat | null = null;
  /** Negotiated in tune-ok; heartbeats start once the connection is open. */
  private heartbeatSec = 0;
  private handshakeTimer: NodeJS.Timeout | null;
  private closeTimer: NodeJS.Timeout | null = null;

  /** While the handshake waits on a login, frames stay in the decoder and later chunks here. */
  private held = false;
  private readonly stash: Buffer[] = [];
  private pauses = 0;
  private pendingPublishes = 0;
  private overfullInboxes = 0;
  writeBlocked = false;
  /** Over writeLimitBytes: no frame is processed and no channel command runs until a drain. */
  writeLimited = false;
  private blockedSent = false;
  private readonly unsubscribe: (() => void)[] = [];
  private onClosed: (() => void) | null = null;
  /** For the log: when connection.open succeeded (0: never), and why the connection ended. */
  private openedAt = 0;
  private closeReason: string | null = null;

  constructor(
    readonly ctx: EndpointContext,
    private readonly transport: Transport,
  ) {
    this.connectionId = ctx.nextConnectionId();
    this.frameMaxBytes = ctx.options.frameMaxBytes;
    this.channelMax = ctx.options.channelMax;
    this.decoder = new FrameDecoder({ expectProtocolHeader: true, limits: { messageMaxBytes: ctx.maxMessageBytes } });
    this.handshakeTimer = setTimeout(() => {
      this.ctx.logger.info(`amqp ${this.connectionId}: handshake timeout (${this.transport.remoteAddress})`);
      this.finish(true);
    }, ctx.options.handshakeTimeoutMs);
    this.handshakeTimer.unref();
  }

  get session(): Session {
    if (this.sessionRef === null) throw new Error('invariant violated: channel used before connection.open');
    return this.sessionRef;
  }

  /** Bytes written to the socket and not yet sent (bounded by the high-water mark). */
  get unsentBytes(): number {
    return this.transport.bufferedBytes;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Called once the connection is over (socket closed). */
  whenClosed(fn: () => void): void {
    this.onClosed = fn;
  }

  // ---------------------------------------------------------------- input

  receive(chunk: Buffer): void {
    if (this.state === 'closed') return;
    if (this.heartbeat !== null) this.heartbeat.received = true;
    if (this.held || this.writeLimited) {
      this.stash.push(chunk);
      return;
    }
    try {
      this.decoder.push(chunk);
    } catch (e) {
      this.onError(e);
      return;
    }
    this.pump();
  }

  /** Reads frames until the chunk is used up, the connection is held, or it closed. */
  private pump(): void {
    while (!this.held && !this.writeLimited && this.state !== 'closed') {
      let frame: AmqpFrame | null;
      try {
        frame = this.decoder.next();
        if (frame === null) return;
        this.onFrame(frame);
      } catch (e) {
        this.onError(e);
        if (e instanceof AmqpCodecError && e.replyCode === ReplyCode.FRAME_ERROR) return;
      }
    }
  }

  private onFrame(f: AmqpFrame): void {
    switch (f.kind) {
      case 'protocol-header':
        this.start();
        return;
      case 'heartbeat':
        return;
      default:
        if (f.channel === 0) {
          if (f.kind !== 'method') throw connectionError(ReplyCode.UNEXPECTED_FRAME, `${f.kind} frame on channel 0`);
          this.onConnectionMethod(f.method);
        } else this.onChannelFrame(f);
    }
  }

  private onError(e: unknown): void {
    if (e instanceof AmqpCodecError && e.reason === 'protocol-header') {
      // Answer with the header we speak, then hang up (spec 4.2.2).
      this.transport.write(PROTOCOL_HEADER as Buffer);
      this.finish(false);
      return;
    }
    const err = toAmqpError(e);
    if (isInternal(e)) this.ctx.logger.error(`amqp ${this.connectionId}: ${(e as Error).stack ?? String(e)}`);
    if (err.level === 'channel' && e instanceof AmqpCodecError && e.channel !== 0) {
      const ch = this.channels.get(e.channel);
      this.assembler.reset(e.channel);
      if (ch !== undefined) ch.closeWithError(err);
      return;
    }
    this.fail(err, e instanceof AmqpCodecError && e.replyCode === ReplyCode.FRAME_ERROR);
  }

  // ---------------------------------------------------------------- handshake

  private start(): void {
    this.state = 'start';
    this.sendMethod(0, {
      method: 'connection.start',
      serverProperties: serverProperties(this.ctx.broker.version, 'hopper'),
      mechanisms: Buffer.from(supportedMechanisms.join(' ')),
      locales: Buffer.from('en_US'),
    });
  }

  private onConnectionMethod(m: AmqpMethod): void {
    if (m.method === 'connection.close') return this.onClientClose();
    switch (this.state) {
      case 'start':
        if (m.method === 'connection.start-ok') return this.onStartOk(m);
        break;
      case 'secure':
        if (m.method === 'connection.secure-ok') return this.onResponse(m.response);
        break;
      case 'tune':
        if (m.method === 'connection.tune-ok') return this.onTuneOk(m);
        break;
      case 'open':
        if (m.method === 'connection.open') return this.onOpen(m);
        break;
      case 'ready':
        if (m.method === 'connection.update-secret') return this.onUpdateSecret(m);
        if (m.method === 'connection.blocked' || m.method === 'connection.unblocked') return;
        break;
      case 'closing':
        if (m.method === 'connection.close-ok') this.finish(false);
        return;
      default:
        break;
    }
    throw connectionError(ReplyCode.COMMAND_INVALID, `unexpected method ${m.method} in connection state ${this.state}`);
  }

  private onStartOk(m: MethodByName<'connection.start-ok'>): void {
    this.clientProperties = m.clientProperties;
    this.capabilities = {
      consumerCancelNotify: clientCapability(m.clientProperties, 'consumer_cancel_notify'),
      connectionBlocked: clientCapability(m.clientProperties, 'connection.blocked'),
    };
    if (!isSupportedMechanism(m.mechanism)) throw connectionError(ReplyCode.COMMAND_INVALID, `unknown authentication mechanism '${m.mechanism}'`);
    this.mechanism = m.mechanism;
    if (m.response.length === 0) {
      this.state = 'secure';
      this.sendMethod(0, { method: 'connection.secure', challenge: Buffer.alloc(0) });
      return;
    }
    this.onResponse(m.response);
  }

  /**
   * Credentials are checked here. A refusal is answered as RabbitMQ answers it: connection.close
   * 403 to a client that announced the authentication_failure_close capability, otherwise the
   * socket is just closed.
   */
  private onResponse(response: Buffer): void {
    const creds: Credentials = parseResponse(this.mechanism, response);
    const peer = this.transport.remoteAddress;
    this.hold(
      this.ctx.broker.access.authenticate(creds.user, creds.password, { peerAddress: peer }).then(
        (user) => {
          checkLoopback(user, peer);
          if (this.state !== 'start' && this.state !== 'secure') return;
          this.user = user;
          this.state = 'tune';
          const o = this.ctx.options;
          this.sendMethod(0, { method: 'connection.tune', channelMax: o.channelMax, frameMax: o.frameMaxBytes, heartbeat: o.heartbeatSec });
        },
      ).catch((e: unknown) => {
        if (!isHopperError(e, 'AUTHENTICATION_FAILED')) throw e;
        this.ctx.logger.warn(`amqp ${this.connectionId}: login refused for user '${creds.user}'`, {
          event: 'login.failed', protocol: 'amqp', connection: this.connectionId, client: peerText(peer, this.transport.remotePort),
          user: creds.user, mechanism: this.mechanism, reason: (e as Error).message, ...clientFields(this.clientProperties),
        });
        if (!clientCapability(this.clientProperties, 'authentication_failure_close')) return this.finish(false);
        throw refused(this.mechanism);
      }),
    );
  }

  private onTuneOk(m: MethodByName<'connection.tune-ok'>): void {
    const o = this.ctx.options;
    const frameMax = m.frameMax === 0 ? o.frameMaxBytes : m.frameMax;
    if (frameMax < FRAME_MIN_SIZE) throw notAllowed(`negotiated frame_max = ${frameMax} is lower than the minimum allowed value (${FRAME_MIN_SIZE})`);
    if (frameMax > o.frameMaxBytes) throw notAllowed(`negotiated frame_max = ${frameMax} is higher than the maximum allowed value (${o.frameMaxBytes})`);
    const channelMax = m.channelMax === 0 ? o.channelMax : m.channelMax;
    if (channelMax > o.channelMax) throw notAllowed(`negotiated channel_max = ${channelMax} is higher than the maximum allowed value (${o.channelMax})`);
    this.frameMaxBytes = frameMax;
    this.channelMax = channelMax;
    this.decoder.setFrameMax(frameMax);
    this.heartbeatSec = m.heartbeat;
    this.state = 'open';
  }

  private onOpen(m: MethodByName<'connection.open'>): void {
    const session = Session.forUser(this.ctx.broker, this.user!, { vhost: m.virtualHost, peerAddress: this.transport.remoteAddress });
    this.sessionRef = session;
    this.state = 'ready';
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.unsubscribe.push(session.vhost.onQueueDeleted((e) => this.sourceDeleted(e.queue)));
    this.unsubscribe.push(session.vhost.onTopicDeleted((t) => this.sourceDeleted(t)));
    this.unsubscribe.push(this.ctx.broker.alarms.subscribe((active) => this.alarmsChanged(active)));
    this.sendMethod(0, { method: 'connection.open-ok' });
    this.openedAt = Date.now();
    this.ctx.logger.info(`amqp ${this.connectionId}: connection opened`, { event: 'connection.opened', ...this.logFields() });
    this.startHeartbeat();
    if (this.ctx.broker.alarms.blocking) this.alarmsChanged(this.ctx.broker.alarms.active);
  }

  private logFields() {
    return {
      protocol: 'amqp',
      connection: this.connectionId,
      client: peerText(this.transport.remoteAddress, this.transport.remotePort),
      user: this.sessionRef?.user.name,
      vhost: this.sessionRef?.vhost.name,
      ...clientFields(this.clientProperties),
    };
  }

  private startHeartbeat(): void {
    const sec = this.heartbeatSec;
    if (sec === 0) return;
    this.heartbeat = new Heartbeat(
      sec,
      () => this.transport.write(HEARTBEAT_FRAME),
      () => {
        this.closeReason = `missed heartbeats from the client (timeout ${sec} s)`;
        this.ctx.logger.info(`amqp ${this.connectionId}: missed heartbeats from client, timeout: ${sec}s`);
        this.finish(true);
      },
    );
  }

  /**
   * RabbitMQ's update-secret. Its internal user database keeps nothing per connection that a
   * new secret could change, so it answers update-secret-ok whatever the secret (observed with
   * RabbitMQ 3.10: a wrong one is answered ok too, and the connection stays open). The same
   * here: the user and their permissions stay as they were at login.
   */
  private onUpdateSecret(m: MethodByName<'connection.update-secret'>): void {
    this.ctx.logger.info(`amqp ${this.connectionId}: update-secret (${m.reason || 'no reason given'})`);
    this.sendMethod(0, { method: 'connection.update-secret-ok' });
  }

  /** Stops reading and processing frames until `p` settles (a failure closes the connection). */
  private hold(p: Promise<void>): void {
    this.held = true;
    this.pause(Pause.handshake);
    p.catch((e: unknown) => this.onError(e)).finally(() => {
      this.held = false;
      this.resume(Pause.handshake);
      this.continueReading();
    });
  }

  /** Processes what arrived while frames were held: the decoder's rest, then stashed chunks. */
  private continueReading(): void {
    if (this.state === 'closed') return;
    this.pump();
    while (!this.held && !this.writeLimited && this.stash.length > 0 && !this.isClosed) {
      try {
        this.decoder.push(this.stash.shift()!);
      } catch (e) {
        this.onError(e);
        return;
      }
      this.pump();
    }
  }

  // ---------------------------------------------------------------- channels

  private onChannelFrame(f: ChannelFrame): void {
    if (this.state !== 'ready') {
      if (this.state === 'closing') return; // discard everything but close / close-ok
      throw connectionError(ReplyCode.COMMAND_INVALID, `channel ${f.channel} used before the connection is open`);
    }
    const id = f.channel;
    const ch = this.channels.get(id);
    if (ch === undefined) {
      if (f.kind === 'method' && f.method.method === 'channel.open') return this.openChannel(id);
      if (f.kind === 'method' && f.method.method === 'channel.close-ok') return; // after a crossed close
      if (id > this.channelMax) throw notAllowed(`channel number ${id} is higher than the negotiated channel_max (${this.channelMax})`);
      throw connectionError(ReplyCode.CHANNEL_ERROR, `expected 'channel.open' on channel ${id}`);
    }
    if (ch.state === 'closing') {
      // We sent channel.close: discard all but close-ok, or a close that crossed ours.
      if (f.kind !== 'method') return;
      if (f.method.method === 'channel.close') this.sendMethod(id, { method: 'channel.close-ok' });
      if (f.method.method === 'channel.close' || f.method.method === 'channel.close-ok') this.released(id);
      return;
    }
    const cmd = this.assembler.accept(f);
    if (cmd !== null) ch.handle(cmd);
  }

  private openChannel(id: number): void {
    if (id > this.channelMax) throw notAllowed(`channel number ${id} is higher than the negotiated channel_max (${this.channelMax})`);
    const ch = new Channel(id, this);
    this.channels.set(id, ch);
    this.sendMethod(id, { method: 'channel.open-ok' });
  }

  released(id: number): void {
    this.channels.delete(id);
    this.assembler.reset(id);
  }

  /** A queue or a topic (stream) of this connection's vhost was deleted, by any protocol. */
  private sourceDeleted(source: Queue | Topic): void {
    for (const [n, ch] of this.channels) {
      if (ch.state !== 'open') continue;
      for (const tag of ch.sourceDeleted(source)) {
        this.ctx.logger.info(`amqp ${this.connectionId}: consumer '${tag}' cancelled by the broker: ${source.name} was deleted`, {
          event: 'consumer.cancelled', ...this.logFields(), channel: n, consumerTag: tag, queue: source.name, reason: 'queue deleted',
        });
      }
    }
  }

  // ---------------------------------------------------------------- output and flow

  send(frames: Buffer): void {
    if (this.state === 'closed') return;
    this.transport.write(frames);
    if (this.heartbeat !== null) this.heartbeat.sent = true;
    const unsent = this.transport.bufferedBytes;
    if (!this.writeBlocked && unsent > this.ctx.options.writeHighWaterBytes) {
      this.writeBlocked = true;
      this.updateChannelFlow();
    }
    // Replies other than deliveries (get-ok, confirms, returns) are not paused by the high-water
    // mark; a client that sends requests and never reads the answers is not served (or read
    // from) until it does.
    if (!this.writeLimited && unsent > this.ctx.options.writeLimitBytes) {
      this.writeLimited = true;
      this.pause(Pause.write);
    }
  }

  sendMethod(channel: number, method: AmqpMethodInput): void {
    this.send(encodeMethodFrame(channel, method, this.frameMaxBytes));
  }

  /** The transport flushed its buffer: consumers may go on. */
  drained(): void {
    const unsent = this.transport.bufferedBytes;
    if (this.writeLimited && unsent <= this.ctx.options.writeLimitBytes) {
      this.writeLimited = false;
      this.resume(Pause.write);
      for (const ch of [...this.channels.values()]) ch.writable();
      this.continueReading();
    }
    if (this.writeBlocked && unsent <= this.ctx.options.writeHighWaterBytes) {
      this.writeBlocked = false;
      this.updateChannelFlow();
    }
  }

  private updateChannelFlow(): void {
    for (const ch of [...this.channels.values()]) ch.updateFlow();
  }

  private pause(reason: number): void {
    const was = this.pauses;
    this.pauses |= reason;
    if (was === 0 && this.state !== 'closed') this.transport.setReading(false);
  }

  private resume(reason: number): void {
    if ((this.pauses & reason) === 0) return;
    this.pauses &= ~reason;
    if (this.pauses === 0 && this.state !== 'closed') this.transport.setReading(true);
  }

  publishStarted(): void {
    if (++this.pendingPublishes >= this.ctx.options.maxPendingPublishes) this.pause(Pause.publishes);
  }

  publishSettled(): void {
    if (--this.pendingPublishes <= this.ctx.options.maxPendingPublishes / 2) this.resume(Pause.publishes);
  }

  noticePublish(): void {
    if (this.ctx.broker.alarms.blocking) this.pause(Pause.alarm);
  }

  inboxOverflow(over: boolean): void {
    this.overfullInboxes += over ? 1 : -1;
    if (this.overfullInboxes > 0) this.pause(Pause.inbox);
    else this.resume(Pause.inbox);
  }

  private alarmsChanged(active: ReadonlySet<AlarmKind>): void {
    if (this.state !== 'ready') return;
    if (active.size > 0) {
      if (this.capabilities.connectionBlocked && !this.blockedSent) {
        this.blockedSent = true;
        this.sendMethod(0, { method: 'connection.blocked', reason: `low on ${[...active].join(' and ')}` });
      }
    } else {
      if (this.blockedSent) {
        this.blockedSent = false;
        this.sendMethod(0, { method: 'connection.unblocked' });
      }
      this.resume(Pause.alarm);
    }
  }

  // ---------------------------------------------------------------- closing

  /** A connection-level error: connection.close with its code, then wait for close-ok. */
  fail(err: AmqpError, framingBroken = false): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    const unopened = this.state !== 'ready';
    this.sendMethod(0, { method: 'connection.close', replyCode: err.replyCode, replyText: err.replyText, classId: err.classId, methodId: err.methodId });
    this.closeReason ??= `closed by the broker: ${err.replyCode} ${err.replyText}`;
    this.ctx.logger.info(`amqp ${this.connectionId}: closing: ${err.replyText}`);
    if (framingBroken || unopened) {
      // Nothing more can be read (501), or there is no session to keep (handshake failure).
      this.finish(false);
      return;
    }
    this.state = 'closing';
    this.releaseChannels();
    this.closeTimer = setTimeout(() => this.finish(true), this.ctx.options.closeTimeoutMs);
    this.closeTimer.unref();
  }

  /**
   * The client's connection.close closes every channel, so it keeps channel.close's promise
   * (Channel.closeByClient): close-ok once every channel's publishes are in their queues or refused, up to
   * closeDrainTimeoutMs. Meanwhile the connection is 'closing': channel frames are dropped, as
   * RabbitMQ drops frames after connection.close. Before 'ready' (no publishes), or when the
   * close crosses ours, close-ok goes at once.
   */
  private onClientClose(): void {
    this.closeReason ??= 'closed by the client';
    if (this.state !== 'ready') return this.closeOk();
    this.state = 'closing';
    let pending: Promise<void>[] | null = null;
    for (const ch of this.channels.values()) {
      const p = ch.publisher.settled();
      if (p !== null) (pending ??= []).push(p);
    }
    this.releaseChannels();
    if (pending === null) return this.closeOk();
    void settledWithin(pending, this.ctx.options.closeDrainTimeoutMs).then(() => this.closeOk());
  }

  private closeOk(): void {
    if (this.state === 'closed') return; // the socket went meanwhile
    this.sendMethod(0, { method: 'connection.close-ok' });
    this.finish(false);
  }

  /** The broker is shutting down (or the listener closing): CONNECTION_FORCED. */
  forceClose(reason: string): void {
    if (this.state === 'ready') this.fail(new AmqpError(ReplyCode.CONNECTION_FORCED, `broker forced connection closure with reason '${reason}'`, 'connection'));
    else this.finish(true);
  }

  /** Ends the connection: frees every resource, then ends (flushes) or destroys the socket. */
  finish(abort: boolean): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (abort) this.transport.destroy();
    else this.transport.end();
    this.transportClosed();
  }

  /** The socket is gone (or we ended it): release everything once. */
  transportClosed(): void {
    if (this.state !== 'closed') this.state = 'closed';
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.handshakeTimer = null;
    this.closeTimer = null;
    this.heartbeat?.stop();
    this.heartbeat = null;
    this.user = null;
    this.stash.length = 0;
    this.releaseChannels();
    for (const u of this.unsubscribe.splice(0)) u();
    if (this.openedAt > 0) {
      this.ctx.logger.info(`amqp ${this.connectionId}: connection closed`, {
        event: 'connection.closed', ...this.logFields(), reason: this.closeReason ?? 'the client closed the socket without connection.close', durationMs: Date.now() - this.openedAt,
      });
      this.openedAt = 0;
    }
    const session = this.sessionRef;
    if (session !== null) {
      this.sessionRef = null;
      session.vhost.ownerClosed(this.connectionId).catch((e: unknown) => this.ctx.logger.warn(`amqp ${this.connectionId}: deleting exclusive queues: ${(e as Error).message}`));
    }
    const cb = this.onClosed;
    this.onClosed = null;
    cb?.();
  }

  private releaseChannels(): void {
    for (const ch of this.channels.values()) {
      ch.release();
      if (ch.state === 'open') ch.state = 'closed';
    }
    if (this.state === 'closed') this.channels.clear();
  }

  describe(): { id: string; peer: string; user: string | null; vhost: string | null; channels: number; clientProperties: FieldTable } {
    return {
      id: this.connectionId,
      peer: this.transport.remoteAddress,
      user: this.sessionRef?.user.name ?? null,
      vhost: this.sessionRef?.vhost.name ?? null,
      channels: this.channels.size,
      clientProperties: this.clientProperties,
    };
  }
}

function notAllowed(text: string): AmqpError {
  return connectionError(ReplyCode.NOT_ALLOWED, text);
}
