/**
 * Re-declaring a queue or an exchange with other flags or arguments fails as in RabbitMQ
 * 3.10: the same reply code and the same text, naming the argument, what was received and
 * what is current. Every expected text below is what RabbitMQ 3.10.8 answered amqplib for the
 * same two declarations (the queue and exchange names are the test's).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type amqp from 'amqplib';
import { tempDir } from '../../../helpers/tmp.js';
import { startBroker, type TestBroker } from './helpers.js';

let b: TestBroker;
before(async () => {
  b = await startBroker();
});
after(async () => {
  await b.stop();
});

const t = (type: string, value: unknown) => ({ '!': type, value });
const q = (args: Record<string, unknown>, extra: amqp.Options.AssertQueue = {}): amqp.Options.AssertQueue => ({ durable: false, arguments: args, ...extra });

/** [first declare, second declare, RabbitMQ's answer to the second ('ok' or code and text with QUEUE for the name)]. */
const QUEUE_CASES: [string, amqp.Options.AssertQueue, amqp.Options.AssertQueue, string][] = [
  ['x-max-length 5 then 10', q({ 'x-max-length': 5 }), q({ 'x-max-length': 10 }), "406 inequivalent arg 'x-max-length' for queue 'QUEUE' in vhost '/': received '10' but current is '5'"],
  ['x-max-length 5 then none', q({ 'x-max-length': 5 }), q({}), "406 inequivalent arg 'x-max-length' for queue 'QUEUE' in vhost '/': received none but current is the value '5' of type 'byte'"],
  ['none then x-max-length 10', q({}), q({ 'x-max-length': 10 }), "406 inequivalent arg 'x-max-length' for queue 'QUEUE' in vhost '/': received the value '10' of type 'byte' but current is none"],
  ['byte 5 then long 5', q({ 'x-max-length': 5 }), q({ 'x-max-length': t('long', 5) }), 'ok'],
  ['long 1000 then short 1000', q({ 'x-message-ttl': t('long', 1000) }), q({ 'x-message-ttl': t('short', 1000) }), 'ok'],
  ['long 1000 then uint32 1000', q({ 'x-message-ttl': t('long', 1000) }), q({ 'x-message-ttl': t('uint32', 1000) }), 'ok'],
  ['int 5 then string "5"', q({ 'x-max-length': 5 }), q({ 'x-max-length': '5' }), "406 inequivalent arg 'x-max-length' for queue 'QUEUE' in vhost '/': received '5' but current is '5'"],
  ['int 5 then double 5', q({ 'x-max-length': 5 }), q({ 'x-max-length': t('double', 5) }), "406 inequivalent arg 'x-max-length' for queue 'QUEUE' in vhost '/': received '5.0' but current is '5'"],
  ['ttl 1000 then 1.5e-7', q({ 'x-message-ttl': 1000 }), q({ 'x-message-ttl': t('double', 1.5e-7) }), "406 inequivalent arg 'x-message-ttl' for queue 'QUEUE' in vhost '/': received '1.5e-7' but current is '1000'"],
  ['ttl 1000 then true', q({ 'x-message-ttl': 1000 }), q({ 'x-message-ttl': true }), "406 inequivalent arg 'x-message-ttl' for queue 'QUEUE' in vhost '/': received 'true' but current is '1000'"],
  ['dlx a then b', q({ 'x-dead-letter-exchange': 'a' }), q({ 'x-dead-letter-exchange': 'b' }), "406 inequivalent arg 'x-dead-letter-exchange' for queue 'QUEUE' in vhost '/': received 'b' but current is 'a'"],
  ['dlx a then none', q({ 'x-dead-letter-exchange': 'a' }), q({}), "406 inequivalent arg 'x-dead-letter-exchange' for queue 'QUEUE' in vhost '/': received none but current is the value 'a' of type 'longstr'"],
  ['dlx a then bytes a', q({ 'x-dead-letter-exchange': 'a' }), q({ 'x-dead-letter-exchange': Buffer.from('a') }), 'ok'],
  ['none then overflow drop-head', q({}), q({ 'x-overflow': 'drop-head' }), "406 inequivalent arg 'x-overflow' for queue 'QUEUE' in vhost '/': received the value 'drop-head' of type 'longstr' but current is none"],
  ['sac true then none', q({ 'x-single-active-consumer': true }), q({}), "406 inequivalent arg 'x-single-active-consumer' for queue 'QUEUE' in vhost '/': received none but current is the value 'true' of type 'bool'"],
  ['queue-mode lazy then default', q({ 'x-queue-mode': 'lazy' }), q({ 'x-queue-mode': 'default' }), "406 inequivalent arg 'x-queue-mode' for queue 'QUEUE' in vhost '/': received 'default' but current is 'lazy'"],
  ['none then an array', q({}), q({ 'x-queue-mode': ['a', 1, t('decimal', { places: 1, digits: 5 })] }), "406 inequivalent arg 'x-queue-mode' for queue 'QUEUE' in vhost '/': received the value '[{longstr,<<\"a\">>},{byte,1},{decimal,{1,5}}]' of type 'array' but current is none"],
  ['custom arguments are not compared', q({ foo: 1, 'x-custom': 1 }), q({ foo: 2, 'x-custom': 2 }), 'ok'],
  ['none then classic', q({}), q({ 'x-queue-type': 'classic' }), 'ok'],
  ['classic then none', q({ 'x-queue-type': 'classic' }), q({}), 'ok'],
  ['none then quorum', q({}, { durable: true }), q({ 'x-queue-type': 'quorum' }, { durable: true }), "406 inequivalent arg 'x-queue-type' for queue 'QUEUE' in vhost '/': received the value 'quorum' of type 'longstr' but current is none"],
  ['quorum then classic', q({ 'x-queue-type': 'quorum' }, { durable: true }), q({ 'x-queue-type': 'classic' }, { durable: true }), "406 inequivalent arg 'x-queue-type' for queue 'QUEUE' in vhost '/': received 'classic' but current is 'quorum'"],
  ['quorum then none', q({ 'x-queue-type': 'quorum' }, { durable: true }), q({}, { durable: true }), "406 inequivalent arg 'x-queue-type' for queue 'QUEUE' in vhost '/': received none but current is the value 'quorum' of type 'longstr'"],
  ['quorum delivery-limit 5 then 6', q({ 'x-queue-type': 'quorum', 'x-delivery-limit': 5 }, { durable: true }), q({ 'x-queue-type': 'quorum', 'x-delivery-limit': 6 }, { durable: true }), "406 inequivalent arg 'x-delivery-limit' for queue 'QUEUE' in vhost '/': received '6' but current is '5'"],
  ['durable false then true', q({}), q({}, { durable: true }), "406 inequivalent arg 'durable' for queue 'QUEUE' in vhost '/': received 'true' but current is 'false'"],
  ['durable and auto-delete both differ: durable first', q({}), q({}, { durable: true, autoDelete: true }), "406 inequivalent arg 'durable' for queue 'QUEUE' in vhost '/': received 'true' but current is 'false'"],
  ['auto-delete false then true', q({}), q({}, { autoDelete: true }), "406 inequivalent arg 'auto_delete' for queue 'QUEUE' in vhost '/': received 'true' but current is 'false'"],
  ['durable and a ttl differ: durable first', q({ 'x-message-ttl': 1 }), q({ 'x-message-ttl': 2 }, { durable: true }), "406 inequivalent arg 'durable' for queue 'QUEUE' in vhost '/': received 'true' but current is 'false'"],
  [
    'not exclusive then exclusive',
    q({}),
    q({}, { exclusive: true }),
    "405 cannot obtain exclusive access to locked queue 'QUEUE' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.",
  ],
];

/** Declares `first`, then `second` on a new channel; RabbitMQ's answer in the cases' format. */
async function redeclare(c: amqp.ChannelModel, name: string, declare: (ch: amqp.Channel, opts: never) => Promise<unknown>, first: unknown, second: unknown): Promise<string> {
  const ch = await c.createChannel();
  await declare(ch, first as never);
  const ch2 = await c.createChannel();
  const closed = new Promise<{ code: number; message: string }>((resolve) => ch2.once('error', resolve));
  try {
    await declare(ch2, second as never);
    await ch2.close();
    return 'ok';
  } catch {
    const e = await closed;
    // amqplib: 'Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - <text>"'
    const text = e.message.replace(/^.*? with message "[A-Z_]+ - /, '').replace(/"$/, '');
    return `${e.code} ${text}`.replaceAll(name, 'QUEUE');
  } finally {
    await ch.close().catch(() => undefined);
  }
}

test('queue re-declares: RabbitMQ 3.10\'s rules and texts for flags and every compared argument', async () => {
  const c = await b.connect();
  let n = 0;
  for (const [label, first, second, expected] of QUEUE_CASES) {
    const name = `eq-q-${++n}`;
    const got = await redeclare(c, name, (ch, o) => ch.assertQueue(name, o), first, second);
    assert.equal(got, expected, label);
  }
  await c.close();
});

test('a queue of another connection\'s exclusive queue: 405 with RabbitMQ\'s text for declare, consume, get, purge', async () => {
  const owner = await b.connect();
  await (await owner.createChannel()).assertQueue('eq-excl', { exclusive: true });
  const other = await b.connect();
  const text = "405 cannot obtain exclusive access to locked queue 'QUEUE' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.";
  const ops: [string, (ch: amqp.Channel) => Promise<unknown>][] = [
    ['declare', (ch) => ch.assertQueue('eq-excl', { exclusive: true })],
    ['passive declare', (ch) => ch.checkQueue('eq-excl')],
    ['consume', (ch) => ch.consume('eq-excl', () => undefined)],
    ['get', (ch) => ch.get('eq-excl')],
    ['purge', (ch) => ch.purgeQueue('eq-excl')],
  ];
  for (const [label, op] of ops) {
    const got = await redeclare(other, 'eq-excl', async (ch, o) => (o === 'first' ? undefined : op(ch)), 'first', 'second');
    assert.equal(got, text, label);
  }
  await other.close();
  await owner.close();
});

const EXCHANGE_CASES: [string, [string, amqp.Options.AssertExchange], [string, amqp.Options.AssertExchange], string][] = [
  ['type', ['direct', { durable: false }], ['fanout', { durable: false }], "406 inequivalent arg 'type' for exchange 'QUEUE' in vhost '/': received 'fanout' but current is 'direct'"],
  ['durable', ['direct', { durable: false }], ['direct', { durable: true }], "406 inequivalent arg 'durable' for exchange 'QUEUE' in vhost '/': received 'true' but current is 'false'"],
  ['auto-delete', ['direct', { durable: false }], ['direct', { durable: false, autoDelete: true }], "406 inequivalent arg 'auto_delete' for exchange 'QUEUE' in vhost '/': received 'true' but current is 'false'"],
  ['internal', ['direct', { durable: false }], ['direct', { durable: false, internal: true }], "406 inequivalent arg 'internal' for exchange 'QUEUE' in vhost '/': received 'true' but current is 'false'"],
  ['alternate exchange a then b', ['direct', { durable: false, alternateExchange: 'a' }], ['direct', { durable: false, alternateExchange: 'b' }], "406 inequivalent arg 'alternate-exchange' for exchange 'QUEUE' in vhost '/': received 'b' but current is 'a'"],
  [
    'alternate exchange a then none',
    ['direct', { durable: false, alternateExchange: 'a' }],
    ['direct', { durable: false }],
    "406 inequivalent arg 'alternate-exchange' for exchange 'QUEUE' in vhost '/': received none but current is the value 'a' of type 'longstr'",
  ],
  ['other arguments are not compared', ['direct', { durable: false, arguments: { foo: 1 } }], ['direct', { durable: false, arguments: { foo: 2 } }], 'ok'],
];

test('exchange re-declares: RabbitMQ 3.10\'s texts', async () => {
  const c = await b.connect();
  let n = 0;
  for (const [label, [t1, o1], [t2, o2], expected] of EXCHANGE_CASES) {
    const name = `eq-x-${++n}`;
    const got = await redeclare(c, name, (ch, o: unknown) => ch.assertExchange(name, o === 'first' ? t1 : t2, o === 'first' ? o1 : o2), 'first', 'second');
    assert.equal(got, expected, label);
  }
  await c.close();
});

test('declared arguments, with their types, are kept across a restart', async () => {
  const { dir, cleanup } = await tempDir('hopper-amqp-eq-');
  try {
    const first = await startBroker({ dataDir: dir });
    const c = await first.connect();
    await (await c.createChannel()).assertQueue('eq-kept', { durable: true, arguments: { 'x-max-length': t('short', 5), 'x-queue-type': 'quorum' } });
    await first.stopKeepingData();
    const second = await startBroker({ dataDir: dir });
    try {
      const c2 = await second.connect();
      const got = await redeclare(c2, 'eq-kept', (ch, o) => ch.assertQueue('eq-kept', o), { durable: true, arguments: { 'x-max-length': 5, 'x-queue-type': 'quorum' } }, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      assert.equal(got, "406 inequivalent arg 'x-max-length' for queue 'QUEUE' in vhost '/': received none but current is the value '5' of type 'short'");
      await c2.close();
    } finally {
      await second.stopKeepingData();
    }
  } finally {
    await cleanup();
  }
});
