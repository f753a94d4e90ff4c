import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalogue } from '../../../src/core/catalogue/catalogue.js';
import { AccessControl } from '../../../src/core/auth/access-control.js';
import type { ScryptParams } from '../../../src/core/auth/password.js';
import { isHopperError, type ErrorCode } from '../../../src/core/errors.js';
import type { TypedValue } from '../../../src/core/message.js';
import type { ExchangeDef } from '../../../src/core/catalogue/types.js';

const fast: ScryptParams = { N: 1024, r: 8, p: 1, keyLengthBytes: 32, saltLengthBytes: 16 };
const code = (c: ErrorCode) => (e: unknown) => isHopperError(e, c);

async function tempPath(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hopper-catalogue-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'catalogue.json');
}

const exchange = (name: string, over: Partial<ExchangeDef> = {}): ExchangeDef => ({
  vhost: '/', name, type: 'direct', durable: true, autoDelete: false, internal: false, alternateExchange: null, arguments: {}, ...over,
});

test('a fresh catalogue has vhost / with the amq.* exchanges and guest/guest, loopback only', async (t) => {
  const path = await tempPath(t);
  const c = await Catalogue.open(path, { scrypt: fast });
  assert.deepEqual(c.recovery, { fresh: true, strayTmpRemoved: false, generation: 0 });
  assert.equal(c.generation, 1, 'written at once');
  assert.deepEqual(c.vhosts().map((v) => v.name), ['/']);
  assert.deepEqual(c.exchanges('/').map((x) => x.name).sort(), ['amq.direct', 'amq.fanout', 'amq.headers', 'amq.match', 'amq.topic']);
  const guest = c.getUser('guest')!;
  assert.equal(guest.loopbackOnly, true);
  assert.deepEqual(guest.tags, ['administrator']);
  assert.deepEqual(c.getPermission('guest', '/'), { user: 'guest', vhost: '/', configure: '.*', write: '.*', read: '.*' });
  const ac = new AccessControl(c, { scrypt: fast });
  assert.equal((await ac.authenticate('guest', 'guest')).loopbackOnly, true);
  ac.check('guest', '/', 'configure', 'anything');
  // The file holds no plain password.
  assert.equal((await readFile(path, 'utf8')).includes('"guest","password":"guest"'), false);

  const none = await Catalogue.open(await tempPath(t), { defaultUser: null, defaultVhost: null });
  assert.deepEqual([none.vhosts(), none.listUsers()], [[], []]);
});

test('definitions round-trip through the file, typed arguments included', async (t) => {
  const path = await tempPath(t);
  const c = await Catalogue.open(path, { scrypt: fast });
  const args: Record<string, TypedValue> = JSON.parse('{"__proto__": {"type":"string","value":"p"}}');
  Object.assign(args, {
    big: { type: 'long', value: 2n ** 63n - 1n },
    raw: { type: 'bytes', value: Buffer.from([0, 255, 1]) },
    nan: { type: 'float', value: NaN },
    negzero: { type: 'float', value: -0 },
    dec: { type: 'decimal', scale: 2, value: 150 },
    nested: { type: 'table', value: { list: { type: 'array', value: [{ type: 'bool', value: true }, { type: 'void' }] } } },
    n: { type: 'number', value: '1.50' },
    ts: { type: 'timestamp', value: 1700000000 },
  });
  await c.putVhost({ name: 'prod', description: 'production', tags: ['eu'] });
  await c.putExchange(exchange('orders', { vhost: 'prod', type: 'topic', alternateExchange: 'ae', arguments: args }));
  await c.putExchange(exchange('ae', { vhost: 'prod', type: 'fanout', internal: true }));
  const q = await c.putQueue({ vhost: 'prod', name: 'q1', durable: true, autoDelete: false, arguments: { 'x-max-length': { type: 'int', value: 10 } } });
  assert.match(q.id, /^[0-9a-f]{16}$/);
  const topic = await c.putTopic({ vhost: 'prod', name: 'events', partitions: 3, config: { 'retention.ms': '1000' } });
  assert.equal(await c.putBinding({ vhost: 'prod', source: 'orders', destination: { kind: 'queue', name: 'q1' }, routingKey: 'a.#', arguments: args }), true);
  await c.putBinding({ vhost: 'prod', source: 'orders', destination: { kind: 'topic', name: 'events' }, routingKey: '#', arguments: {} });
  await c.putBinding({ vhost: 'prod', source: 'orders', destination: { kind: 'exchange', name: 'ae' }, routingKey: 'x', arguments: {} });
  await c.putPolicy({ vhost: 'prod', name: 'limits', pattern: '^q', applyTo: 'queues', definition: { 'max-length': 5, nested: { a: [1, 'b'] } }, priority: 2 });
  const ac = new AccessControl(c, { scrypt: fast });
  await ac.addUser('alice', 'pw', { tags: ['monitoring'] });
  await ac.setPermissions('alice', 'prod', { configure: '', write: 'orders', read: 'q.*' });
  const before = snapshot(c);
  await c.close();

  const c2 = await Catalogue.open(path, { scrypt: fast });
  assert.equal(c2.recovery.fresh, false);
  assert.deepEqual(snapshot(c2), before);
  assert.equal(c2.queue('prod', 'q1')!.id, q.id);
  assert.equal(c2.topic('prod', 'events')!.id, topic.id);
  const restoredArgs = c2.exchange('prod', 'orders')!.arguments;
  assert.ok(Object.hasOwn(restoredArgs, '__proto__'), '__proto__ stays a key');
  assert.ok(Object.is((restoredArgs.negzero as { value: number }).value, -0));
  assert.ok(Number.isNaN((restoredArgs.nan as { value: number }).value));
  assert.equal((await new AccessControl(c2, { scrypt: fast }).authenticate('alice', 'pw')).name, 'alice');
  // Redeclaring a stored queue keeps its id (its files stay its files).
  assert.equal((await c2.putQueue({ vhost: 'prod', name: 'q1', durable: true, autoDelete: false, arguments: {} })).id, q.id);
});

function snapshot(c: Catalogue) {
  const per = (v: string) => ({
    exchanges: c.exchanges(v), queues: c.queues(v), topics: c.topics(v), bindings: c.bindings(v), policies: c.policies(v),
  });
  return { vhosts: c.vhosts(), perVhost: c.vhosts().map((v) => per(v.name)), users: c.listUsers(), permissions: c.listPermissions() };
}

test('transient objects are not stored; a binding is stored only if both ends are', async (t) => {
  const path = await tempPath(t);
  const c = await Catalogue.open(path, { scrypt: fast });
  assert.equal(await c.putExchange(exchange('temp', { durable: false })), false);
  await c.putExchange(exchange('keep'));
  const tq = await c.putQueue({ vhost: '/', name: 'tq', durable: false, autoDelete: false, arguments: {} });
  assert.ok(tq.id, 'a transient queue still gets an id for its files');
  await c.putQueue({ vhost: '/', name: 'xq', durable: true, exclusive: true, autoDelete: false, arguments: {} });
  await c.putQueue({ vhost: '/', name: 'dq', durable: true, autoDelete: true, arguments: {} });
  assert.equal(await c.putBinding({ vhost: '/', source: 'keep', destination: { kind: 'queue', name: 'tq' }, routingKey: '', arguments: {} }), false);
  assert.equal(await c.putBinding({ vhost: '/', source: 'temp', destination: { kind: 'queue', name: 'dq' }, routingKey: '', arguments: {} }), false);
  assert.equal(await c.putBinding({ vhost: '/', source: 'keep', destination: { kind: 'queue', name: 'dq' }, routingKey: '', arguments: {} }), true);
  await c.close();
  const c2 = await Catalogue.open(path, { scrypt: fast });
  assert.deepEqual(c2.queues('/').map((q) => q.name), ['dq']);
  assert.equal(c2.exchange('/', 'temp'), undefined);
  assert.equal(c2.bindings('/').length, 1);
});

test('deletes cascade: queue and exchange bindings, vhost contents, user permissions', async (t) => {
  const c = await Catalogue.open(await tempPath(t), { scrypt: fast });
  await c.putVhost({ name: 'v' });
  await c.putExchange(exchange('x', { vhost: 'v' }));
  await c.putExchange(exchange('y', { vhost: 'v' }));
  await c.putQueue({ vhost: 'v', name: 'q', durable: true, autoDelete: false, arguments: {} });
  await c.putBinding({ vhost: 'v', source: 'x', destination: { kind: 'queue', name: 'q' }, routingKey: 'k', arguments: {} });
  await c.putBinding({ vhost: 'v', source: 'x', destination: { kind: 'exchange', name: 'y' }, routingKey: 'k', arguments: {} });
  await c.putBinding({ vhost: 'v', source: 'y', destination: { kind: 'queue', name: 'q' }, routingKey: 'k', arguments: {} });
  await c.deleteQueue('v', 'q');
  assert.deepEqual(c.bindings('v').map((b) => b.destination.name), ['y']);
  await c.deleteExchange('v', 'y');
  assert.deepEqual(c.bindings('v'), []);
  await c.deleteBinding({ vhost: 'v', source: 'x', destination: { kind: 'queue', name: 'gone' }, routingKey: '', arguments: {} }); // no-op
  await c.putPermission({ user: 'guest', vhost: 'v', configure: '.*', write: '.*', read: '.*' });
  await c.putPolicy({ vhost: 'v', name: 'p', pattern: '.*', applyTo: 'all', definition: { a: 1 }, priority: 0 });
  await c.deleteVhost('v');
  assert.equal(c.vhost('v'), undefined);
  assert.equal(c.getPermission('guest', 'v'), undefined);
  assert.deepEqual(c.exchanges('v'), []);
  await assert.rejects(c.deleteVhost('v'), code('VHOST_NOT_FOUND'));
  await assert.rejects(c.putQueue({ vhost: 'v', name: 'q', durable: true, autoDelete: false, arguments: {} }), code('VHOST_NOT_FOUND'));
  await c.deleteUser('guest');
  assert.deepEqual(c.listPermissions(), []);
});

test('validation refuses bad definitions without changing anything', async (t) => {
  const c = await Catalogue.open(await tempPath(t), { scrypt: fast });
  const gen = c.generation;
  await assert.rejects(c.putVhost({ name: '' }), code('INVALID_NAME'));
  await assert.rejects(c.putTopic({ vhost: '/', name: 'bad topic', partitions: 1, config: {} }), code('INVALID_NAME'));
  await assert.rejects(c.putTopic({ vhost: '/', name: 't', partitions: 0, config: {} }), code('INVALID_ARGUMENT'));
  await assert.rejects(c.putExchange(exchange('')), code('NOT_ALLOWED'));
  await assert.rejects(c.putPermission({ user: 'nobody', vhost: '/', configure: '', write: '', read: '' }), code('NOT_FOUND'));
  await assert.rejects(c.putPolicy({ vhost: '/', name: 'p', pattern: '(', applyTo: 'all', definition: { a: 1 }, priority: 0 }), code('INVALID_ARGUMENT'));
  await assert.rejects(c.putPolicy({ vhost: '/', name: 'p', pattern: '.*', applyTo: 'all', definition: {}, priority: 0 }), code('INVALID_ARGUMENT'));
  await assert.rejects(c.putPolicy({ vhost: '/', name: 'p', pattern: '.*', applyTo: 'streams' as 'all', definition: { a: 1 }, priority: 0 }), code('INVALID_ARGUMENT'));
  assert.equal(c.generation, gen, 'nothing was written');
  assert.deepEqual(c.topics('/'), []);
});

test('effective policy: highest priority among those that apply, ties by name', async () => {
  const c = await Catalogue.inMemory({ scrypt: fast });
  const put = (name: string, pattern: string, applyTo: 'all' | 'queues' | 'exchanges' | 'topics', priority: number) =>
    c.putPolicy({ vhost: '/', name, pattern, applyTo, definition: { who: name }, priority });
  await put('all-low', '.*', 'all', 0);
  await put('orders-q', '^orders', 'queues', 5);
  await put('orders-q2', '^orders', 'queues', 5);
  await put('x-high', '.*', 'exchanges', 9);
  assert.equal(c.effectivePolicy('/', 'queue', 'orders.eu')?.name, 'orders-q');
  assert.equal(c.effectivePolicy('/', 'queue', 'payments')?.name, 'all-low');
  assert.equal(c.effectivePolicy('/', 'exchange', 'orders')?.name, 'x-high');
  assert.equal(c.effectivePolicy('/', 'topic', 'orders')?.name, 'all-low');
  assert.equal(c.effectivePolicy('/', 'queue', 'my-orders')?.name, 'all-low', "'^orders' does not match 'my-orders'");
  await put('audit', 'audit', 'queues', 3);
  assert.equal(c.effectivePolicy('/', 'queue', 'my-audit-log')?.name, 'audit', 'policy patterns are unanchored, as in RabbitMQ');
  await c.deletePolicy('/', 'all-low');
  assert.equal(c.effectivePolicy('/', 'topic', 'orders'), undefined);
});

test('SCRAM credentials are persisted and round-trip; records without them still load', async (t) => {
  const { encodeCatalogue, decodeCatalogue } = await import('../../../src/core/catalogue/codec.js');
  const path = await tempPath(t);
  const c = await Catalogue.open(path, { scrypt: fast });
  const ac = new AccessControl(c, { scrypt: fast });
  await ac.addUser('alice', 'wonderland');
  const before = c.getUser('alice')!;
  assert.ok(before.scram?.['SCRAM-SHA-256'] && before.scram['SCRAM-SHA-512']);
  assert.ok(c.getUser('guest')!.scram?.['SCRAM-SHA-256'], 'the default user gets SCRAM credentials too');
  await c.close();
  const raw = await readFile(path);
  assert.equal(raw.includes('wonderland'), false, 'the password is never stored');
  const c2 = await Catalogue.open(path, { scrypt: fast });
  assert.deepEqual(c2.getUser('alice'), before);
  await c2.close();

  // A catalogue written before SCRAM support: users have no `scram` field.
  const { snapshot, generation } = decodeCatalogue(raw);
  const old = { ...snapshot, users: snapshot.users.map(({ scram: _s, ...u }) => u) };
  const decoded = decodeCatalogue(encodeCatalogue(old, generation)).snapshot;
  assert.deepEqual(decoded.users, old.users);
  assert.equal('scram' in decoded.users.find((u) => u.name === 'alice')!, false);
  // A damaged entry is refused, not silently dropped.
  const bad = { ...snapshot, users: snapshot.users.map((u) => ({ ...u, scram: { 'SCRAM-MD5': {} } })) } as unknown as typeof snapshot;
  assert.throws(() => decodeCatalogue(encodeCatalogue(bad, generation)), /unknown mechanism/);
});
