/**
 * A minimal AMQP 0-9-1 client over a plain socket for latency benchmarks: it leaves TCP_NODELAY
 * off (Nagle's algorithm on, the kernel default) and can write a publish's method, header and
 * body frames as separate writes, as some clients do. That is the combination where Nagle's
 * algorithm on the client meets delayed ACKs on the broker.
 */
import { connect, type Socket } from 'node:net';
import { CommandAssembler, type AmqpCommand } from '../../src/protocol/amqp/codec/command-assembler.js';
import { encodeMessage, encodeMethodFrame } from '../../src/protocol/amqp/codec/encode.js';
import { PROTOCOL_HEADER } from '../../src/protocol/amqp/codec/frame.js';
import { FrameDecoder } from '../../src/protocol/amqp/codec/frame-decoder.js';
import type { BasicProperties } from '../../src/protocol/amqp/codec/content-header.js';

const FRAME_MAX_BYTES = 131_072;

export class RawAmqpClient {
  private readonly decoder = new FrameDecoder({ preTuneFrameMaxBytes: FRAME_MAX_BYTES });
  private readonly assembler = new CommandAssembler();
  private readonly commands: AmqpCommand[] = [];
  private wake: (() => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let f = this.decoder.next(); f !== null; f = this.decoder.next()) {
        if (f.kind === 'heartbeat' || f.kind === 'protocol-header') continue;
        const c = this.assembler.accept(f);
        if (c !== null) this.commands.push(c);
      }
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  /** Connects as guest to vhost '/' and opens channel 1. */
  static async open(port: number): Promise<RawAmqpClient> {
    const s = connect({ port, host: '127.0.0.1', noDelay: false });
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    s.setNoDelay(false);
    const c = new RawAmqpClient(s);
    s.write(PROTOCOL_HEADER as Buffer);
    await c.next('connection.start');
    s.write(encodeMethodFrame(0, { method: 'connection.start-ok', clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\u0000guest\u0000guest'), locale: 'en_US' }));
    await c.next('connection.tune');
    s.write(encodeMethodFrame(0, { method: 'connection.tune-ok', channelMax: 16, frameMax: FRAME_MAX_BYTES, heartbeat: 0 }));
    s.write(encodeMethodFrame(0, { method: 'connection.open', virtualHost: '/' }));
    await c.next('connection.open-ok');
    s.write(encodeMethodFrame(1, { method: 'channel.open' }));
    await c.next('channel.open-ok');
    return c;
  }

  /** The next command named `name` (earlier ones of other names are kept). */
  async next(name: string): Promise<AmqpCommand> {
    for (;;) {
      const i = this.commands.findIndex((c) => c.method.method === name);
      if (i >= 0) return this.commands.splice(i, 1)[0]!;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async consumeNoAck(queue: string): Promise<void> {
    this.socket.write(encodeMethodFrame(1, { method: 'basic.consume', queue, consumerTag: '', noLocal: false, noAck: true, exclusive: false, nowait: false, arguments: {} }));
    await this.next('basic.consume-ok');
  }

  /** basic.publish to the default exchange; `splitFrames` writes each frame separately. */
  publish(routingKey: string, properties: BasicProperties, body: Buffer, splitFrames: boolean): void {
    const frames = encodeMessage(1, { method: 'basic.publish', exchange: '', routingKey, mandatory: false, immediate: false }, properties, body, FRAME_MAX_BYTES);
    if (!splitFrames) {
      this.socket.write(frames);
      return;
    }
    for (let off = 0; off < frames.length; ) {
      const size = frames.readUInt32BE(off + 3) + 8; // type, channel, size, payload, frame-end
      this.socket.write(frames.subarray(off, off + size));
      off += size;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
