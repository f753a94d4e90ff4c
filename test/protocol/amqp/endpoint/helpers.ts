/**
 * Test harness: a broker in a temp dir with an AMQP listener on an ephemeral port, amqplib as
 * the client, and a small raw client (codec-based) for handshake and hostile-bytes tests.
 */
import { connect as netConnect, type Socket } from 'node:net';
import amqp from 'amqplib';
import { Broker } from '../../../../src/core/broker/broker.js';
import type { BrokerOptions } from '../../../../src/core/broker/options.js';
import { CommandAssembler, type AmqpCommand } from '../../../../src/protocol/amqp/codec/command-assembler.js';
import { encodeMethodFrame } from '../../../../src/protocol/amqp/codec/encode.js';
import { encodeTable } from '../../../../src/protocol/amqp/codec/field-table-write.js';
import { PROTOCOL_HEADER } from '../../../../src/protocol/amqp/codec/frame.js';
import { FrameDecoder, type AmqpFrame } from '../../../../src/protocol/amqp/codec/frame-decoder.js';
import type { AmqpMethodInput } from '../../../../src/protocol/amqp/codec/methods/registry.js';
import { listenAmqp, type AmqpListener, type AmqpListenerOptions } from '../../../../src/protocol/amqp/server/listener.js';
import { tempDir } from '../../../helpers/tmp.js';
import { diskFs } from '../../../../src/storage/fs/index.js';
import type { StorageFile, StorageFs } from '../../../../src/storage/fs/types.js';

export interface TestBroker {
  broker: Broker;
  listener: AmqpListener;
  url: string;
  dataDir: string;
  connect(opts?: Record<string, unknown>): Promise<amqp.ChannelModel>;
  /** Stops listener and broker, keeping the data (for restart tests). */
  stopKeepingData(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBroker(
  opts: { listener?: AmqpListenerOptions; broker?: Partial<BrokerOptions>; dataDir?: string; cleanup?: () => Promise<void> } = {},
): Promise<TestBroker> {
  let dataDir = opts.dataDir;
  let cleanup = opts.cleanup ?? (async () => {});
  if (dataDir === undefined) {
    const t = await tempDir('hopper-amqp-');
    dataDir = t.dir;
    cleanup = t.cleanup;
  }
  const broker = await Broker.open({ dataDir, ...opts.broker });
  const listener = await listenAmqp(broker, { port: 0, ...opts.listener });
  const url = `amqp://guest:guest@127.0.0.1:${listener.port}`;
  const opened: amqp.ChannelModel[] = [];
  let stopped = false;
  const stopKeepingData = async () => {
    if (stopped) return;
    stopped = true;
    for (const c of opened) await c.close().catch(() => undefined);
    await listener.close();
    await broker.close();
  };
  return {
    broker,
    listener,
    url,
    dataDir,
    async connect(o = {}) {
      const c = await amqp.connect(url, o);
      c.on('error', () => undefined);
      opened.push(c);
      return c;
    },
    stopKeepingData,
    async stop() {
      await stopKeepingData();
      await cleanup();
    },
  };
}

/** Resolves with the close error amqplib reports for a channel. */
export function channelClosed(ch: amqp.Channel): Promise<{ code: number; message: string }> {
  return new Promise((resolve) => {
    ch.once('error', (e: { code: number; message: string }) => resolve(e));
  });
}

/** Resolves with the error a connection was closed with ('error', or 'close' for 320). */
export function connectionClosed(c: amqp.ChannelModel): Promise<{ code: number; message: string }> {
  return new Promise((resolve) => {
    c.once('error', (e: { code: number; message: string }) => resolve(e));
    c.once('close', (e?: { code: number; message: string }) => {
      if (e) resolve(e);
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Collects deliveries of a consumer into an array. */
export async function collect(ch: amqp.Channel, queue: string, opts: amqp.Options.Consume = {}): Promise<{ msgs: amqp.ConsumeMessage[]; tag: string }> {
  const msgs: amqp.ConsumeMessage[] = [];
  const { consumerTag } = await ch.consume(queue, (m) => {
    if (m) msgs.push(m);
  }, opts);
  return { msgs, tag: consumerTag };
}

/**
 * A raw AMQP client over a socket: send frames or arbitrary bytes, read decoded frames.
 * Enough for handshakes, heartbeats and hostile input.
 */
export class RawClient {
  private readonly decoder = new FrameDecoder({ preTuneFrameMaxBytes: 1 << 20 });
  private readonly assembler = new CommandAssembler();
  readonly frames: AmqpFrame[] = [];
  readonly commands: AmqpCommand[] = [];
  readonly raw: Buffer[] = [];
  closed = false;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.raw.push(chunk);
      try {
        this.decoder.push(chunk);
        for (let f = this.decoder.next(); f !== null; f = this.decoder.next()) {
          this.frames.push(f);
          if (f.kind !== 'heartbeat' && f.kind !== 'protocol-header') {
            const c = this.assembler.accept(f);
            if (c) this.commands.push(c);
          }
        }
      } catch {
        // Not AMQP frames (a protocol header reply): kept in raw.
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  /** `localAddress`: another loopback source address (127.x.y.z), as another client machine. */
  static connect(port: number, localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = netConnect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  send(channel: number, method: AmqpMethodInput): void {
    this.socket.write(encodeMethodFrame(channel, method));
  }

  async until<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error('raw client: timed out');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** Waits for a method command by name (from index `from`). */
  async method(name: string, timeoutMs = 5000): Promise<AmqpCommand> {
    return this.until(() => this.commands.find((c) => c.method.method === name), timeoutMs);
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await this.until(() => (this.closed ? true : undefined), timeoutMs);
  }

  /** Runs the handshake up to open-ok as guest on '/'. */
  async handshake(opts: { heartbeat?: number; frameMax?: number; channelMax?: number; vhost?: string; capabilities?: Record<string, boolean> } = {}): Promise<void> {
    this.write(PROTOCOL_HEADER as Buffer);
    await this.method('connection.start');
    this.send(0, {
      method: 'connection.start-ok',
      clientProperties:
        opts.capabilities === undefined
          ? {}
          : { capabilities: { type: 'table', value: Object.fromEntries(Object.entries(opts.capabilities).map(([k, v]) => [k, { type: 'bool', value: v }])) } },
      mechanism: 'PLAIN',
      response: Buffer.from('\u0000guest\u0000guest'),
      locale: 'en_US',
    });
    const tune = await this.method('connection.tune');
    const t = tune.method as { frameMax: number; channelMax: number };
    this.send(0, { method: 'connection.tune-ok', channelMax: opts.channelMax ?? t.channelMax, frameMax: opts.frameMax ?? t.frameMax, heartbeat: opts.heartbeat ?? 0 });
    this.decoder.setFrameMax(opts.frameMax ?? t.frameMax);
    this.send(0, { method: 'connection.open', virtualHost: opts.vhost ?? '/' });
    await this.method('connection.open-ok', 2000);
  }

  close(): void {
    this.socket.destroy();
  }
}

export { encodeTable };

/** The disk, with datasync of chosen files held until release(). */
export function gatedFs() {
  let match: ((path: string) => boolean) | null = null;
  let released: (() => void)[] = [];
  const gate = {
    waiting: 0,
    hold(m: (path: string) => boolean) {
      match = m;
    },
    release() {
      match = null;
      const r = released;
      released = [];
      gate.waiting = 0;
      for (const fn of r) fn();
    },
    fs: Object.create(diskFs) as StorageFs,
  };
  gate.fs.open = async (path, mode) => {
    const f = await diskFs.open(path, mode);
    const wrapped: StorageFile = Object.create(f);
    wrapped.datasync = async () => {
      if (match !== null && match(path)) {
        gate.waiting++;
        await new Promise<void>((r) => released.push(r));
      }
      return f.datasync();
    };
    return wrapped;
  };
  return gate;
}

