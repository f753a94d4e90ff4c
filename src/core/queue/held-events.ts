/**
 * Journal events that name messages not yet durable in the message log, held back until they
 * are. A queue delivers a message as soon as its append is accepted, before the fsync; an ack
 * or a delivery of it must still not reach the journal before the message itself is durable:
 * if a crash lost the message, recovery would hand its offset to a new message, and the
 * journaled event would apply to that one (a settle would lose it). So such events wait here
 * and go to the journal when the message log's durable end passes them, or are dropped when
 * the message log fails (the message was never durable; its publisher gets an error).
 *
 * Events commute (a settle wins over deliveries; counts add), so holding some back while later
 * ones go to the journal first changes nothing at replay. Kept sorted by the end of the range
 * they name, so a release takes a prefix: entries mostly arrive in that order (messages are
 * delivered and acked roughly in publish order), and an insertion walks back over the few
 * that do not. Typed arrays: no allocation per event.
 */
export const HeldKind = { settle: 1, settleRange: 2, delivered: 3, undelivered: 4 } as const;
export type HeldKindCode = (typeof HeldKind)[keyof typeof HeldKind];

export type EmitHeld = (kind: HeldKindCode, reason: number, start: number, count: number) => void;

export class HeldEvents {
  private starts = new Float64Array(64);
  private counts = new Float64Array(64);
  /** kind << 8 | reason */
  private codes = new Uint16Array(64);
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  hold(kind: HeldKindCode, reason: number, start: number, count: number): void {
    if (this.tail === this.starts.length) this.makeRoom();
    const end = start + count;
    let i = this.tail++;
    while (i > this.head && this.starts[i - 1]! + this.counts[i - 1]! > end) {
      this.starts[i] = this.starts[i - 1]!;
      this.counts[i] = this.counts[i - 1]!;
      this.codes[i] = this.codes[i - 1]!;
      i--;
    }
    this.starts[i] = start;
    this.counts[i] = count;
    this.codes[i] = (kind << 8) | reason;
  }

  /** Emits, in order, every held event whose range lies wholly below `end`. */
  release(end: number, emit: EmitHeld): void {
    while (this.head < this.tail && this.starts[this.head]! + this.counts[this.head]! <= end) {
      const i = this.head++;
      const code = this.codes[i]!;
      emit((code >> 8) as HeldKindCode, code & 0xff, this.starts[i]!, this.counts[i]!);
    }
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  /** Forgets everything held (the messages they name will never be durable). */
  clear(): void {
    this.head = this.tail = 0;
  }

  private makeRoom(): void {
    const n = this.tail - this.head;
    const size = n * 2 > this.starts.length ? this.starts.length * 2 : this.starts.length;
    const starts = new Float64Array(size);
    const counts = new Float64Array(size);
    const codes = new Uint16Array(size);
    starts.set(this.starts.subarray(this.head, this.tail));
    counts.set(this.counts.subarray(this.head, this.tail));
    codes.set(this.codes.subarray(this.head, this.tail));
    this.starts = starts;
    this.counts = counts;
    this.codes = codes;
    this.head = 0;
    this.tail = n;
  }
}
