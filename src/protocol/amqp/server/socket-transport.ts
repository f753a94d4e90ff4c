/**
 * The thin glue between a net.Socket and an AmqpConnection. Writes made in one turn of the
 * event loop are corked and go out together (one syscall for a burst of deliveries or
 * confirms); 'drain' tells the connection its consumers may go on; socket errors and close
 * end the connection. Nothing here understands AMQP.
 */
import type { Socket } from 'node:net';
import type { AmqpConnection } from '../connection/connection.js';
import type { Transport } from '../connection/transport.js';

export class SocketTransport implements Transport {
  private corked = false;
  readonly remoteAddress: string;
  readonly remotePort: number | undefined;

  constructor(private readonly socket: Socket) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort;
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  write(bytes: Buffer): void {
    const s = this.socket;
    if (s.destroyed || s.writableEnded) return;
    if (!this.corked) {
      this.corked = true;
      s.cork();
      process.nextTick(this.uncork);
    }
    s.write(bytes);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  setReading(on: boolean): void {
    if (on) this.socket.resume();
    else this.socket.pause();
  }

  end(): void {
    if (this.corked) this.uncork();
    this.socket.end();
    // A peer that never reads would keep a half-closed socket forever.
    setTimeout(() => this.socket.destroy(), 5_000).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Wires socket events to the connection. */
  attach(conn: AmqpConnection): void {
    const s = this.socket;
    s.on('data', (chunk: Buffer) => {
      try {
        conn.receive(chunk);
      } catch (e) {
        // receive() turns every failure into a close; reaching here is a bug, never fatal.
        conn.ctx.logger.error(`amqp ${conn.connectionId}: unexpected error: ${(e as Error).stack ?? String(e)}`);
        conn.finish(true);
      }
    });
    s.on('drain', () => conn.drained());
    s.on('error', () => {
      // ECONNRESET and the like: 'close' follows.
    });
    s.on('close', () => conn.transportClosed());
  }
}
