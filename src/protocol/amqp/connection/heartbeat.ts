/**
 * Heartbeats both ways (spec 4.2.7): with interval h, we send a heartbeat frame every h/2 when
 * nothing else went out, and declare the peer dead when nothing at all arrived for 2h (RabbitMQ
 * closes the socket then, without a close method). Marks are plain flags, so the per-frame cost
 * is a store.
 */
export class Heartbeat {
  /** Set by the connection on every write / every read. */
  sent = false;
  received = false;
  private silentTicks = 0;
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
    if (this.received) {
      this.received = false;
      this.silentTicks = 0;
    } else if (++this.silentTicks >= 4) {
      this.stop();
      this.dead();
    }
  };

  stop(): void {
    clearInterval(this.timer);
  }
}
