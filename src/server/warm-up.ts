/**
 * A synthetic AMQP session run once by `hopper start` right after its listeners accept clients.
 *
 * Why: V8 optimises a function only after it has run hot for a while, so the first couple of
 * thousand messages after a start ran the publish → store → deliver → ack path unoptimised, the
 * main thread fell behind, and their latency was 2–3× that of a warm broker (bench/RESULTS.md,
 * "cold start"). Running the same path once beforehand, on a throwaway broker, moves that cost
 * out of the first clients' way.

When: after start-up, in the background (a client connecting meanwhile is served; the session
yields to the event loop between windows). Run before the listeners, it delayed them by the
0.7 s it takes.
 *
 * What: a broker on an in-memory SimFs (nothing touches the data directory or the disk), driven
 * through the real AmqpConnection over an in-memory Transport exactly as a client would drive it:
 * a durable queue, publisher confirms, persistent messages, one consumer with prefetch acking each
 * delivery. The messages are small (BODY_BYTES): the code V8 optimises is the same for any size,
 * and the SimFs keeps every byte written until the warm-up ends, so 1 KiB bodies cost about
 * 150 MB of resident memory that the process never gave back (234 MB after start against
 * 70 MB without the warm-up).
 */
import { Broker } from '../core/broker/broker.js';
import { encodeMessage, encodeMethodFrame } from '../protocol/amqp/codec/encode.js';
import { PROTOCOL_HEADER } from '../protocol/amqp/codec/frame.js';
import { FrameDecoder } from '../protocol/amqp/codec/frame-decoder.js';
import { AmqpConnection } from '../protocol/amqp/connection/connection.js';
import type { Transport } from '../protocol/amqp/connection/transport.js';
import { EndpointContext } from '../protocol/amqp/server/context.js';
import { SimFs } from '../storage/fs/sim.js';
import { silentLogger } from './logger.js';

const FRAME_MAX_BYTES = 131_072;
const WINDOW = 500;
const BODY_BYTES = 64;
/** Bounds the warm-up whatever happens: start-up must never hang on it. */
const TIMEOUT_MS = 10_000;

/**
 * Runs `messages` through a throwaway broker; resolves with how many were delivered and acked
 * (fewer if `signal` aborts it: the broker is stopping).
 */
export async function warmUpAmqp(messages: number, signal?: AbortSignal): Promise<number> {
  const broker = await Broker.open({ dataDir: '/warm-up', fs: new SimFs({ seed: 1 }).mount(), logger: silentLogger });
  const fromServer = new FrameDecoder({ preTuneFrameMaxBytes: FRAME_MAX_BYTES });
  let declared = false;
  let delivered = 0;
  let confirmed = 0;
  let wake: (() => void) | null = null;
  const acks: Buffer[] = [];
  const transport: Transport = {
    remoteAddress: '127.0.0.1',
    bufferedBytes: 0,
    write(bytes) {
      fromServer.push(bytes);
      for (let f = fromServer.next(); f !== null; f = fromServer.next()) {
        if (f.kind !== 'method') continue;
        const m = f.method;
        if (m.method === 'queue.declare-ok') declared = true;
        else if (m.method === 'basic.deliver') {
          delivered++;
          acks.push(encodeMethodFrame(2, { method: 'basic.ack', deliveryTag: m.deliveryTag, multiple: false }));
        } else if (m.method === 'basic.ack' && f.channel === 1) {
          confirmed = m.multiple ? m.deliveryTag : confirmed + 1;
        }
      }
      if (wake !== null) {
        const w = wake;
        wake = null;
        queueMicrotask(w);
      }
    },
    setReading: () => undefined,
    end: () => undefined,
    destroy: () => undefined,
  };
  const conn = new AmqpConnection(new EndpointContext(broker, silentLogger), transport);
  const deadline = Date.now() + TIMEOUT_MS;
  const next = (): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      // Also look again shortly: nothing may be written while the store catches up.
      setTimeout(resolve, 5);
    });
  try {
    conn.receive(Buffer.concat([
      PROTOCOL_HEADER,
      encodeMethodFrame(0, { method: 'connection.start-ok', clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\u0000guest\u0000guest'), locale: 'en_US' }),
      encodeMethodFrame(0, { method: 'connection.tune-ok', channelMax: 0, frameMax: FRAME_MAX_BYTES, heartbeat: 0 }),
      encodeMethodFrame(0, { method: 'connection.open', virtualHost: '/' }),
      encodeMethodFrame(1, { method: 'channel.open' }),
      encodeMethodFrame(1, { method: 'confirm.select', nowait: false }),
      encodeMethodFrame(1, { method: 'queue.declare', queue: 'warm-up', durable: true }),
    ]));
    while (!declared && Date.now() < deadline && !signal?.aborted) await next();
    conn.receive(Buffer.concat([
      encodeMethodFrame(2, { method: 'channel.open' }),
      encodeMethodFrame(2, { method: 'basic.qos', prefetchCount: WINDOW }),
      encodeMethodFrame(2, { method: 'basic.consume', queue: 'warm-up' }),
    ]));
    const body = Buffer.alloc(BODY_BYTES, 0x78);
    let published = 0;
    while (delivered < messages && Date.now() < deadline && !signal?.aborted) {
      if (published < messages && published - confirmed < WINDOW) {
        const n = Math.min(WINDOW - (published - confirmed), messages - published);
        const frames: Buffer[] = [];
        for (let i = 0; i < n; i++) {
          frames.push(encodeMessage(1, { method: 'basic.publish', exchange: '', routingKey: 'warm-up' }, { deliveryMode: 2, timestamp: Math.floor(Date.now() / 1000) }, body, FRAME_MAX_BYTES));
        }
        published += n;
        conn.receive(Buffer.concat(frames));
      }
      if (acks.length > 0) conn.receive(Buffer.concat(acks.splice(0)));
      await next();
    }
  } finally {
    conn.finish(true);
    await broker.close();
  }
  return delivered;
}
