/**
 * Publisher confirms of one channel. Each publish in confirm mode gets the next sequence
 * number; its outcome (ack: stored durably in every queue it reached, or routed nowhere; nack:
 * refused) arrives in any order. Outcomes are sent in sequence order, once per turn: a run of
 * acks becomes one basic.ack with multiple=true, each nack its own basic.nack. A publish still
 * being stored holds back the confirms after it (they are coalesced into the ack that follows).
 *
 * States live in a ring of octets indexed by sequence number, grown by doubling; it holds the
 * window from the oldest unsent outcome to the newest publish.
 */
const PENDING = 0;
const ACK = 1;
const NACK = 2;

export type ConfirmSink = (tag: number, multiple: boolean, ack: boolean) => void;

export class ConfirmTracker {
  /** Sequence number of the last publish (delivery tags of confirms start at 1). */
  private last = 0;
  /** Lowest sequence number whose outcome has not been sent. */
  private next = 1;
  private ring = new Uint8Array(1024);
  private mask = 1023;
  private scheduled = false;
  private stopped = false;

  constructor(private readonly sink: ConfirmSink) {}

  /** Numbers the next publish. */
  add(): number {
    const seq = ++this.last;
    if (seq - this.next >= this.ring.length) this.grow();
    this.ring[seq & this.mask] = PENDING;
    return seq;
  }

  /**
   * `now`: the outcome is known while the publish itself is handled (routed nowhere, a direct
   * reply): sent at once, so it leaves in the same write as the basic.return before it, as
   * RabbitMQ sends them (rabbitmq-client attaches its return listener on the ack).
   */
  settle(seq: number, ack: boolean, now = false): void {
    if (this.stopped || seq < this.next) return;
    this.ring[seq & this.mask] = ack ? ACK : NACK;
    if (now && seq === this.next) this.flush();
    else if (seq === this.next && !this.scheduled) {
      this.scheduled = true;
      // After the microtasks of this turn (a group commit resolves many publishes in one burst,
      // coalesced into one ack), and before the next socket read: a confirm must not wait for
      // I/O that a consumer's reply to the same message may already be in.
      process.nextTick(this.flush);
    }
  }

  /** The channel closed: nothing more is sent. */
  stop(): void {
    this.stopped = true;
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.stopped || this.next > this.last) return;
    const ring = this.ring;
    const mask = this.mask;
    let runStart = 0;
    while (this.next <= this.last) {
      const s = ring[this.next & mask];
      if (s === PENDING) break;
      if (s === ACK) {
        if (runStart === 0) runStart = this.next;
      } else {
        if (runStart !== 0) this.sink(this.next - 1, this.next - 1 > runStart, true);
        runStart = 0;
        this.sink(this.next, false, false);
      }
      this.next++;
    }
    if (runStart !== 0) this.sink(this.next - 1, this.next - 1 > runStart, true);
  };

  private grow(): void {
    const old = this.ring;
    const oldMask = this.mask;
    this.ring = new Uint8Array(old.length * 2);
    this.mask = this.ring.length - 1;
    for (let s = this.next; s <= this.last; s++) this.ring[s & this.mask] = old[s & oldMask]!;
  }
}
