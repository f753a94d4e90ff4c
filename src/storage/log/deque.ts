/**
 * A FIFO ring buffer: O(1) push and shift without Array#shift's copying, and no allocation
 * per element once it has grown to the working-set size (the append path runs through two).
 */
export class Deque<T> {
  private items: (T | undefined)[];
  private head = 0;
  length = 0;

  constructor(capacity = 64) {
    let c = 1;
    while (c < capacity) c *= 2;
    this.items = new Array<T | undefined>(c);
  }

  push(item: T): void {
    if (this.length === this.items.length) this.grow();
    this.items[(this.head + this.length) & (this.items.length - 1)] = item;
    this.length++;
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.length--;
    return item;
  }

  /** The i-th element from the front (0 is the next shift()). */
  at(i: number): T | undefined {
    return i < this.length ? this.items[(this.head + i) & (this.items.length - 1)] : undefined;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.items.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.items[(this.head + i) & (this.items.length - 1)];
    this.items = next;
    this.head = 0;
  }
}
