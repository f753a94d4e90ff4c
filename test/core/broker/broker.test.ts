import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Broker } from '../../../src/core/broker/broker.js';
import { isHopperError } from '../../../src/core/errors.js';
import { makeMessage } from '../../../src/core/message.js';
import { decodeMessages } from '../../../src/storage/codec/message-codec.js';
import { encodeBatch } from '../../../src/storage/codec/record-batch.js';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';

const q = (name: string) => ({ kind: 'queue' as const, name });
const x = (name: string) => ({ kind: 'exchange' as const, name });
const code = (c: string) => (e: unknown) => isHopperError(e) && e.code === c;

async function withBroker(fn: (b: Broker, dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempDir();
  const b = await Broker.open({ dataDir: dir, fsync: { kind: 'never' } });
  try {
    await fn(b, dir);
  } finally {
    await b.close();
    await cleanup();
  }
}

async function drain(b: Broker, queue: string, vhost = '/'): Promise<string[]> {
  const ds = await b.vhost(vhost).queue(queue).receive({ max: 100, waitMs: 0 });
  for (const d of ds) b.vhost(vhost).queue(queue).ack(d.leaseId);
  return ds.map((d) => d.message.value!.toString());
}

test('every exchange type routes to real queues', async () => {
  await withBroker(async (b) => {
    const v = b.vhost('/');
    for (const n of ['d1', 'd2', 'f1', 't1', 't2', 'h1']) await v.declareQueue(n);
    await v.declareExchange({ name: 'dx', type: 'direct' });
    await v.declareExchange({ name: 'fx', type: 'fanout' });
    await v.declareExchange({ name: 'tx', type: 'topic' });
    await v.declareExchange({ name: 'hx', type: 'headers' });
    await v.bind('dx', q('d1'), 'red');
    await v.bind('dx', q('d2'), 'blue');
    await v.bind('fx', q('f1'), 'ignored');
    await v.bind('tx', q('t1'), 'stock.*.nyse');
    await v.bind('tx', q('t2'), 'stock.#');
    await v.bind('hx', q('h1'), '', { 'x-match': { type: 'string', value: 'all' }, format: { type: 'string', value: 'pdf' } });

    assert.equal((await v.publish('dx', 'red', makeMessage('r'))).routed, 1);
    assert.equal((await v.publish('dx', 'green', makeMessage('g'))).routed, 0);
    await v.publish('fx', 'anything', makeMessage('f'));
    await v.publish('tx', 'stock.ibm.nyse', makeMessage('t-nyse'));
    await v.publish('tx', 'stock.ibm.lse', makeMessage('t-lse'));
    await v.publish('hx', '', makeMessage('h-pdf', { properties: { attributes: { format: { type: 'string', value: 'pdf' } } } }));
    await v.publish('hx', '', makeMessage('h-doc', { properties: { attributes: { format: { type: 'string', value: 'doc' } } } }));
    await v.publish('', 'd2', makeMessage('default-exchange'));

    assert.deepEqual(await drain(b, 'd1'), ['r']);
    assert.deepEqual(await drain(b, 'd2'), ['default-exchange']);
    assert.deepEqual(await drain(b, 'f1'), ['f']);
    assert.deepEqual(await drain(b, 't1'), ['t-nyse']);
    assert.deepEqual(await drain(b, 't2'), ['t-nyse', 't-lse']);
    assert.deepEqual(await drain(b, 'h1'), ['h-pdf']);
  });
});

test('exchange-to-exchange chains and alternate exchanges deliver once per queue', async () => {
  await withBroker(async (b) => {
    const v = b.vhost('/');
    await v.declareQueue('all');
    await v.declareQueue('unrouted');
    await v.declareExchange({ name: 'ae', type: 'fanout' });
    await v.declareExchange({ name: 'front', type: 'direct', arguments: { 'alternate-exchange': { type: 'string', value: 'ae' } } });
    await v.declareExchange({ name: 'mid', type: 'fanout' });
    await v.bind('front', x('mid'), 'k');
    await v.bind('mid', q('all'), '');
    await v.bind('front', q('all'), 'k'); // reached twice: stored once
    await v.bind('ae', q('unrouted'), '');
    assert.equal((await v.publish('front', 'k', makeMessage('one'))).routed, 1);
    assert.equal((await v.publish('front', 'other', makeMessage('two'))).routed, 1);
    assert.deepEqual(await drain(b, 'all'), ['one']);
    assert.deepEqual(await drain(b, 'unrouted'), ['two']);
  });
});

test('an exchange bound to a topic appends records a Kafka reader can decode, partitioned by key', async () => {
  await withBroker(async (b) => {
    const v = b.vhost('/');
    const topic = await v.createTopic('events', { partitions: 3 });
    await v.declareExchange({ name: 'to-topic', type: 'fanout' });
    await v.bind('to-topic', { kind: 'topic', name: 'events' }, '');
    const key = Buffer.from('user-42');
    await v.publish('to-topic', 'rk', makeMessage('hello', { key, properties: { contentType: 'text/plain' } }));
    const p = topic.partitionFor(key);
    const { bytes } = await topic.partition(p).read(0, 1 << 20);
    const [stored] = decodeMessages(bytes);
    assert.equal(stored?.message.value?.toString(), 'hello');
    assert.equal(stored?.message.properties.contentType, 'text/plain');
    assert.equal(stored?.message.properties.routingKey, 'rk');
    assert.deepEqual(stored?.message.key, key);
  });
});

test('durable definitions and messages survive a restart; unacked ones come back redelivered', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    let b = await Broker.open({ dataDir: dir, fsync: { kind: 'always' } });
    let v = b.vhost('/');
    await v.declareExchange({ name: 'orders', type: 'topic' });
    await v.declareQueue('eu', { options: { maxPriority: 0 } });
    await v.declareQueue('scratch', { durable: false });
    await v.bind('orders', q('eu'), 'eu.#');
    await v.createTopic('log', { partitions: 2, config: { 'retention.ms': '3600000' } });
    for (const m of ['a', 'b', 'c']) await v.publish('orders', 'eu.fr', makeMessage(m));
    const [first, second] = await v.queue('eu').receive({ max: 2, waitMs: 0 });
    await v.queue('eu').ackDurable(first!.leaseId);
    assert.equal(second!.message.value!.toString(), 'b'); // leased, never acked
    await b.close();

    b = await Broker.open({ dataDir: dir, fsync: { kind: 'always' } });
    v = b.vhost('/');
    assert.equal(v.hasQueue('scratch'), false, 'transient queues do not survive');
    assert.equal(v.exchange('orders').type, 'topic');
    assert.equal(v.topic('log').partitionCount, 2);
    assert.equal(v.topic('log').config.retentionMs, 3600000);
    const ds = await v.queue('eu').receive({ max: 10, waitMs: 0 });
    assert.deepEqual(ds.map((d) => [d.message.value!.toString(), d.redelivered]), [['b', true], ['c', false]]);
    await v.publish('orders', 'eu.de', makeMessage('d'));
    assert.equal((await v.queue('eu').receive({ max: 10, waitMs: 0 }))[0]?.message.value?.toString(), 'd', 'bindings survive');
    await b.close();
  } finally {
    await cleanup();
  }
});

test('dynamic broker configs set topic defaults, below a topic\'s own configs, and survive a restart', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    let b = await Broker.open({ dataDir: dir });
    await b.vhost('/').createTopic('plain');
    await b.vhost('/').createTopic('own', { config: { 'retention.ms': '5000' } });
    await b.setBrokerConfigs('clusterDefault', { 'log.retention.ms': '3600000', 'message.max.bytes': '100000' });
    await b.setBrokerConfigs('perBroker', { 'log.retention.ms': '7200000' });
    const check = (br: Broker) => {
      assert.equal(br.vhost('/').topic('plain').config.retentionMs, 7_200_000, "this node's config over the cluster-wide default");
      assert.equal(br.vhost('/').topic('plain').config.maxBatchBytes, 100_000);
      assert.equal(br.vhost('/').topic('own').config.retentionMs, 5000, "a topic's own config wins");
    };
    check(b);
    await b.close();
    b = await Broker.open({ dataDir: dir });
    check(b);
    await b.setBrokerConfigs('perBroker', {});
    await b.setBrokerConfigs('clusterDefault', {});
    assert.equal(b.vhost('/').topic('plain').config.retentionMs, 7 * 24 * 3600 * 1000, 'back to the broker setting');
    await b.close();
  } finally {
    await cleanup();
  }
});

test('rejected messages are dead-lettered through the configured exchange', async () => {
  await withBroker(async (b) => {
    const v = b.vhost('/');
    await v.declareExchange({ name: 'dlx', type: 'direct' });
    await v.declareQueue('dead');
    await v.bind('dlx', q('dead'), 'work');
    await v.declareQueue('work', { options: { deadLetterTarget: { exchange: 'dlx', routingKey: null } } });
    await v.publish('', 'work', makeMessage('poison'));
    const [d] = await v.queue('work').receive({ max: 1, waitMs: 0 });
    v.queue('work').nack(d!.leaseId, false);
    const [dead] = await v.queue('dead').receive({ max: 1, waitMs: 1000 });
    assert.equal(dead?.message.value?.toString(), 'poison');
    const death = dead?.message.properties.attributes?.['x-death'];
    assert.equal(death?.type, 'array');
  });
});

test('declare errors: redeclare with other settings, exclusive queues, reserved names, sizes', async () => {
  await withBroker(async (b) => {
    const v = b.vhost('/');
    await v.declareQueue('q1', { options: { maxLength: 10 } });
    await v.declareQueue('q1', { options: { maxLength: 10 } });
    await assert.rejects(v.declareQueue('q1', { options: { maxLength: 11 } }), code('INEQUIVALENT'));
    await v.declareQueue('mine', { exclusiveOwner: 'conn-1', durable: false });
    await assert.rejects(v.declareQueue('mine', { exclusiveOwner: 'conn-2', durable: false }), code('RESOURCE_LOCKED'));
    await assert.rejects(v.declareQueue('amq.private'), code('NOT_ALLOWED'));
    await assert.rejects(v.declareExchange({ name: 'amq.mine', type: 'direct' }), code('NOT_ALLOWED'));
    await assert.rejects(v.declareExchange({ name: 'bad', type: 'nope' }), code('INVALID_ARGUMENT'));
    await assert.rejects(v.bind('amq.direct', q('missing'), 'k'), code('NOT_FOUND'));
    await assert.rejects(v.publish('no-such-exchange', 'k', makeMessage('x')), code('NOT_FOUND'));
    const server = await v.declareQueue('');
    assert.match(server.name, /^amq\.gen-/);
    await v.ownerClosed('conn-1');
    assert.equal(v.hasQueue('mine'), false, 'exclusive queue goes with its connection');
  });
  const { dir, cleanup } = await tempDir();
  const small = await Broker.open({ dataDir: dir, fsync: { kind: 'never' }, maxMessageBytes: 100 });
  try {
    await small.vhost().declareQueue('q');
    await assert.rejects(small.vhost().publish('', 'q', makeMessage(Buffer.alloc(101))), code('MESSAGE_TOO_LARGE'));
  } finally {
    await small.close();
    await cleanup();
  }
});

test('sessions check permissions the way RabbitMQ does, and guest is loopback-only', async () => {
  await withBroker(async (b) => {
    await b.access.addUser('app', 'secret');
    await b.access.setPermissions('app', '/', { configure: '^app-', write: '^app-|^amq\\.default$', read: '^app-' });
    const s = await b.login({ user: 'app', password: 'secret', vhost: '/', peerAddress: '10.0.0.7' });
    await s.declareQueue('app-jobs');
    await assert.rejects(s.declareQueue('other'), code('ACCESS_REFUSED'));
    await s.publish('', 'app-jobs', makeMessage('ok'));
    await assert.rejects(s.publish('amq.topic', 'x', makeMessage('no')), code('ACCESS_REFUSED'));
    assert.equal((await s.receive('app-jobs', { max: 1, waitMs: 0 })).length, 1);
    await assert.rejects(b.login({ user: 'app', password: 'wrong', vhost: '/' }), code('AUTHENTICATION_FAILED'));
    await assert.rejects(b.login({ user: 'app', password: 'secret', vhost: 'nope' }), code('VHOST_ACCESS_REFUSED'));
    await b.login({ user: 'guest', password: 'guest', vhost: '/', peerAddress: '127.0.0.1' });
    await b.login({ user: 'guest', password: 'guest', vhost: '/', peerAddress: '::ffff:127.0.0.1' });
    await b.login({ user: 'guest', password: 'guest', vhost: '/', peerAddress: '::1' });
    await assert.rejects(b.login({ user: 'guest', password: 'guest', vhost: '/', peerAddress: '192.168.1.2' }), code('AUTHENTICATION_FAILED'));
    await assert.rejects(b.login({ user: 'guest', password: 'guest', vhost: '/', peerAddress: '::ffff:10.1.2.3' }), code('AUTHENTICATION_FAILED'));
  });
});

test('committed group offsets persist across a restart', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    let b = await Broker.open({ dataDir: dir, fsync: { kind: 'always' } });
    await b.vhost().createTopic('t', { partitions: 2 });
    const offsets = await b.vhost().groupOffsets();
    await offsets.commit('g1', [{ topic: 't', partition: 0, offset: 5 }, { topic: 't', partition: 1, offset: 9, metadata: 'm' }]);
    await offsets.commit('g1', [{ topic: 't', partition: 0, offset: 7 }]);
    await offsets.commit('g2', [{ topic: 't', partition: 0, offset: 1 }]);
    await offsets.deleteGroup('g2');
    await b.close();
    b = await Broker.open({ dataDir: dir, fsync: { kind: 'always' } });
    const again = await b.vhost().groupOffsets();
    assert.equal(again.fetch('g1', 't', 0)?.offset, 7);
    assert.equal(again.fetch('g1', 't', 1)?.metadata, 'm');
    assert.equal(again.fetch('g2', 't', 0), undefined);
    assert.deepEqual(again.groupNames(), ['g1']);
    await b.close();
  } finally {
    await cleanup();
  }
});

test('records appended to a topic reach queues bound to its amq.kafka.<topic> exchange, by key pattern', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    let b = await Broker.open({ dataDir: dir, fsync: { kind: 'always' } });
    let v = b.vhost('/');
    const topic = await v.createTopic('clicks', { partitions: 2 });
    assert.equal(v.exchange('amq.kafka.clicks').internal, true);
    await v.declareQueue('all-clicks');
    await v.declareQueue('eu-clicks');
    await v.bind('amq.kafka.clicks', q('all-clicks'), '#');
    await v.bind('amq.kafka.clicks', q('eu-clicks'), 'eu.*');
    // As a Kafka producer would: a RecordBatch appended as received.
    const batch = encodeBatch([
      { key: Buffer.from('eu.paris'), value: Buffer.from('c1'), headers: [{ key: 'source', value: Buffer.from('web') }] },
      { key: Buffer.from('us.nyc'), value: Buffer.from('c2') },
    ]);
    await topic.appendBatch(0, batch);
    assert.deepEqual(await drain(b, 'eu-clicks'), ['c1']);
    const all = await v.queue('all-clicks').receive({ max: 10, waitMs: 0 });
    assert.deepEqual(all.map((d) => [d.message.value!.toString(), d.message.properties.routingKey]), [['c1', 'eu.paris'], ['c2', 'us.nyc']]);
    assert.deepEqual(all[0]!.message.headers, [{ key: 'source', value: Buffer.from('web') }]);
    await assert.rejects(v.publish('amq.kafka.clicks', 'eu.x', makeMessage('direct')), code('NOT_ALLOWED'));
    await b.close();

    b = await Broker.open({ dataDir: dir, fsync: { kind: 'always' } });
    v = b.vhost('/');
    await v.topic('clicks').appendMessage(makeMessage('c3', { key: Buffer.from('eu.rome') }));
    assert.deepEqual(await drain(b, 'eu-clicks'), ['c3'], 'binding and forwarding survive a restart');
    await v.unbind('amq.kafka.clicks', q('eu-clicks'), 'eu.*');
    await v.topic('clicks').appendMessage(makeMessage('c4', { key: Buffer.from('eu.rome') }));
    assert.deepEqual(await drain(b, 'eu-clicks'), []);
    await v.deleteTopic('clicks');
    assert.throws(() => v.exchange('amq.kafka.clicks'), code('NOT_FOUND'));
    await b.close();
  } finally {
    await cleanup();
  }
});

test('close waits for deletions under way: an exclusive queue going with its connection is gone when close returns', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const b = await Broker.open({ dataDir: dir, fsync: { kind: 'never' } });
    const vhost = b.vhost('/');
    const names: string[] = [];
    for (let i = 0; i < 20; i++) names.push((await vhost.declareQueue('', { durable: false, exclusiveOwner: 'conn-1' })).name);
    for (let i = 0; i < 20; i++) await vhost.publish('', names[i]!, makeMessage(`m${i}`));
    void vhost.ownerClosed('conn-1');
    await b.close();
    // Nothing may still be writing or deleting under the data directory once close returns.
    const left = (await readdir(join(dir, 'vhosts', '%2F', 'queues'))).filter((n) => n.startsWith('amq%2Egen'));
    assert.deepEqual(left, []);
  } finally {
    await cleanup();
  }
});
