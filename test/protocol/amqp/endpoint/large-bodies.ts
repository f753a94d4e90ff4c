/** Message bodies of the size classes the large-message tests use, each recognisable by its bytes. */
import { createHash } from 'node:crypto';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Body sizes: empty, tiny, around the queue's read-ahead budget (768 KiB), past it and past
 * the cache of recent publishes (8 MiB), up to the largest allowed (maxMessageBytes, 16 MiB).
 */
export const SIZES = [0, 1, 100 * KiB, 767 * KiB, 768 * KiB, MiB, 4 * MiB, 16 * MiB];

/** A body whose bytes depend on its size and a seed, so a mix-up or a torn copy shows. */
export function body(size: number, seed = 0): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = (size * 2654435761 + seed * 40503 + 1) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export function digest(b: Buffer | null): string {
  return createHash('sha256').update(b ?? Buffer.alloc(0)).digest('hex');
}
