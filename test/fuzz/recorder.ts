/**
 * A TCP proxy that records what clients send: a real client runs a real session through it,
 * and the bytes it wrote become the seed corpus for endpoint fuzzing (real frames, as the
 * client library encodes them, rather than frames made by our own encoder).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Recorder {
  readonly port: number;
  /** Client-to-server bytes, one entry per proxied connection, in connection order. */
  sessions(): Buffer[];
  close(): Promise<void>;
}

export async function startRecorder(targetPort: number): Promise<Recorder> {
  const recorded: Buffer[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const chunks: Buffer[] = [];
    recorded.push(chunks);
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('recorder has no port');
  return {
    port: address.port,
    sessions: () => recorded.map((c) => Buffer.concat(c)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
