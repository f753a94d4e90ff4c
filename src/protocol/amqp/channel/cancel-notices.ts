/**
 * The basic.cancel notifications a connection sends when a queue or stream its consumers read
 * is deleted. RabbitMQ answers the deleting channel's queue.delete before it tells any channel
 * of the connection that its consumers are gone (observed with 3.10: 2:queue.delete-ok,
 * 2:basic.cancel, 3:basic.cancel); the consumers stop at once, but while a queue.delete of this
 * connection is in progress their notifications wait here until it has replied.
 */
import type { Channel } from './channel.js';

export class CancelNotices {
  private holds = 0;
  private held: { ch: Channel; tag: string }[] = [];

  /** Sends now, or once every hold is released. */
  send(ch: Channel, tag: string): void {
    if (this.holds > 0) this.held.push({ ch, tag });
    else ch.send({ method: 'basic.cancel', consumerTag: tag, nowait: true });
  }

  /** Holds notifications until the returned function is called (idempotent). */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds > 0) return;
      const held = this.held;
      this.held = [];
      // A channel closed meanwhile sends nothing (Channel.send checks).
      for (const { ch, tag } of held) ch.send({ method: 'basic.cancel', consumerTag: tag, nowait: true });
    };
  }
}
