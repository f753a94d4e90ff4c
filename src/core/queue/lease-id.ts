/**
 * Lease ids (SQS receipt handles, the target of AMQP delivery tags): a per-queue counter for
 * uniqueness plus 64 random bits so a handle cannot be guessed from another. Random bytes come
 * from a pooled buffer refilled 512 ids at a time, so a delivery costs one short string.
 */
import { randomFillSync } from 'node:crypto';

const RANDOM_BYTES = 8;
const POOL_BYTES = 512 * RANDOM_BYTES;

export class LeaseIdGenerator {
  private readonly pool = Buffer.allocUnsafe(POOL_BYTES);
  private pos = POOL_BYTES;
  private counter = 0;
  /** Distinguishes ids of this open from those of an earlier one (the counter restarts). */
  private readonly epoch: string;

  constructor() {
    this.epoch = randomFillSync(Buffer.allocUnsafe(3)).toString('base64url');
  }

  next(): string {
    if (this.pos === POOL_BYTES) {
      randomFillSync(this.pool);
      this.pos = 0;
    }
    const r = this.pool.toString('base64url', this.pos, this.pos + RANDOM_BYTES);
    this.pos += RANDOM_BYTES;
    return `${this.epoch}${(this.counter++).toString(36)}.${r}`;
  }
}
