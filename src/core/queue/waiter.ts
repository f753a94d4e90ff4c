/**
 * A pull receive in progress (SQS ReceiveMessage, AMQP basic.get, SDK receive). It takes
 * messages like a consumer with credit `max`, and resolves at the end of the dispatch pass that
 * gave it anything (SQS returns what is there, it does not wait to fill `max`), or at its
 * deadline with nothing (long polling). The queue bounds how many are pending.
 */
import type { Delivery } from './types.js';
import type { LeaseOwner, Lease } from './lease.js';
import { MinHeap } from './min-heap.js';

export class Waiter implements LeaseOwner {
  // Pull leases are bound to their visibility deadline, not to the waiter: owner stays null.
  inFlight = 0;
  inFlightBytes = 0;
  first: Lease | null = null;
  readonly got: Delivery[] = [];
  done = false;
  readonly promise: Promise<Delivery[]>;
  private resolveFn!: (d: Delivery[]) => void;
  private rejectFn!: (e: Error) => void;

  constructor(
    readonly max: number,
    readonly visibilityTimeoutMs: number,
    readonly autoAck: boolean,
    /** When to give up waiting (now for a plain receive). */
    readonly deadline: number,
  ) {
    this.promise = new Promise((res, rej) => {
      this.resolveFn = res;
      this.rejectFn = rej;
    });
  }

  get full(): boolean {
    return this.got.length >= this.max;
  }

  resolve(): void {
    if (this.done) return;
    this.done = true;
    this.resolveFn(this.got);
  }

  reject(e: Error): void {
    if (this.done) return;
    this.done = true;
    this.rejectFn(e);
  }
}

/**
 * Pending receives in arrival order, served before push consumers, with their long-poll
 * deadlines in a heap (lazy: resolved waiters are skipped when they surface).
 */
export class WaiterList {
  private list: Waiter[] = [];
  private readonly deadlines = new MinHeap<Waiter>();
  /** First waiter that may still take a message in this dispatch pass. */
  private cursor = 0;

  get length(): number {
    return this.list.length;
  }

  add(w: Waiter): void {
    this.list.push(w);
    if (w.deadline !== Infinity) this.deadlines.push(w.deadline, w);
  }

  /** Starts a dispatch pass. */
  rewind(): void {
    this.cursor = 0;
  }

  /** The next waiter with room, or null. */
  pick(): Waiter | null {
    const ws = this.list;
    while (this.cursor < ws.length) {
      const w = ws[this.cursor]!;
      if (!w.done && !w.full) return w;
      this.cursor++;
    }
    return null;
  }

  /**
   * After a dispatch pass: resolves waiters that got something or whose deadline passed. While
   * a read-ahead is pending they wait for it: it may fill them further.
   */
  finish(now: number, reading: boolean): void {
    let kept = 0;
    const ws = this.list;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (w.done) continue;
      if (w.full || ((w.got.length > 0 || w.deadline <= now) && !reading)) w.resolve();
      else ws[kept++] = w;
    }
    ws.length = kept;
  }

  nextDeadline(): number {
    const d = this.deadlines;
    while (d.length > 0 && d.peekValue()!.done) d.pop();
    return d.peekKey();
  }

  rejectAll(e: Error): void {
    for (const w of this.list) w.reject(e);
    this.list = [];
    this.deadlines.clear();
  }
}
