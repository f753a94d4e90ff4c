/**
 * The ready messages of a queue and the order they go out in. Priorities and FIFO groups are
 * indexes here, not separate queues:
 *
 * - one Lane per priority level (level = min(priority, maxPriority)); higher levels first,
 *   FIFO within a level;
 * - on a fifo queue, one Lane per message group; a group with a message in flight is blocked,
 *   unblocked groups wait in a min-heap by head offset, so the oldest available message of any
 *   group goes first and one slow group blocks no other.
 *
 * Requeued messages go to the front of their lane (RabbitMQ puts them back in place; the front
 * is the same place for a lane consumed in order, and within a group it keeps the order).
 *
 * Must hold: every message is in exactly one lane; a group is in the heap iff it is not in
 * flight and its lane is non-empty, and its key (head offset) does not change while there.
 */
import { assert } from '../errors.js';
import { Lane } from './lane.js';

export class Group {
  readonly lane = new Lane(1);
  /** Deliveries of this group not yet settled or released (more than 1 only from one receive). */
  inFlight = 0;
  /** Position in the ready-group heap, -1 when not there. */
  heapIndex = -1;
  constructor(readonly id: string) {}
}

/** What peek() found: a scratch record reused across calls (no allocation per message). */
export interface ReadyHead {
  offset: number;
  size: number;
  expiresAt: number;
  level: number;
  group: Group | null;
}

export class ReadySet {
  private readonly levels: Lane[];
  readonly groups = new Map<string, Group>();
  private readonly heap: Group[] = [];
  /** Highest level that may be non-empty (levels above it are empty). */
  private top = 0;
  /** Messages and bytes over all lanes. */
  length = 0;
  bytes = 0;
  readonly head: ReadyHead = { offset: -1, size: 0, expiresAt: Infinity, level: 0, group: null };

  constructor(readonly maxPriority: number) {
    this.levels = [];
    for (let i = 0; i <= maxPriority; i++) this.levels.push(new Lane());
  }

  group(id: string): Group {
    let g = this.groups.get(id);
    if (g === undefined) {
      g = new Group(id);
      this.groups.set(id, g);
    }
    return g;
  }

  /** Appends a run of alike, consecutive offsets (recovery). */
  pushRun(start: number, count: number, size: number, expiresAt: number, level: number, groupId: string | null): void {
    if (groupId !== null) {
      for (let o = start; o < start + count; o++) this.push(false, o, size, expiresAt, level, groupId);
      return;
    }
    this.length += count;
    this.bytes += count * size;
    if (level > this.top) this.top = level;
    this.levels[level]!.pushBackRun(start, count, size, expiresAt);
  }

  push(front: boolean, offset: number, size: number, expiresAt: number, level: number, groupId: string | null): void {
    this.length++;
    this.bytes += size;
    if (groupId === null) {
      if (level > this.top) this.top = level;
      const lane = this.levels[level]!;
      if (front) lane.pushFront(offset, size, expiresAt);
      else lane.pushBack(offset, size, expiresAt);
      return;
    }
    const g = this.group(groupId);
    if (front) {
      assert(g.heapIndex < 0 || g.lane.headOffset() < 0, 'front of a group changes only while it is blocked');
      g.lane.pushFront(offset, size, expiresAt);
    } else g.lane.pushBack(offset, size, expiresAt);
    if (g.inFlight === 0 && g.heapIndex < 0) this.heapPush(g);
  }

  /**
   * Fills `head` with the next message to deliver and returns true, or false if nothing is
   * deliverable (empty, or every ready message is in a blocked group).
   */
  peek(): boolean {
    while (this.top > 0 && this.levels[this.top]!.length === 0) this.top--;
    const top = this.levels[this.top]!;
    const g = this.heap[0];
    if (g !== undefined && (top.length === 0 || g.lane.headOffset() < top.headOffset())) return this.fillHead(g.lane, 0, g);
    return top.length > 0 && this.fillHead(top, this.top, null);
  }

  /** Points `head` at the first message of `lane` (which must not be empty); returns true. */
  private fillHead(lane: Lane, level: number, group: Group | null): true {
    const h = this.head;
    h.group = group;
    h.level = level;
    h.offset = lane.headOffset();
    h.size = lane.headSize();
    h.expiresAt = lane.headExpiresAt();
    return true;
  }

  /**
   * Fills `head` with the next message of group g, blocked or not (a receive taking several
   * messages of one group); false if the group has no ready message.
   */
  peekGroup(g: Group): boolean {
    return g.lane.length > 0 && this.fillHead(g.lane, 0, g);
  }

  /**
   * Removes the message peek(), peekAny(), peekGroup() or peekExpired() found. `deliver`: it goes in flight,
   * so its group blocks until release(); otherwise (expired, dropped) the group stays available.
   */
  shift(deliver: boolean): void {
    const h = this.head;
    this.length--;
    this.bytes -= h.size;
    const g = h.group;
    if (g === null) {
      this.levels[h.level]!.shift();
      return;
    }
    if (g.heapIndex >= 0) this.heapRemove(g);
    g.lane.shift();
    if (deliver) g.inFlight++;
    this.settleGroup(g);
  }

  /** A delivery of group g was settled or released (a released one was pushed back first). */
  release(g: Group): void {
    assert(g.inFlight > 0, 'group release matches a delivery');
    g.inFlight--;
    this.settleGroup(g);
  }

  /** Puts g in or out of the heap, and forgets it once it is idle and empty. */
  private settleGroup(g: Group): void {
    if (g.inFlight === 0 && g.lane.length > 0) {
      if (g.heapIndex < 0) this.heapPush(g);
    } else if (g.heapIndex >= 0) this.heapRemove(g);
    if (g.inFlight === 0 && g.lane.length === 0) this.groups.delete(g.id);
  }

  /**
   * Like peek(), but when nothing is deliverable falls back to the head of a blocked group (for
   * drop-head). Fills `head`; false if there is no ready message at all.
   */
  peekAny(): boolean {
    if (this.peek()) return true;
    for (const g of this.groups.values()) if (g.lane.length > 0) return this.fillHead(g.lane, 0, g);
    return false;
  }

  /** Earliest expiry among lane heads (where RabbitMQ checks TTL). */
  earliestHeadExpiry(): number {
    let t = Infinity;
    for (const lane of this.levels) if (lane.length > 0) t = Math.min(t, lane.headExpiresAt());
    for (const g of this.groups.values()) if (g.lane.length > 0) t = Math.min(t, g.lane.headExpiresAt());
    return t;
  }

  /**
   * Fills `head` with a lane head that has expired by `now` (any lane, blocked groups too);
   * false if none. Remove it with shift(false).
   */
  peekExpired(now: number): boolean {
    for (let i = this.maxPriority; i >= 0; i--) {
      const lane = this.levels[i]!;
      if (lane.length > 0 && lane.headExpiresAt() <= now) return this.fillHead(lane, i, null);
    }
    for (const g of this.groups.values()) if (g.lane.length > 0 && g.lane.headExpiresAt() <= now) return this.fillHead(g.lane, 0, g);
    return false;
  }

  /** Visits every ready message's run, with its level and group id. */
  forEachRun(fn: (start: number, count: number, size: number, expiresAt: number, level: number, groupId: string | null) => void): void {
    this.levels.forEach((lane, level) => lane.forEachRun((s, c, z, e) => fn(s, c, z, e, level, null)));
    for (const g of this.groups.values()) g.lane.forEachRun((s, c, z, e) => fn(s, c, z, e, 0, g.id));
  }

  /** Empties every lane (purge); groups in flight stay, blocked. */
  clear(): void {
    for (const lane of this.levels) lane.clear();
    for (const g of [...this.groups.values()]) {
      g.lane.clear();
      this.settleGroup(g);
    }
    this.length = 0;
    this.bytes = 0;
  }

  // --- min-heap of unblocked groups by head offset ---

  private key(i: number): number {
    return this.heap[i]!.lane.headOffset();
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    b.heapIndex = i;
    a.heapIndex = j;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.key(p) <= this.key(i)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.key(r) < this.key(l) ? r : l;
      if (this.key(i) <= this.key(c)) break;
      this.swap(i, c);
      i = c;
    }
  }

  private heapPush(g: Group): void {
    g.heapIndex = this.heap.length;
    this.heap.push(g);
    this.up(g.heapIndex);
  }

  private heapRemove(g: Group): void {
    const i = g.heapIndex;
    const last = this.heap.length - 1;
    if (i !== last) this.swap(i, last);
    this.heap.pop();
    g.heapIndex = -1;
    if (i < this.heap.length) {
      this.down(i);
      this.up(i);
    }
  }
}
