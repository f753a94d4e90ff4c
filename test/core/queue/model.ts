/**
 * A plain, array-based reference model of a queue's observable behaviour, for the property
 * tests. Deliberately naive: one array holds the ready order (front = index 0; a requeue
 * inserts at 0, a publish appends), and every question (next to deliver, lane heads, blocked
 * groups) is answered by scanning. The rules it encodes are the documented ones
 * (docs/queues.md): priorities, FIFO groups, TTL at lane heads, delivery limit, max length,
 * delays, dedupe, restarts (ready in offset order, leases back, counts kept).
 */
import type { QueueOptions } from '../../../src/core/queue/options.js';

export interface ModelMsg {
  off: number;
  body: string;
  level: number;
  group: string | null;
  expiresAt: number;
  dueAt: number;
}

export interface ModelLease {
  id: string;
  off: number;
  count: number;
  deadline: number;
  /** Held by the push consumer (released when it is cancelled). */
  pushed: boolean;
}

export interface ExpectedDelivery {
  off: number;
  body: string;
  redelivered: boolean;
  count: number;
}

export type PublishProps = {
  priority?: number;
  groupId?: string;
  delayMs?: number;
  expirationMs?: number;
  dedupId?: string;
};

export type PublishResult = { kind: 'stored'; off: number } | { kind: 'duplicate'; off: number } | { kind: 'full' };

export class Model {
  now: number;
  nextOff = 0;
  readonly msgs = new Map<number, ModelMsg>();
  ready: number[] = [];
  delayed: number[] = [];
  leases: ModelLease[] = [];
  readonly counts = new Map<number, number>();
  readonly dead: [string, string][] = [];
  readonly dedup = new Map<string, { off: number; expiresAt: number }>();
  expiredIds = new Set<string>();
  suspectBelow = 0;
  dropped = 0;
  /** The push consumer, if any: prefetch 0 = unlimited. */
  consumer: { prefetch: number } | null = null;
  /** Deliveries to the push consumer not yet checked by the test. */
  pushedOut: ExpectedDelivery[] = [];

  constructor(
    readonly o: QueueOptions,
    now: number,
    private readonly dlx: boolean,
  ) {
    this.now = now;
  }

  // ---- helpers

  private m(off: number): ModelMsg {
    return this.msgs.get(off)!;
  }

  private blocked(group: string): boolean {
    return this.leases.some((l) => this.m(l.off).group === group);
  }

  private groupsInReady(): string[] {
    const gs: string[] = [];
    for (const off of this.ready) {
      const g = this.m(off).group;
      if (g !== null && !gs.includes(g)) gs.push(g);
    }
    return gs;
  }

  private headOfGroup(g: string): number | undefined {
    return this.ready.find((off) => this.m(off).group === g);
  }

  /** What the queue would deliver next, or undefined. */
  nextDeliverable(): number | undefined {
    let best: number | undefined;
    for (let lvl = this.o.maxPriority; lvl >= 0 && best === undefined; lvl--) {
      best = this.ready.find((off) => this.m(off).group === null && this.m(off).level === lvl);
    }
    let gbest: number | undefined;
    for (const g of this.groupsInReady()) {
      if (this.blocked(g)) continue;
      const h = this.headOfGroup(g)!;
      if (gbest === undefined || h < gbest) gbest = h;
    }
    if (gbest !== undefined && (best === undefined || gbest < best)) return gbest;
    return best;
  }

  private laneHeads(): number[] {
    const heads: number[] = [];
    for (let lvl = this.o.maxPriority; lvl >= 0; lvl--) {
      const h = this.ready.find((off) => this.m(off).group === null && this.m(off).level === lvl);
      if (h !== undefined) heads.push(h);
    }
    for (const g of this.groupsInReady()) heads.push(this.headOfGroup(g)!);
    return heads;
  }

  private removeReady(off: number): void {
    this.ready.splice(this.ready.indexOf(off), 1);
  }

  private deadLetter(off: number, reason: string): void {
    this.counts.delete(off);
    if (this.dlx) this.dead.push([this.m(off).body, reason]);
    else this.dropped++;
  }

  private readyCount(): number {
    return this.ready.length;
  }

  private readyBytes(): number {
    return this.ready.reduce((n, off) => n + this.m(off).body.length, 0);
  }

  // ---- operations

  publish(body: string, p: PublishProps): PublishResult {
    const now = this.now;
    if (p.dedupId !== undefined && this.o.deduplicate) {
      const d = this.dedup.get(p.dedupId);
      if (d !== undefined && d.expiresAt > now) return { kind: 'duplicate', off: d.off };
    }
    const delay = p.delayMs ?? this.o.deliveryDelayMs;
    const dueAt = delay > 0 ? now + delay : 0;
    if (this.o.overflow !== 'drop-head' && dueAt === 0) {
      const n = this.readyCount();
      const over =
        (this.o.maxLength !== null && n + 1 > this.o.maxLength) ||
        (this.o.maxLengthBytes !== null && this.readyBytes() + body.length > this.o.maxLengthBytes);
      if (over) {
        if (this.o.overflow === 'reject-publish-dlx' && this.dlx) this.dead.push([body, 'maxlen']);
        return { kind: 'full' };
      }
    }
    const off = this.nextOff++;
    const ttl = Math.min(this.o.messageTtlMs ?? Infinity, p.expirationMs ?? Infinity);
    const level = this.o.maxPriority === 0 || p.priority === undefined ? 0 : Math.min(p.priority, this.o.maxPriority);
    this.msgs.set(off, {
      off,
      body,
      level,
      group: this.o.fifo ? (p.groupId ?? null) : null,
      expiresAt: ttl === Infinity ? Infinity : (dueAt > 0 ? dueAt : now) + ttl,
      dueAt,
    });
    if (p.dedupId !== undefined && this.o.deduplicate) this.dedup.set(p.dedupId, { off, expiresAt: now + this.o.dedupWindowMs });
    if (dueAt > now) this.delayed.push(off);
    else this.ready.push(off);
    this.dispatch();
    this.enforceMaxLength();
    return { kind: 'stored', off };
  }

  /**
   * A dispatch pass, run after every publish, settle, release, receive and tick: expired
   * deliverable heads go; then the push consumer (if any) takes what its credit allows.
   */
  private dispatch(): void {
    for (;;) {
      const off = this.nextDeliverable();
      if (off === undefined) return;
      const msg = this.m(off);
      if (msg.expiresAt <= this.now) {
        this.removeReady(off);
        this.deadLetter(off, 'expired');
        continue;
      }
      const c = this.consumer;
      if (c === null || (c.prefetch > 0 && this.leases.filter((l) => l.pushed).length >= c.prefetch)) return;
      if (this.leases.length >= this.o.maxInFlight) return;
      const prev = this.counts.get(off) ?? 0;
      if (this.o.maxDeliveries !== null && prev >= this.o.maxDeliveries) {
        this.removeReady(off);
        this.deadLetter(off, 'delivery_limit');
        continue;
      }
      this.removeReady(off);
      this.counts.delete(off);
      this.pushedOut.push({ off, body: msg.body, redelivered: prev > 0 || off < this.suspectBelow, count: prev + 1 });
      this.leases.push({ id: '', off, count: prev + 1, deadline: Infinity, pushed: true });
    }
  }

  consume(prefetch: number): void {
    this.consumer = { prefetch };
    this.dispatch();
  }

  /** Cancels the push consumer: its leases come back (front, in order). */
  cancel(): string[] {
    this.consumer = null;
    const held = this.leases.filter((l) => l.pushed).sort((a, b) => b.off - a.off);
    for (const l of held) {
      this.leases.splice(this.leases.indexOf(l), 1);
      this.release(l);
    }
    this.dispatch();
    return held.map((l) => l.id);
  }

  private enforceMaxLength(): void {
    const o = this.o;
    if (o.overflow !== 'drop-head') return;
    while ((o.maxLength !== null && this.readyCount() > o.maxLength) || (o.maxLengthBytes !== null && this.readyBytes() > o.maxLengthBytes)) {
      let off = this.nextDeliverable();
      if (off === undefined) off = this.laneHeads()[0];
      if (off === undefined) return;
      this.removeReady(off);
      this.deadLetter(off, 'maxlen');
    }
  }

  /** Returns the expected deliveries; `bind` later attaches the real lease ids in order. */
  receive(max: number, vt: number): ExpectedDelivery[] | 'too-many' {
    if (this.leases.length >= this.o.maxInFlight) return 'too-many';
    const out: ExpectedDelivery[] = [];
    // After a group's message, that group's next ones first (SQS FIFO receive).
    let sticky: string | null = null;
    while (out.length < max) {
      const off = sticky !== null ? this.headOfGroup(sticky) : this.nextDeliverable();
      if (off === undefined) {
        if (sticky === null) break;
        sticky = null;
        continue;
      }
      const msg = this.m(off);
      if (msg.expiresAt <= this.now) {
        this.removeReady(off);
        this.deadLetter(off, 'expired');
        continue;
      }
      if (this.leases.length >= this.o.maxInFlight) break;
      const prev = this.counts.get(off) ?? 0;
      if (this.o.maxDeliveries !== null && prev >= this.o.maxDeliveries) {
        this.removeReady(off);
        this.deadLetter(off, 'delivery_limit');
        continue;
      }
      this.removeReady(off);
      this.counts.delete(off);
      out.push({ off, body: msg.body, redelivered: prev > 0 || off < this.suspectBelow, count: prev + 1 });
      this.leases.push({ id: '', off, count: prev + 1, deadline: vt === Infinity ? Infinity : this.now + vt, pushed: false });
      sticky = msg.group;
    }
    this.dispatch();
    return out;
  }

  bind(ids: string[]): void {
    const fresh = this.leases.filter((l) => l.id === '');
    fresh.forEach((l, i) => (l.id = ids[i]!));
  }

  private takeLease(id: string): ModelLease | 'unknown' | 'expired' {
    const i = this.leases.findIndex((l) => l.id === id);
    if (i < 0) return this.expiredIds.has(id) ? 'expired' : 'unknown';
    return this.leases.splice(i, 1)[0]!;
  }

  ack(id: string): 'ok' | 'unknown' | 'expired' {
    const l = this.takeLease(id);
    if (typeof l === 'string') return l;
    this.counts.delete(l.off);
    this.dispatch();
    return 'ok';
  }

  private release(l: ModelLease): void {
    if (this.o.maxDeliveries !== null && l.count >= this.o.maxDeliveries) {
      this.deadLetter(l.off, 'delivery_limit');
      return;
    }
    this.counts.set(l.off, l.count);
    this.ready.unshift(l.off);
  }

  nack(id: string, requeue: boolean): 'ok' | 'unknown' | 'expired' {
    const l = this.takeLease(id);
    if (typeof l === 'string') return l;
    if (requeue) this.release(l);
    else this.deadLetter(l.off, 'rejected');
    this.dispatch();
    return 'ok';
  }

  changeVisibility(id: string, ms: number): 'ok' | 'unknown' | 'expired' {
    const i = this.leases.findIndex((l) => l.id === id);
    if (i < 0) return this.expiredIds.has(id) ? 'expired' : 'unknown';
    if (ms === 0) {
      this.release(this.leases.splice(i, 1)[0]!);
      this.dispatch();
    } else this.leases[i]!.deadline = this.now + ms;
    return 'ok';
  }

  purge(): number {
    const n = this.ready.length + this.delayed.length;
    for (const off of [...this.ready, ...this.delayed]) this.counts.delete(off);
    this.ready = [];
    this.delayed = [];
    return n;
  }

  // ---- time

  private tick(): void {
    const now = this.now;
    const due = this.leases.filter((l) => l.deadline <= now).sort((a, b) => b.off - a.off);
    for (const l of due) {
      this.leases.splice(this.leases.indexOf(l), 1);
      this.expiredIds.add(l.id);
      this.release(l);
    }
    const dueDelayed = this.delayed.filter((off) => this.m(off).dueAt <= now).sort((a, b) => this.m(a).dueAt - this.m(b).dueAt || a - b);
    for (const off of dueDelayed) {
      this.delayed.splice(this.delayed.indexOf(off), 1);
      this.ready.push(off);
    }
    for (;;) {
      const off = this.laneHeads().find((h) => this.m(h).expiresAt <= now);
      if (off === undefined) break;
      this.removeReady(off);
      this.deadLetter(off, 'expired');
    }
    for (const [id, d] of this.dedup) if (d.expiresAt <= now) this.dedup.delete(id);
    this.dispatch();
    this.enforceMaxLength();
  }

  private nextEventAt(): number {
    let t = Infinity;
    for (const l of this.leases) t = Math.min(t, l.deadline);
    for (const off of this.delayed) t = Math.min(t, this.m(off).dueAt);
    for (const h of this.laneHeads()) t = Math.min(t, this.m(h).expiresAt);
    return t;
  }

  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const t = this.nextEventAt();
      if (t > target) break;
      this.now = Math.max(this.now, t);
      this.tick();
    }
    this.now = target;
  }

  /** Close and reopen (clean) or crash with everything flushed (unclean). */
  restart(clean: boolean): void {
    this.consumer = null;
    for (const l of this.leases) this.counts.set(l.off, l.count);
    const leased = this.leases.map((l) => l.off);
    this.leases = [];
    this.expiredIds = new Set();
    const all = [...this.ready, ...leased, ...this.delayed].sort((a, b) => a - b);
    this.ready = all.filter((off) => !(this.m(off).dueAt > this.now));
    this.delayed = all.filter((off) => this.m(off).dueAt > this.now);
    if (!clean) this.suspectBelow = this.nextOff;
    this.tick();
  }

  stats(): { ready: number; inFlight: number; delayed: number } {
    return { ready: this.ready.length, inFlight: this.leases.length, delayed: this.delayed.length };
  }
}
