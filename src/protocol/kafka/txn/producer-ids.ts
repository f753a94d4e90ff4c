/**
 * Producer ids, for idempotent and transactional producers alike. An id must never be handed
 * out twice: two producers sharing one would have each other's batches taken for retries (a
 * partition log answers a batch whose producer id, epoch and sequences it has seen with the
 * earlier batch's offset, and does not store it), so acknowledged records would be lost.
 *
 * As Kafka's controller does, ids are reserved in blocks, and a block's end is made durable
 * (<dataDir>/vhosts/<vhost>/kafka-producer-ids, written atomically) before its first id is
 * handed out, so a restarted broker goes on after every id it may have handed out, whatever its
 * clock says. A data directory without the file (Hopper before this file existed took ids from
 * the clock, 2^10 per ms) starts from the clock the same way.
 */
import { dirname, join } from 'node:path';
import type { Broker } from '../../../core/broker/broker.js';
import { HopperError } from '../../../core/errors.js';
import { paths } from '../../../core/paths.js';

/** Ids reserved by one durable write. */
export const PRODUCER_ID_BLOCK = 1000;

export const PRODUCER_IDS_FILE = 'kafka-producer-ids';

export class ProducerIdAllocator {
  /** The next id to hand out and the end (exclusive) of the reserved block; -1 before the first. */
  private next = -1;
  private end = -1;
  private reserving: Promise<void> | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly path: string,
  ) {}

  async allocate(): Promise<number> {
    while (this.next >= this.end) {
      this.reserving ??= this.reserve().finally(() => {
        this.reserving = null;
      });
      await this.reserving;
    }
    return this.next++;
  }

  private async reserve(): Promise<void> {
    const fs = this.broker.ctx.fs;
    let start = this.end;
    if (start < 0) {
      let saved: Buffer | null = null;
      try {
        saved = await fs.readFile(this.path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      start = saved === null ? this.broker.ctx.clock.now() * 1024 : parseEnd(saved, this.path);
    }
    const end = start + PRODUCER_ID_BLOCK;
    if (!Number.isSafeInteger(end)) throw new HopperError('STORAGE_FAILED', `producer ids exhausted (${this.path})`);
    await fs.mkdirp(dirname(this.path));
    await fs.writeFileAtomic(this.path, Buffer.from(`${end}\n`));
    this.next = start;
    this.end = end;
  }
}

function parseEnd(bytes: Buffer, path: string): number {
  const text = bytes.toString('latin1').trim();
  const n = Number(text);
  // Only an atomic write makes this file: anything else is damage, and guessing could reissue ids.
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new HopperError('STORAGE_FAILED', `${path} does not hold a producer id: ${JSON.stringify(text.slice(0, 40))}`);
  return n;
}

/** One allocator per broker and vhost: every Kafka endpoint on the vhost draws from it. */
const allocators = new WeakMap<Broker, Map<string, ProducerIdAllocator>>();

export function producerIds(broker: Broker, vhost: string): ProducerIdAllocator {
  let byVhost = allocators.get(broker);
  if (!byVhost) allocators.set(broker, (byVhost = new Map()));
  let a = byVhost.get(vhost);
  if (!a) byVhost.set(vhost, (a = new ProducerIdAllocator(broker, join(paths.vhost(broker.dataDir, vhost), PRODUCER_IDS_FILE))));
  return a;
}
