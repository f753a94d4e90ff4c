/**
 * Backpressure: a consumer that does not read stops receiving once the socket holds more than
 * the high-water mark (no unbounded buffering), and resumes on drain; a publisher whose
 * messages cannot be stored fast enough stops being read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AmqpConnection } from '../../../../src/protocol/amqp/connection/connection.js';
import type { Transport } from '../../../../src/protocol/amqp/connection/transport.js';
import { encodeMessage, encodeMethodFrame } from '../../../../src/protocol/amqp/codec/encode.js';
import { PROTOCOL_HEADER } from '../../../../src/protocol/amqp/codec/frame.js';
import { EndpointContext } from '../../../../src/protocol/amqp/server/context.js';
import { silentLogger } from '../../../../src/server/logger.js';
import { gatedFs, RawClient, sleep, startBroker, waitFor } from './helpers.js';

test('a consumer that stops reading gets no more than the high-water mark; it resumes on drain', async () => {
  const b = await startBroker({ listener: { writeHighWaterBytes: 256 * 1024 } });
  try {
    const c = await b.connect();
    const ch = await c.createChannel();
    await ch.assertQueue('bp.slow', { durable: false });
    const n = 3000;
    const body = Buffer.alloc(8 * 1024, 7);
    for (let i = 0; i < n; i++) ch.sendToQueue('bp.slow', body);
    const q = b.broker.vhost().queue('bp.slow');
    await waitFor(() => q.stats().ready === n, 10_000, 'the messages to be stored');

    const raw = await RawClient.connect(b.listener.port);
    await raw.handshake();
    raw.send(1, { method: 'channel.open' });
    await raw.method('channel.open-ok');
    raw.socket.pause();
    raw.send(1, { method: 'basic.consume', queue: 'bp.slow', noAck: true });
    await sleep(500);
    const conn = [...b.listener.connections()].find((x) => x.describe().channels === 1 && x.unsentBytes > 0);
    assert.ok(conn, 'the stalled connection');
    assert.ok(conn.unsentBytes < 256 * 1024 + 64 * 1024, `unsent bytes ${conn.unsentBytes} stay near the high-water mark`);
    assert.ok(q.stats().ready > n / 2, `delivery stopped (${q.stats().ready} still ready)`);

    raw.socket.resume();
    await raw.until(() => (raw.commands.filter((x) => x.method.method === 'basic.deliver').length === n ? true : undefined), 20_000);
    assert.equal(q.stats().ready, 0);
    raw.close();
  } finally {
    await b.stop();
  }
});

test('publishes waiting for storage are bounded: reading pauses, then resumes', async () => {
  const gate = gatedFs();
  const b = await startBroker({ broker: { fs: gate.fs } });
  try {
    const c = await b.connect();
    const ch = await c.createChannel();
    await ch.assertQueue('bp.pub', { durable: true });
    await c.close();

    const ctx = new EndpointContext(b.broker, silentLogger, { maxPendingPublishes: 4 });
    const reading: boolean[] = [];
    const transport: Transport = {
      remoteAddress: '127.0.0.1',
      bufferedBytes: 0,
      write: () => undefined,
      setReading: (on) => void reading.push(on),
      end: () => undefined,
      destroy: () => undefined,
    };
    const conn = new AmqpConnection(ctx, transport);
    conn.receive(PROTOCOL_HEADER as Buffer);
    conn.receive(encodeMethodFrame(0, { method: 'connection.start-ok', clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\u0000guest\u0000guest'), locale: 'en_US' }));
    await waitFor(() => reading.length === 2, 3000, 'the login'); // paused and resumed around it
    conn.receive(encodeMethodFrame(0, { method: 'connection.tune-ok', channelMax: 0, frameMax: 131072, heartbeat: 0 }));
    conn.receive(encodeMethodFrame(0, { method: 'connection.open', virtualHost: '/' }));
    conn.receive(encodeMethodFrame(1, { method: 'channel.open' }));

    gate.hold((path) => path.includes('bp-pub') || path.includes('bp%2Epub'));
    const publish = encodeMessage(1, { method: 'basic.publish', exchange: '', routingKey: 'bp.pub' }, { deliveryMode: 2 }, Buffer.from('m'), 131072);
    conn.receive(Buffer.concat(Array.from({ length: 10 }, () => publish)));
    assert.equal(reading[reading.length - 1], false, 'reading paused at 4 pending publishes');
    gate.release();
    await waitFor(() => reading[reading.length - 1] === true, 3000, 'reading to resume');
    await waitFor(() => b.broker.vhost().queue('bp.pub').stats().published === 10);
    conn.finish(true);
  } finally {
    gate.release();
    await b.stop();
  }
});
