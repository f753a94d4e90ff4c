/**
 * Sends hostile byte streams to a live listener, several connections at a time, and waits for
 * each to end: the broker closes it, or it goes quiet and is dropped. Nothing here judges the
 * answers; the tests check that the broker survives and keeps serving everyone else.
 */
import { connect } from 'node:net';

export interface BlastOptions {
  port: number;
  /** A connection that has received nothing for this long after its last write is dropped. */
  quietMs: number;
  /** Connections open at once. */
  concurrency: number;
}

/** Writes each stream's pieces in order on its own connection; resolves when all have ended. */
export async function blast(streams: readonly Buffer[][], o: BlastOptions): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < streams.length) await one(streams[next++]!, o);
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, streams.length) }, worker));
}

function one(pieces: readonly Buffer[], o: BlastOptions): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(o.port, '127.0.0.1');
    let timer: NodeJS.Timeout | undefined;
    const quiet = () => {
      clearTimeout(timer);
      timer = setTimeout(() => s.destroy(), o.quietMs);
    };
    s.on('connect', () => {
      for (const p of pieces) {
        if (s.destroyed) break;
        s.write(p);
      }
      quiet();
    });
    // Reading keeps the broker's writes flowing (a client that never reads is a separate test).
    s.on('data', quiet);
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
