/**
 * The connection state machine without sockets: byte streams split at random points behave
 * like whole ones, random bytes after the handshake only ever close the connection (never
 * throw), and an unexpected internal failure is 541.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeMessage, encodeMethodFrame } from '../../../../src/protocol/amqp/codec/encode.js';
import { PROTOCOL_HEADER } from '../../../../src/protocol/amqp/codec/frame.js';
import { FrameDecoder } from '../../../../src/protocol/amqp/codec/frame-decoder.js';
import { AmqpConnection } from '../../../../src/protocol/amqp/connection/connection.js';
import type { Transport } from '../../../../src/protocol/amqp/connection/transport.js';
import { EndpointContext } from '../../../../src/protocol/amqp/server/context.js';
import { silentLogger } from '../../../../src/server/logger.js';
import { startBroker, waitFor, type TestBroker } from './helpers.js';

let b: TestBroker;
before(async () => {
  b = await startBroker();
});
after(async () => {
  await b.stop();
});

/** A seeded xorshift, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function fakeTransport() {
  const out: Buffer[] = [];
  const t = {
    ended: false,
    out,
    transport: {
      remoteAddress: '127.0.0.1',
      bufferedBytes: 0,
      write: (x: Buffer) => void out.push(Buffer.from(x)),
      setReading: () => undefined,
      end: () => void (t.ended = true),
      destroy: () => void (t.ended = true),
    } satisfies Transport,
    methods(): { method: string; replyCode?: number }[] {
      const dec = new FrameDecoder({ preTuneFrameMaxBytes: 1 << 20 });
      dec.push(Buffer.concat(out));
      const ms: { method: string; replyCode?: number }[] = [];
      for (let f = dec.next(); f !== null; f = dec.next()) if (f.kind === 'method') ms.push(f.method as { method: string });
      return ms;
    },
  };
  return t;
}

const handshake = [
  PROTOCOL_HEADER as Buffer,
  encodeMethodFrame(0, { method: 'connection.start-ok', clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\u0000guest\u0000guest'), locale: 'en_US' }),
  encodeMethodFrame(0, { method: 'connection.tune-ok', channelMax: 0, frameMax: 4096, heartbeat: 0 }),
  encodeMethodFrame(0, { method: 'connection.open', virtualHost: '/' }),
  encodeMethodFrame(1, { method: 'channel.open' }),
];

/** Feeds `bytes` in random-sized chunks. */
function feed(conn: AmqpConnection, bytes: Buffer, rand: () => number): void {
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(rand() * 200);
    conn.receive(bytes.subarray(i, i + n));
    i += n;
  }
}

test('a session split at random points: every publish is stored', async () => {
  await b.broker.vhost().declareQueue('sansio.q', { durable: false });
  for (let seed = 1; seed <= 5; seed++) {
    const rand = rng(seed);
    const t = fakeTransport();
    const conn = new AmqpConnection(new EndpointContext(b.broker, silentLogger), t.transport);
    const publishes = Array.from({ length: 20 }, (_, i) =>
      encodeMessage(1, { method: 'basic.publish', exchange: '', routingKey: 'sansio.q' }, { headers: { i: { type: 'int', value: i } } }, Buffer.alloc(i * 500, i), 4096),
    );
    const before = b.broker.vhost().queue('sansio.q').stats().published;
    feed(conn, Buffer.concat([...handshake, ...publishes]), rand);
    await waitFor(() => b.broker.vhost().queue('sansio.q').stats().published === before + 20, 3000, `seed ${seed}`);
    assert.ok(!t.methods().some((m) => m.method === 'connection.close'));
    conn.finish(true);
  }
});

test('random bytes after the handshake never throw and always end in a close', async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rand = rng(seed * 7919);
    const t = fakeTransport();
    const conn = new AmqpConnection(new EndpointContext(b.broker, silentLogger), t.transport);
    feed(conn, Buffer.concat(handshake), rand);
    await waitFor(() => t.methods().some((m) => m.method === 'channel.open-ok'), 3000, 'the handshake');
    // Half the cases start with a plausible frame header, so errors past framing are hit too.
    const junk = Buffer.alloc(64 + Math.floor(rand() * 2000));
    for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rand() * 256);
    if (seed % 2 === 0) junk.set([1 + (seed % 3), 0, 1, 0, 0, 0, 8]);
    feed(conn, junk, rand);
    conn.receive(Buffer.alloc(0));
    const closes = t.methods().filter((m) => m.method === 'connection.close' || m.method === 'channel.close');
    assert.ok(closes.length > 0 || !t.ended, `seed ${seed}: ended without a close`);
    for (const c of closes) assert.ok([406, 501, 502, 503, 504, 505, 530, 540].includes(c.replyCode!), `seed ${seed}: code ${c.replyCode}`);
    conn.finish(true);
  }
  assert.ok(b.broker.health().ok);
});

test('an unexpected internal failure closes the connection with 541 INTERNAL_ERROR', async () => {
  const vhost = b.broker.vhost();
  const t = fakeTransport();
  const conn = new AmqpConnection(new EndpointContext(b.broker, silentLogger), t.transport);
  conn.receive(Buffer.concat(handshake));
  await waitFor(() => t.methods().some((m) => m.method === 'channel.open-ok'));
  const original = vhost.exchange;
  vhost.exchange = () => {
    throw new TypeError('simulated bug');
  };
  try {
    conn.receive(encodeMessage(1, { method: 'basic.publish', exchange: 'amq.direct', routingKey: 'k' }, {}, Buffer.from('x'), 4096));
  } finally {
    vhost.exchange = original;
  }
  const close = t.methods().find((m) => m.method === 'connection.close');
  assert.equal(close?.replyCode, 541);
  conn.finish(true);
});

test("an unroutable message's return and its confirm are written together, while the publish is handled", async () => {
  // RabbitMQ sends both in one segment; rabbitmq-client emits 'basic.return' on setImmediate and
  // hung when the ack came in a later socket read.
  const t = fakeTransport();
  const conn = new AmqpConnection(new EndpointContext(b.broker, silentLogger), t.transport);
  conn.receive(Buffer.concat([...handshake, encodeMethodFrame(1, { method: 'confirm.select', nowait: false })]));
  await waitFor(() => t.methods().some((m) => m.method === 'confirm.select-ok'));
  conn.receive(encodeMessage(1, { method: 'basic.publish', exchange: '', routingKey: 'nowhere', mandatory: true }, {}, Buffer.from('x'), 4096));
  assert.deepEqual(t.methods().slice(-2).map((m) => m.method), ['basic.return', 'basic.ack']);
  conn.finish(true);
});

test('a confirm is written before any socket read that may hold a consumer reply to the same message', async () => {
  // An RPC server's reply arrives over the network, at the earliest in the event-loop turn after
  // its request was delivered, and a direct reply-to answer is written on at once. A confirm
  // flushed at setImmediate came after it; rabbitmq-client's RPCClient, which listens for the
  // reply once the request is confirmed, dropped the reply and timed out. Here the reply is fed
  // in the next turn's timers phase, ahead of its I/O and setImmediate phases.
  const out: { channel: number; method: string }[] = [];
  let conn: AmqpConnection | null = null;
  const decoder = new FrameDecoder({ preTuneFrameMaxBytes: 1 << 20 });
  const transport = {
    remoteAddress: '127.0.0.1',
    bufferedBytes: 0,
    write: (x: Buffer) => {
      decoder.push(Buffer.from(x));
      for (let f = decoder.next(); f !== null; f = decoder.next()) {
        if (f.kind === 'method') out.push({ channel: f.channel, method: f.method.method });
        if (f.kind === 'header' && f.channel === 1) {
          const replyTo = f.header.properties.replyTo!;
          setTimeout(() => conn!.receive(encodeMessage(1, { method: 'basic.publish', exchange: '', routingKey: replyTo }, {}, Buffer.from('pong'), 4096)), 0);
        }
      }
    },
    setReading: () => undefined,
    end: () => undefined,
    destroy: () => undefined,
  } satisfies Transport;
  conn = new AmqpConnection(new EndpointContext(b.broker, silentLogger), transport);
  conn.receive(
    Buffer.concat([
      ...handshake,
      encodeMethodFrame(2, { method: 'channel.open' }),
      encodeMethodFrame(1, { method: 'queue.declare', queue: 'sansio.req', exclusive: true }),
      encodeMethodFrame(1, { method: 'basic.consume', queue: 'sansio.req', consumerTag: 'server', noAck: true }),
      encodeMethodFrame(2, { method: 'basic.consume', queue: 'amq.rabbitmq.reply-to', consumerTag: 'client', noAck: true }),
      encodeMethodFrame(2, { method: 'confirm.select', nowait: false }),
    ]),
  );
  await waitFor(() => out.some((m) => m.channel === 2 && m.method === 'confirm.select-ok') && out.some((m) => m.channel === 1 && m.method === 'basic.consume-ok'));
  const request = encodeMessage(2, { method: 'basic.publish', exchange: '', routingKey: 'sansio.req' }, { replyTo: 'amq.rabbitmq.reply-to' }, Buffer.from('ping'), 4096);
  conn.receive(request);
  await waitFor(() => out.some((m) => m.channel === 2 && m.method === 'basic.deliver'));
  const onClient = out.filter((m) => m.channel === 2 && (m.method === 'basic.ack' || m.method === 'basic.deliver')).map((m) => m.method);
  assert.deepEqual(onClient, ['basic.ack', 'basic.deliver']);
  conn.finish(true);
});
