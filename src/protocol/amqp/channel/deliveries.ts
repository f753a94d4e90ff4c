/**
 * A channel's unacknowledged deliveries, by delivery tag. Tags grow by one per delivery on the
 * channel, and a Map iterates in insertion order, so "every tag up to N" (multiple=true) is a
 * walk from the front. Each entry names what settles it: a queue lease (leaseId), or a stream
 * consumer's credit (owner.settled).
 */
import type { Queue } from '../../../core/queue/queue.js';

export interface DeliveryOwner {
  /** A delivery of this owner was acked, nacked or rejected (stream consumers refill credit). */
  settled(entry: Unacked): void;
}

export interface Unacked {
  readonly tag: number;
  /** '' for deliveries that have no lease (stream reads). */
  readonly leaseId: string;
  readonly queue: Queue | null;
  /** The consumer it went to; null for basic.get. */
  readonly owner: DeliveryOwner | null;
  readonly size: number;
}

export class DeliveryTable {
  private readonly byTag = new Map<number, Unacked>();
  /** Entries delivered to consumers (the count a global basic.qos limits). */
  consumerCount = 0;

  get size(): number {
    return this.byTag.size;
  }

  add(entry: Unacked): void {
    this.byTag.set(entry.tag, entry);
    if (entry.owner !== null) this.consumerCount++;
  }

  /**
   * Removes and returns the entries `tag` and `multiple` name, in tag order; undefined when
   * `tag` is not outstanding (RabbitMQ's "unknown delivery tag"). multiple with tag 0: all.
   */
  take(tag: number, multiple: boolean): Unacked[] | undefined {
    if (multiple && tag === 0) return this.takeAll();
    const e = this.byTag.get(tag);
    if (e === undefined) return undefined;
    if (!multiple) {
      this.remove(e);
      return [e];
    }
    const out: Unacked[] = [];
    for (const x of this.byTag.values()) {
      if (x.tag > tag) break;
      out.push(x);
    }
    for (const x of out) this.remove(x);
    return out;
  }

  takeAll(): Unacked[] {
    const out = [...this.byTag.values()];
    this.byTag.clear();
    this.consumerCount = 0;
    return out;
  }

  /** Puts entries back (tx.rollback), keeping tag order. */
  restore(entries: readonly Unacked[]): void {
    if (entries.length === 0) return;
    const all = [...this.byTag.values(), ...entries].sort((a, b) => a.tag - b.tag);
    this.byTag.clear();
    this.consumerCount = 0;
    for (const e of all) this.add(e);
  }

  private remove(e: Unacked): void {
    this.byTag.delete(e.tag);
    if (e.owner !== null) this.consumerCount--;
  }
}
