/**
 * Heartbeats both ways (spec 4.2.7), timed as RabbitMQ 3.10 times them (observed with a silent
 * raw client and heartbeat h = 2 s: heartbeats at 1, 2, 3, 4, 5 s after connection.open-ok,
 * socket closed at 6 s). The connection starts it once open-ok is sent:
 *
 * - sending: every h/2, a heartbeat frame unless something else went out in that half
 *   interval, so the first comes h/2 after the connection opens;
 * - receiving: every h, a check whether anything arrived since the last check; two checks in a
 *   row that find nothing mean the peer is dead (RabbitMQ then closes the socket without a
 *   close method). The open itself counts as received, so a peer that never sends is dropped
 *   3h after open, and one that stops sending between 2h and 3h after its last frame.
 *
 * Marks are plain flags, so the per-frame cost is a store.
 */
export class Heartbeat {
  /** Set by the connection on every write / every read. */
  sent = false;
  received = true;
  private half = 0;
  private missedChecks = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    intervalSec: number,
    private readonly beat: () => void,
    private readonly dead: () => void,
  ) {
    this.timer = setInterval(this.tick, (intervalSec * 1000) / 2);
    this.timer.unref();
  }

  private readonly tick = (): void => {
    if (!this.sent) this.beat();
    this.sent = false;
    if (++this.half % 2 !== 0) return;
    if (this.received) {
      this.received = false;
      this.missedChecks = 0;
    } else if (++this.missedChecks >= 2) {
      this.stop();
      this.dead();
    }
  };

  stop(): void {
    clearInterval(this.timer);
  }
}
