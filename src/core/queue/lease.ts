/**
 * Leases: messages handed out and not yet settled. A lease is bound either to a push consumer
 * (released when it is cancelled) or to a visibility deadline (released when it passes), or to
 * nothing (AMQP basic.get: the protocol layer releases it with its channel).
 *
 * The table answers a settle by lease id. Ids of leases that expired recently are remembered
 * (bounded) so a late settle gets LEASE_EXPIRED rather than UNKNOWN_DELIVERY; a stale id never
 * matches a later delivery of the same message, which gets a new id.
 */
import { HopperError } from '../errors.js';
import type { Group } from './ready-set.js';
import { MinHeap } from './min-heap.js';

/** The consumer side of a lease: credit accounting and an intrusive list of its leases. */
export interface LeaseOwner {
  inFlight: number;
  inFlightBytes: number;
  first: Lease | null;
}

export class Lease {
  /** Intrusive list links within the owner's leases (no allocation per delivery). */
  prev: Lease | null = null;
  next: Lease | null = null;
  active = true;
  constructor(
    readonly id: string,
    readonly offset: number,
    readonly size: number,
    readonly expiresAt: number,
    readonly level: number,
    readonly group: Group | null,
    readonly deliveryCount: number,
    readonly owner: LeaseOwner | null,
    /** Visibility deadline; Infinity when bound to a consumer or to nothing. */
    public deadline: number,
  ) {}
}

export class LeaseTable {
  private readonly byId = new Map<string, Lease>();
  private readonly expiredIds = new Set<string>();
  readonly deadlines = new MinHeap<Lease>();
  bytes = 0;

  constructor(private readonly expiredMemory: number) {}

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<Lease> {
    return this.byId.values();
  }

  add(lease: Lease): void {
    this.byId.set(lease.id, lease);
    this.bytes += lease.size;
    const o = lease.owner;
    if (o !== null) {
      o.inFlight++;
      o.inFlightBytes += lease.size;
      lease.next = o.first;
      if (o.first !== null) o.first.prev = lease;
      o.first = lease;
    }
    if (lease.deadline !== Infinity) this.deadlines.push(lease.deadline, lease);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The active lease with this id; throws UNKNOWN_DELIVERY or LEASE_EXPIRED. */
  get(id: string): Lease {
    const lease = this.byId.get(id);
    if (lease !== undefined) return lease;
    if (this.expiredIds.has(id)) throw new HopperError('LEASE_EXPIRED', `lease ${id} expired and its message is visible again`);
    throw new HopperError('UNKNOWN_DELIVERY', `unknown or already settled lease ${id}`);
  }

  /** Ends a lease (settle or release). `expired`: remember the id for LEASE_EXPIRED answers. */
  remove(lease: Lease, expired = false): void {
    this.byId.delete(lease.id);
    lease.active = false;
    this.bytes -= lease.size;
    const o = lease.owner;
    if (o !== null) {
      o.inFlight--;
      o.inFlightBytes -= lease.size;
      if (lease.prev !== null) lease.prev.next = lease.next;
      else o.first = lease.next;
      if (lease.next !== null) lease.next.prev = lease.prev;
      lease.prev = lease.next = null;
    }
    if (expired) {
      this.expiredIds.add(lease.id);
      if (this.expiredIds.size > this.expiredMemory) {
        const oldest = this.expiredIds.values().next().value;
        if (oldest !== undefined) this.expiredIds.delete(oldest);
      }
    }
  }

  /** Re-arms a visibility deadline (stale heap entries are skipped by popDue). */
  setDeadline(lease: Lease, deadline: number): void {
    lease.deadline = deadline;
    if (deadline !== Infinity) this.deadlines.push(deadline, lease);
  }

  /** The next lease whose deadline is <= now, or null. */
  popDue(now: number): Lease | null {
    const h = this.deadlines;
    while (h.length > 0 && h.peekKey() <= now) {
      const key = h.peekKey();
      const lease = h.pop()!;
      if (lease.active && lease.deadline === key) {
        // Return each lease once. A changeVisibility back to the same deadline (or to a deadline
        // it had before) leaves a second heap entry with this key, and the lease stays active
        // until the caller releases it: tick() pops every due lease before releasing any. The
        // lease would then come back twice and its message would sit in the ready set twice.
        // The deadline has passed, so the lease no longer has one: that makes the other entries stale.
        lease.deadline = Infinity;
        return lease;
      }
    }
    return null;
  }

  /** Earliest live deadline (stale entries may make this early; popDue then finds nothing). */
  nextDeadline(): number {
    const h = this.deadlines;
    while (h.length > 0) {
      const l = h.peekValue()!;
      if (l.active && l.deadline === h.peekKey()) return h.peekKey();
      h.pop();
    }
    return Infinity;
  }
}
