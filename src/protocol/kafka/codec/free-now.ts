/**
 * Gives a large buffer's memory back at once instead of at the next garbage collection, which
 * an idle broker may not run for a long time: its ArrayBuffer is transferred into a message
 * that is never delivered, and closing the channel drops the message and the memory with it.
 * Only for a buffer that owns its ArrayBuffer (Buffer.allocUnsafeSlow) and that nothing else
 * refers to: every view of it becomes empty.
 */
import { MessageChannel } from 'node:worker_threads';

export function freeNow(buf: Buffer): void {
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(null, [buf.buffer as ArrayBuffer]);
  } catch {
    // Not transferable (not a buffer of its own): the collector frees it in its time.
  } finally {
    port1.close();
    port2.close();
  }
}
