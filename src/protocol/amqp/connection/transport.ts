/**
 * The connection's view of its socket. The connection state machine writes frames and asks for
 * reading to pause; the glue (server/socket-transport.ts) coalesces writes per tick and calls
 * back on drain and close. Tests drive a connection through an in-memory Transport.
 */
export interface Transport {
  /** The client's address, for loopback-only users (guest). */
  readonly remoteAddress: string;
  /** The client's port, for logs (absent on in-memory transports). */
  readonly remotePort?: number;
  /** Bytes written but not yet handed to the kernel. */
  readonly bufferedBytes: number;
  write(bytes: Buffer): void;
  /** Stops (false) or restarts (true) reading from the socket. */
  setReading(on: boolean): void;
  /** Flushes what is written, then closes. */
  end(): void;
  /** Closes at once, dropping unsent bytes. */
  destroy(): void;
}
