/**
 * One share partition (KIP-932): a share group's consumption state of one topic partition. It
 * is a follower queue (Queue with QueueParts.follower) over the topic partition's log, so the
 * states Kafka gives in-flight records are the queue's own: Available is ready, Acquired is
 * leased (the acquisition lock is the lease's visibility deadline), Acknowledged and Archived
 * are settled; the share-partition start offset is the queue's settled floor. Acquisition,
 * lock expiry, delivery counting, the delivery limit and dead-lettering are the queue's (the
 * same code AMQP and SQS consumers go through), durable in its state log.
 *
 * What is added here is Kafka's addressing: records are acknowledged by offset, by the member
 * that acquired them, so the partition remembers which lease and member hold each offset.
 */
import { HopperError } from '../errors.js';
import type { Queue } from '../queue/queue.js';
import type { FollowedLog } from './followed-log.js';

/** Kafka's acknowledge types (ShareFetch/ShareAcknowledge AcknowledgeTypes). */
export const AckType = { gap: 0, accept: 1, release: 2, reject: 3, renew: 4 } as const;
export type AckTypeCode = (typeof AckType)[keyof typeof AckType];

export interface AcquiredRecord {
  offset: number;
  deliveryCount: number;
}

interface Holding {
  leaseId: string;
  memberId: string;
}

export class SharePartition {
  /** Offsets acquired (leased) and by whom; entries of leases that expired are found stale on use. */
  private readonly held = new Map<number, Holding>();
  private readonly byMember = new Map<string, Set<number>>();

  constructor(
    readonly queue: Queue,
    readonly view: FollowedLog,
    /** Most records acquired at once (group.share.partition.max.record.locks). */
    private readonly maxRecordLocks: number,
  ) {}

  /** Kafka's share-partition start offset: every record below is acknowledged or archived. */
  get startOffset(): number {
    return this.queue.settledFloor;
  }

  /**
   * Records from the start offset on that are neither acknowledged nor archived (Kafka's share
   * lag): those the queue holds unsettled, and those appended since it last looked.
   */
  get lag(): number {
    const s = this.queue.stats();
    return Math.max(0, this.view.nextOffset - this.queue.end) + s.ready + s.inFlight + s.delayed + this.queue.internals().deadLettering;
  }

  get inFlight(): number {
    return this.queue.stats().inFlight;
  }

  /**
   * Acquires up to maxRecords available records for the member, locked for lockMs. Returns at
   * once with what is available now (none when nothing is, or when maxRecordLocks are held).
   */
  async acquire(memberId: string, maxRecords: number, lockMs: number): Promise<AcquiredRecord[]> {
    const q = this.queue;
    q.follow(this.view.nextOffset);
    const room = this.maxRecordLocks - q.stats().inFlight;
    if (room <= 0 || maxRecords <= 0) return [];
    this.prune();
    let got;
    try {
      got = await q.receive({ max: Math.min(maxRecords, room), visibilityTimeoutMs: lockMs, waitMs: 0 });
    } catch (e) {
      if (e instanceof HopperError && (e.code === 'TOO_MANY_IN_FLIGHT' || e.code === 'CLOSED')) return [];
      throw e;
    }
    const out: AcquiredRecord[] = [];
    let mine = this.byMember.get(memberId);
    if (mine === undefined && got.length > 0) this.byMember.set(memberId, (mine = new Set()));
    for (const d of got) {
      const before = this.held.get(d.offset);
      if (before !== undefined && before.memberId !== memberId) this.byMember.get(before.memberId)?.delete(d.offset);
      this.held.set(d.offset, { leaseId: d.leaseId, memberId });
      mine!.add(d.offset);
      out.push({ offset: d.offset, deliveryCount: d.deliveryCount });
    }
    return out;
  }

  /**
   * Acknowledges [first, last] for the member with one type. False when some offset is not
   * acquired by this member now (Kafka INVALID_RECORD_STATE); the others are still applied.
   * Work is bounded by what the member holds, not by the range a client names.
   */
  acknowledge(memberId: string, first: number, last: number, type: number, lockMs = 0): boolean {
    if (type === AckType.gap) return true;
    const mine = this.byMember.get(memberId);
    if (mine === undefined) return false;
    let ok = true;
    let count = 0;
    const span = last - first + 1;
    const offsets: number[] = [];
    if (span <= mine.size) {
      for (let o = first; o <= last; o++) if (mine.has(o)) offsets.push(o);
    } else for (const o of mine) if (o >= first && o <= last) offsets.push(o);
    offsets.sort((a, b) => a - b);
    for (const o of offsets) {
      count++;
      const h = this.held.get(o)!;
      if (type === AckType.renew) {
        // KIP-1222: the member keeps the record for another lock duration.
        if (this.queue.holds(h.leaseId)) this.queue.changeVisibility(h.leaseId, lockMs);
        else ok = false;
        continue;
      }
      this.held.delete(o);
      mine.delete(o);
      if (!this.queue.holds(h.leaseId)) {
        ok = false; // its lock expired: the record is available again (or archived)
        continue;
      }
      if (type === AckType.accept) this.queue.ack(h.leaseId);
      else if (type === AckType.release) this.queue.nack(h.leaseId, true);
      else this.queue.nack(h.leaseId, false);
    }
    if (mine.size === 0) this.byMember.delete(memberId);
    return ok && count === span;
  }

  /**
   * The member left or its share session ended: its acquired records become available with
   * their delivery counts as before they were acquired (as Kafka: they never reached the
   * application), never archived for it.
   */
  releaseMember(memberId: string): void {
    const mine = this.byMember.get(memberId);
    if (mine === undefined) return;
    this.byMember.delete(memberId);
    const offsets = [...mine].sort((a, b) => b - a); // released last-first: they go back in order
    for (const o of offsets) {
      const h = this.held.get(o);
      this.held.delete(o);
      if (h !== undefined && this.queue.holds(h.leaseId)) this.queue.giveBack(h.leaseId);
    }
  }

  /** Forgets holdings whose leases ended without an acknowledgement (lock expiry). */
  private prune(): void {
    if (this.held.size <= 2 * this.maxRecordLocks) return;
    for (const [o, h] of this.held) {
      if (this.queue.holds(h.leaseId)) continue;
      this.held.delete(o);
      const mine = this.byMember.get(h.memberId);
      mine?.delete(o);
      if (mine?.size === 0) this.byMember.delete(h.memberId);
    }
  }

  /** Resolves once every acknowledgement so far is durable. */
  flush(): Promise<void> {
    return this.queue.flush();
  }
}
