/**
 * Slow and hostile clients must not delay anyone else or make the broker buffer without bound:
 * a client that trickles a large message, a client that pipelines requests and never reads the
 * answers, a consumer that never reads. Meanwhile a healthy client's round trips must go on
 * (each given a generous deadline: this checks liveness, not speed).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type amqp from 'amqplib';
import { Fetch } from '../../src/protocol/kafka/api/fetch.js';
import { Produce } from '../../src/protocol/kafka/api/produce.js';
import { encodeRequest } from '../../src/protocol/kafka/codec/message.js';
import { encodeBatch } from '../../src/storage/codec/record-batch.js';
import { encodeMessage, encodeMethodFrame } from '../../src/protocol/amqp/codec/encode.js';
import { RawClient as AmqpRaw, startBroker, waitFor as amqpWaitFor, type TestBroker } from '../protocol/amqp/endpoint/helpers.js';
import { startHarness, waitFor, type Harness } from '../protocol/kafka/endpoint/harness.js';
import { RawClient as KafkaRaw } from '../protocol/kafka/endpoint/raw-client.js';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` against a deadline; the deadline is far above any normal round trip. */
async function within<T>(ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  try {
    return await Promise.race([fn(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('AMQP: slow and hostile clients', () => {
  let b: TestBroker;
  let healthy: amqp.ConfirmChannel;
  let n = 0;

  async function roundTrip(): Promise<void> {
    await within(3000, 'a healthy publish, confirm and get', async () => {
      const body = Buffer.from(`ping ${++n}`);
      healthy.sendToQueue('healthy', body);
      await healthy.waitForConfirms();
      const m = await healthy.get('healthy', { noAck: true });
      assert.ok(m !== false && m.content.equals(body));
    });
  }

  async function rawSession(): Promise<AmqpRaw> {
    const raw = await AmqpRaw.connect(b.listener.port);
    await raw.handshake();
    raw.send(1, { method: 'channel.open' });
    await raw.method('channel.open-ok');
    return raw;
  }

  before(async () => {
    b = await startBroker();
    healthy = await (await b.connect()).createConfirmChannel();
    await healthy.assertQueue('healthy');
  });
  after(() => b.stop());

  it('a message trickled in small pieces delays no one else', async () => {
    const raw = await rawSession();
    const frames = encodeMessage(1, { method: 'basic.publish', exchange: '', routingKey: 'healthy' }, {}, Buffer.alloc(2 * MiB, 1), 131_072);
    let sent = 0;
    const trickle = (async () => {
      for (; sent < frames.length && !raw.closed; sent += 512) {
        raw.write(frames.subarray(sent, sent + 512));
        await sleep(1);
      }
    })();
    for (let i = 0; i < 20; i++) await roundTrip();
    assert.ok(sent < frames.length, 'the round trips ran while the message was still arriving');
    raw.close();
    await trickle;
  });

  it('a client that pipelines gets and never reads is not read from beyond a bounded backlog', async () => {
    const setup = await (await b.connect()).createConfirmChannel();
    await setup.assertQueue('big');
    for (let i = 0; i < 256; i++) setup.sendToQueue('big', Buffer.alloc(MiB / 4, i));
    await setup.waitForConfirms();
    const raw = await rawSession();
    raw.socket.pause();
    const get = encodeMethodFrame(1, { method: 'basic.get', queue: 'big', noAck: true });
    for (let i = 0; i < 256; i++) raw.write(get);
    const conn = [...b.listener.connections()].at(-1)!;
    await amqpWaitFor(() => conn.unsentBytes > 0, 5000, 'the broker to start answering');
    await sleep(500);
    // Unbounded, the broker would hold all 64 MiB for this client; it stops one answer past its limit.
    const unsent = conn.unsentBytes;
    const limit = b.listener.context.options.writeLimitBytes;
    assert.ok(unsent <= limit + MiB, `${(unsent / MiB).toFixed(1)} MiB buffered for a client that does not read (limit ${limit / MiB} MiB)`);
    await roundTrip();
    raw.socket.resume();
    raw.close();
    await setup.purgeQueue('big');
  });

  it('a consumer that never reads gets no more than the high-water mark, and others go on', async () => {
    const setup = await (await b.connect()).createConfirmChannel();
    await setup.assertQueue('flood');
    for (let i = 0; i < 200; i++) setup.sendToQueue('flood', Buffer.alloc(64 * 1024, i));
    await setup.waitForConfirms();
    const raw = await rawSession();
    raw.socket.pause();
    raw.send(1, { method: 'basic.consume', queue: 'flood', consumerTag: 'stuck', noAck: true });
    await sleep(500);
    for (let i = 0; i < 5; i++) await roundTrip();
    const left = (await setup.checkQueue('flood')).messageCount;
    assert.ok(left > 100, `only ${left} of 200 messages left in the queue: the broker buffered the rest`);
    raw.close();
    await setup.purgeQueue('flood');
  });
});

describe('Kafka: slow and hostile clients', () => {
  let h: Harness;
  let n = 0;
  const topicId = 'AAAAAAAAAAAAAAAAAAAAAA';

  async function roundTrip(): Promise<void> {
    const c = await KafkaRaw.open(h.listener.port);
    try {
      await within(3000, 'a healthy produce', async () => {
        c.send(Produce, 9, { acks: -1, timeoutMs: 2000, topicData: [{ name: 'healthy', partitionData: [{ index: 0, records: encodeBatch([{ key: null, value: Buffer.from(`ping ${++n}`), timestamp: Date.now() }]) }] }] });
        const r = await c.receive(Produce, 9);
        assert.equal(r.body.responses[0]!.partitionResponses[0]!.errorCode, 0);
      });
    } finally {
      c.close();
    }
  }

  before(async () => {
    h = await startHarness();
    await h.broker.vhost('/').createTopic('healthy');
  });
  after(() => h.close());

  it('a produce request trickled in small pieces delays no one else', async () => {
    const c = await KafkaRaw.open(h.listener.port);
    const body = encodeBatch([{ key: null, value: Buffer.alloc(2 * MiB, 7), timestamp: Date.now() }]);
    const encoded = encodeRequest(Produce, 9, { correlationId: 1, clientId: 'slow' }, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'healthy', partitionData: [{ index: 0, records: body }] }] });
    const frame = Buffer.concat(Array.isArray(encoded) ? encoded : [encoded]);
    let sent = 0;
    const trickle = (async () => {
      for (; sent < frame.length && !c.closed; sent += 512) {
        c.socket.write(frame.subarray(sent, sent + 512));
        await sleep(1);
      }
    })();
    for (let i = 0; i < 20; i++) await roundTrip();
    assert.ok(sent < frame.length, 'the round trips ran while the request was still arriving');
    c.close();
    await trickle;
  });

  it('a client that pipelines fetches and never reads is not read from beyond a bounded backlog', async () => {
    const limits = { maxUnsentResponseBytes: 4 * MiB, maxInFlightBytes: 8 * MiB };
    const small = await startHarness(limits);
    try {
      await pipelinedFetches(small, limits.maxUnsentResponseBytes + limits.maxInFlightBytes + 8 * MiB);
    } finally {
      await small.close();
    }
    await roundTrip();
  });

  /** 60 fetches of up to 8 MiB each, never read: at most `bound` bytes may wait in the socket. */
  async function pipelinedFetches(h: Harness, bound: number): Promise<void> {
    const topic = await h.broker.vhost('/').createTopic('big');
    for (let i = 0; i < 8; i++) await topic.appendMessage({ key: null, value: Buffer.alloc(MiB, i), headers: [], timestamp: Date.now(), properties: {} });
    const c = await KafkaRaw.open(h.listener.port);
    c.socket.pause();
    for (let i = 0; i < 60; i++) {
      c.send(Fetch, 11, {
        maxWaitMs: 0, minBytes: 1, maxBytes: 8 * MiB, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: 'big', topicId, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 8 * MiB }] }],
        forgottenTopicsData: [], rackId: '',
      });
    }
    const conns = () => [...h.listener.connections()];
    await waitFor(() => conns().some((k) => k.unsentBytes > 0), 5000, 'the broker to start answering');
    await sleep(500);
    const unsent = Math.max(...conns().map((k) => k.unsentBytes));
    // Unbounded, the broker would hold 60 answers of 8 MiB for this client.
    assert.ok(unsent <= bound, `${(unsent / MiB).toFixed(1)} MiB buffered for a client that does not read (bound ${bound / MiB} MiB)`);
    c.close();
  }
});
