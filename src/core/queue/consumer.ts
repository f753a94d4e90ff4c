/**
 * Push consumers (AMQP basic.consume, SDK subscribe) and how the queue picks one per message:
 * highest consumer priority first among those with credit, round-robin within a priority; with
 * single-active-consumer only the earliest live consumer receives.
 *
 * Credit: prefetchCount / prefetchBytes bound the unsettled deliveries of a consumer (0 =
 * unlimited); an auto-ack consumer has no unsettled deliveries and is held back by pause().
 */
import { HopperError } from '../errors.js';
import type { Lease, LeaseOwner } from './lease.js';
import type { ConsumeOptions, DeliverCallback } from './types.js';

/** What a Consumer needs from its queue (kept narrow so consumer.ts does not import queue.ts). */
export interface ConsumerHost {
  cancelConsumer(c: Consumer, release: boolean): void;
  wake(): void;
}

export class Consumer implements LeaseOwner {
  inFlight = 0;
  inFlightBytes = 0;
  first: Lease | null = null;
  /** No more deliveries (cancelled or stopped); leases of a stopped consumer stay until cancel(). */
  stopped = false;
  cancelled = false;
  paused = false;
  prefetchCount: number;
  prefetchBytes: number;
  readonly priority: number;
  readonly exclusive: boolean;
  readonly autoAck: boolean;
  readonly tag: string;

  constructor(
    private readonly host: ConsumerHost,
    opts: ConsumeOptions,
    readonly deliver: DeliverCallback,
  ) {
    this.prefetchCount = checkNonNegative('prefetchCount', opts.prefetchCount ?? 0);
    this.prefetchBytes = checkNonNegative('prefetchBytes', opts.prefetchBytes ?? 0);
    this.priority = opts.priority ?? 0;
    if (!Number.isSafeInteger(this.priority)) throw new HopperError('INVALID_ARGUMENT', 'consumer priority must be an integer');
    this.exclusive = opts.exclusive ?? false;
    this.autoAck = opts.autoAck ?? false;
    this.tag = opts.tag ?? '';
  }

  /** Whether it can take a message of `size` bytes now. */
  canTake(size: number): boolean {
    if (this.stopped || this.paused) return false;
    if (this.autoAck) return true;
    if (this.prefetchCount > 0 && this.inFlight >= this.prefetchCount) return false;
    // A message larger than the whole byte budget still goes to an idle consumer (no deadlock).
    if (this.prefetchBytes > 0 && this.inFlight > 0 && this.inFlightBytes + size > this.prefetchBytes) return false;
    return true;
  }

  /** Stops deliveries and returns its unsettled messages to the queue (front, in order). */
  cancel(): void {
    this.host.cancelConsumer(this, true);
  }

  /** Stops deliveries but keeps its leases settleable (AMQP basic.cancel); cancel() later releases. */
  stop(): void {
    this.host.cancelConsumer(this, false);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.host.wake();
  }

  /** Changes credit (AMQP basic.qos on a live consumer). */
  setPrefetch(count: number, bytes = this.prefetchBytes): void {
    this.prefetchCount = checkNonNegative('prefetchCount', count);
    this.prefetchBytes = checkNonNegative('prefetchBytes', bytes);
    this.host.wake();
  }
}

function checkNonNegative(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new HopperError('INVALID_ARGUMENT', `${name} must be a non-negative integer, not ${v}`);
  return v;
}

interface PriorityLevel {
  priority: number;
  list: Consumer[];
  next: number;
}

export class ConsumerSet {
  private levels: PriorityLevel[] = [];
  /** In registration order (single-active-consumer picks the earliest live one). */
  private readonly all: Consumer[] = [];

  constructor(private readonly singleActive: boolean) {}

  get size(): number {
    return this.all.length;
  }

  list(): readonly Consumer[] {
    return this.all;
  }

  add(c: Consumer): void {
    if (c.exclusive && this.all.length > 0) throw new HopperError('ACCESS_REFUSED', 'queue has consumers; cannot consume exclusively');
    if (this.all.some((x) => x.exclusive)) throw new HopperError('ACCESS_REFUSED', 'queue is in exclusive use by another consumer');
    this.all.push(c);
    let level = this.levels.find((l) => l.priority === c.priority);
    if (level === undefined) {
      level = { priority: c.priority, list: [], next: 0 };
      this.levels.push(level);
      this.levels.sort((a, b) => b.priority - a.priority);
    }
    level.list.push(c);
  }

  remove(c: Consumer): void {
    const i = this.all.indexOf(c);
    if (i < 0) return;
    this.all.splice(i, 1);
    const level = this.levels.find((l) => l.priority === c.priority)!;
    const j = level.list.indexOf(c);
    level.list.splice(j, 1);
    if (level.next > j) level.next--;
    if (level.list.length === 0) this.levels = this.levels.filter((l) => l !== level);
  }

  /** The single active consumer, if the option is on. */
  active(): Consumer | null {
    return this.singleActive ? (this.all.find((c) => !c.stopped) ?? null) : null;
  }

  /** The consumer to give a message of `size` bytes to, or null. */
  pick(size: number): Consumer | null {
    if (this.singleActive) {
      const c = this.active();
      return c !== null && c.canTake(size) ? c : null;
    }
    for (const level of this.levels) {
      const n = level.list.length;
      for (let k = 0; k < n; k++) {
        const i = (level.next + k) % n;
        const c = level.list[i]!;
        if (c.canTake(size)) {
          level.next = (i + 1) % n;
          return c;
        }
      }
    }
    return null;
  }
}
