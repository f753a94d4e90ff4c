/**
 * Binds a listener's sockets. 'localhost' means both loopback addresses, 127.0.0.1 and ::1
 * (where the machine has IPv6), since clients resolve the name either way and some connect to
 * [::1] (RabbitMQ listens on every address; Hopper stays on loopback unless told otherwise).
 * Any other host is bound as given ('::' is every address, IPv4 and IPv6).
 */
import type { AddressInfo, Server } from 'node:net';

export const LOOPBACK = 'localhost';

/** Addresses that, when missing on this machine, leave the listener on IPv4 loopback only. */
const NO_IPV6 = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT']);

export async function listenOn<S extends Server>(make: () => S, host: string, port: number): Promise<{ port: number; servers: S[] }> {
  if (host !== LOOPBACK) {
    const s = make();
    await listen(s, port, host);
    return { port: (s.address() as AddressInfo).port, servers: [s] };
  }
  // An ephemeral port free on 127.0.0.1 may be taken on ::1: try another.
  for (let attempt = 0; ; attempt++) {
    const v4 = make();
    await listen(v4, port, '127.0.0.1');
    const bound = (v4.address() as AddressInfo).port;
    const v6 = make();
    try {
      await listen(v6, bound, '::1');
      return { port: bound, servers: [v4, v6] };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (NO_IPV6.has(code)) return { port: bound, servers: [v4] };
      await close(v4);
      if (code !== 'EADDRINUSE' || port !== 0 || attempt >= 4) throw e;
    }
  }
}

function listen(s: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, host, () => {
      s.off('error', reject);
      resolve();
    });
  });
}

export function close(s: Server): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}
