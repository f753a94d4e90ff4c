/**
 * A listener's connection caps: in all (Kafka's max.connections, AMQP's maxConnections) and per
 * client address (Kafka's max.connections.per.ip), so that one address cannot take every
 * connection the listener allows. A connection over either cap is closed at once; the refusals
 * are logged at most once per REFUSAL_LOG_INTERVAL_MS, with the count since the last line, so a
 * flood of connection attempts does not flood the log.
 */
import type { Socket } from 'node:net';
import type { Logger } from './logger.js';

export interface ConnectionCaps {
  /** Open connections in all; 0: no limit. */
  maxConnections: number;
  /** Open connections from one client address; 0: no limit. */
  maxConnectionsPerAddress: number;
}

export const REFUSAL_LOG_INTERVAL_MS = 10_000;

/** The client address a connection counts against: an IPv4-mapped IPv6 address is its IPv4 one. */
export function clientAddress(socket: Socket): string {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export class ConnectionLimits {
  private open = 0;
  private readonly byAddress = new Map<string, number>();
  private refusedSinceLog = 0;
  private lastLogMs = -Infinity;

  constructor(
    private readonly caps: ConnectionCaps,
    private readonly what: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Counts the socket against the caps and returns the function that stops counting it (call it
   * when the connection is gone; later calls do nothing); or, over a cap, destroys the socket,
   * logs (rate-limited) and returns null.
   */
  admit(socket: Socket): (() => void) | null {
    const address = clientAddress(socket);
    const n = this.byAddress.get(address) ?? 0;
    const { maxConnections, maxConnectionsPerAddress } = this.caps;
    let why: string | null = null;
    if (maxConnections > 0 && this.open >= maxConnections) why = `${this.open} connections open (maxConnections ${maxConnections})`;
    else if (maxConnectionsPerAddress > 0 && n >= maxConnectionsPerAddress) why = `${n} connections open from ${address} (maxConnectionsPerAddress ${maxConnectionsPerAddress})`;
    if (why !== null) {
      this.refused(address, why);
      socket.destroy();
      return null;
    }
    this.open++;
    this.byAddress.set(address, n + 1);
    let counted = true;
    return () => {
      if (!counted) return;
      counted = false;
      this.open--;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
    };
  }

  /** Open connections, in all or from one address (tests and diagnostics). */
  count(address?: string): number {
    return address === undefined ? this.open : this.byAddress.get(address) ?? 0;
  }

  private refused(address: string, why: string): void {
    this.refusedSinceLog++;
    const now = Date.now();
    if (now - this.lastLogMs < REFUSAL_LOG_INTERVAL_MS) return;
    const more = this.refusedSinceLog > 1 ? ` (${this.refusedSinceLog - 1} more refused since the last such line)` : '';
    this.logger.warn(`${this.what}: refusing connection from ${address}: ${why}${more}`);
    this.refusedSinceLog = 0;
    this.lastLogMs = now;
  }
}
