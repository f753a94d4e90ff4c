/** A minimal raw Kafka client over a socket for protocol-level tests: send frames, read answers. */
import { connect, type Socket } from 'node:net';
import type { ApiDef, RequestInputOf, ResponseOf } from '../../../../src/protocol/kafka/codec/api-def.js';
import { decodeResponse, encodeRequest } from '../../../../src/protocol/kafka/codec/message.js';

export class RawClient {
  private buf = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void)[] = [];
  private frames: Buffer[] = [];
  closed = false;
  private closeWaiters: (() => void)[] = [];
  private nextCorrelation = 1;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 4) {
        const size = this.buf.readInt32BE(0);
        if (this.buf.length < 4 + size) break;
        const frame = this.buf.subarray(4, 4 + size);
        this.buf = this.buf.subarray(4 + size);
        const w = this.waiting.shift();
        if (w) w(frame);
        else this.frames.push(frame);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const c of this.closeWaiters) c();
    });
  }

  /** Connects to 127.0.0.1; `localAddress` (another loopback address, 127.0.0.2) makes it another client address. */
  static open(port: number, localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1', ...(localAddress === undefined ? {} : { localAddress }) }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  write(bytes: Buffer | Buffer[]): void {
    for (const b of Array.isArray(bytes) ? bytes : [bytes]) this.socket.write(b);
  }

  send<A extends ApiDef>(api: A, version: number, body: RequestInputOf<A>): number {
    const correlationId = this.nextCorrelation++;
    this.write(encodeRequest(api, version, { correlationId, clientId: 'raw' }, body));
    return correlationId;
  }

  nextFrame(timeoutMs = 5000): Promise<Buffer> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no response')), timeoutMs);
      this.waiting.push((frame) => {
        clearTimeout(t);
        resolve(frame);
      });
    });
  }

  async receive<A extends ApiDef>(api: A, version: number): Promise<{ correlationId: number; body: ResponseOf<A> }> {
    return decodeResponse(api, version, await this.nextFrame());
  }

  /** Resolves when the broker closes the connection (rejects after timeoutMs). */
  waitClosed(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('connection stayed open')), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
