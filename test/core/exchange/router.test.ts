import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../../../src/core/exchange/router.js';
import { isHopperError, type ErrorCode } from '../../../src/core/errors.js';
import { makeMessage } from '../../../src/core/message.js';

const msg = makeMessage('x');
const q = (name: string) => ({ kind: 'queue', name }) as const;
const x = (name: string) => ({ kind: 'exchange', name }) as const;
const names = (r: Router, ex: string, key = '') => r.route(ex, key, msg).map((d) => d.name).sort();
const code = (c: ErrorCode) => (e: unknown) => isHopperError(e, c);

function router(queues: string[] = []): Router {
  const r = new Router('/');
  for (const n of queues) r.addQueue(n);
  return r;
}

test('predeclared exchanges exist, durable, with their types', () => {
  const r = router();
  const got = Object.fromEntries(r.exchanges().map((e) => [e.name, [e.type, e.durable]]));
  assert.deepEqual(got, {
    '': ['direct', true],
    'amq.direct': ['direct', true],
    'amq.fanout': ['fanout', true],
    'amq.topic': ['topic', true],
    'amq.headers': ['headers', true],
    'amq.match': ['headers', true],
  });
});

test('declare is idempotent when equivalent and INEQUIVALENT otherwise', () => {
  const r = router();
  assert.equal(r.declareExchange({ name: 'e', type: 'direct', durable: true }).created, true);
  assert.equal(r.declareExchange({ name: 'e', type: 'direct', durable: true, arguments: { 'x-other': { type: 'int', value: 1 } } }).created, false);
  assert.throws(() => r.declareExchange({ name: 'e', type: 'fanout', durable: true }), code('INEQUIVALENT'));
  assert.throws(() => r.declareExchange({ name: 'e', type: 'direct', durable: false }), code('INEQUIVALENT'));
  assert.throws(() => r.declareExchange({ name: 'e', type: 'direct', durable: true, autoDelete: true }), code('INEQUIVALENT'));
  assert.throws(() => r.declareExchange({ name: 'e', type: 'direct', durable: true, internal: true }), code('INEQUIVALENT'));
  assert.throws(
    () => r.declareExchange({ name: 'e', type: 'direct', durable: true, arguments: { 'alternate-exchange': { type: 'string', value: 'ae' } } }),
    code('INEQUIVALENT'),
  );
});

test('declare refuses bad names, the default exchange, amq.* and unknown types', () => {
  const r = router();
  assert.throws(() => r.declareExchange({ name: '', type: 'direct' }), code('NOT_ALLOWED'));
  assert.throws(() => r.declareExchange({ name: 'amq.mine', type: 'direct' }), code('NOT_ALLOWED'));
  assert.throws(() => r.declareExchange({ name: 'amq.direct', type: 'direct', durable: true }), code('NOT_ALLOWED'));
  assert.throws(() => r.declareExchange({ name: 'x'.repeat(256), type: 'direct' }), code('INVALID_NAME'));
  assert.throws(() => r.declareExchange({ name: 'e', type: 'x-nope' }), code('INVALID_ARGUMENT'));
  assert.throws(() => r.declareExchange({ name: 'e', type: 'direct', arguments: { 'alternate-exchange': { type: 'int', value: 1 } } }), code('INVALID_ARGUMENT'));
  assert.equal(r.declareExchange({ name: 'amq.mine', type: 'direct' }, { system: true }).created, true);
  assert.equal(r.checkExchange('amq.direct').type, 'direct');
  assert.throws(() => r.checkExchange('missing'), code('NOT_FOUND'));
});

test('bind/unbind errors: missing ends, the default exchange', () => {
  const r = router(['a']);
  assert.throws(() => r.bind('missing', q('a'), ''), code('NOT_FOUND'));
  assert.throws(() => r.bind('amq.direct', q('nope'), ''), code('NOT_FOUND'));
  assert.throws(() => r.bind('amq.direct', x('nope'), ''), code('NOT_FOUND'));
  assert.throws(() => r.bind('', q('a'), 'a'), code('NOT_ALLOWED'));
  assert.throws(() => r.bind('amq.direct', x(''), 'a'), code('NOT_ALLOWED'));
  assert.deepEqual(r.unbind('amq.direct', q('a'), 'never-bound'), { removed: false, autoDeleted: [] });
  assert.throws(() => r.unbind('amq.direct', q('nope'), ''), code('NOT_FOUND'));
});

test('publishing: NOT_FOUND for a missing exchange, NOT_ALLOWED for an internal one', () => {
  const r = router(['a']);
  r.declareExchange({ name: 'in', type: 'fanout', internal: true });
  r.bind('in', q('a'), '');
  assert.throws(() => r.route('missing', 'k', msg), code('NOT_FOUND'));
  assert.throws(() => r.route('in', 'k', msg), code('NOT_ALLOWED'));
  // Reachable through an e2e binding, and by the broker itself.
  r.bind('amq.fanout', x('in'), '');
  assert.deepEqual(names(r, 'amq.fanout'), ['a']);
  assert.deepEqual(r.routeTrusted('in', 'k', msg).map((d) => d.name), ['a']);
  assert.deepEqual(r.routeTrusted('missing', 'k', msg), []);
});

test('e2e: chains are followed and each queue is returned once', () => {
  const r = router(['a', 'b', 'c']);
  r.declareExchange({ name: 'x1', type: 'fanout' });
  r.declareExchange({ name: 'x2', type: 'direct' });
  r.declareExchange({ name: 'x3', type: 'topic' });
  r.bind('x1', x('x2'), '');
  r.bind('x1', q('a'), '');
  r.bind('x2', x('x3'), 'k');
  r.bind('x2', q('a'), 'k');
  r.bind('x3', q('b'), '#');
  r.bind('x3', q('a'), '*');
  r.bind('x2', q('c'), 'other');
  assert.deepEqual(names(r, 'x1', 'k'), ['a', 'b']);
  // The routing key is the original one all along the chain.
  assert.deepEqual(names(r, 'x1', 'other'), ['a', 'c']);
});

test('e2e: cycles end, and exchanges reached twice route once', () => {
  const r = router(['a', 'b']);
  r.declareExchange({ name: 'x1', type: 'fanout' });
  r.declareExchange({ name: 'x2', type: 'fanout' });
  r.declareExchange({ name: 'x3', type: 'fanout' });
  r.bind('x1', x('x2'), '');
  r.bind('x2', x('x3'), '');
  r.bind('x3', x('x1'), '');
  r.bind('x1', x('x1'), ''); // self-loop
  r.bind('x2', q('a'), '');
  r.bind('x3', q('b'), '');
  assert.deepEqual(names(r, 'x1'), ['a', 'b']);
  assert.deepEqual(names(r, 'x3'), ['a', 'b']);
  // Diamond: x1 -> x2 and x1 -> x3 -> x2.
  r.unbind('x3', x('x1'), '');
  r.bind('x1', x('x3'), '');
  r.bind('x3', x('x2'), '');
  assert.deepEqual(names(r, 'x1'), ['a', 'b']);
});

test('alternate exchange: used only when the exchange itself matches nothing', () => {
  const r = router(['main', 'unrouted']);
  r.declareExchange({ name: 'ae', type: 'fanout' });
  r.bind('ae', q('unrouted'), '');
  r.declareExchange({ name: 'd', type: 'direct', arguments: { 'alternate-exchange': { type: 'string', value: 'ae' } } });
  assert.equal(r.exchange('d')?.alternateExchange, 'ae');
  r.bind('d', q('main'), 'k');
  assert.deepEqual(names(r, 'd', 'k'), ['main']);
  assert.deepEqual(names(r, 'd', 'other'), ['unrouted']);
  // An e2e binding that leads nowhere still counts as matching (as RabbitMQ): no AE.
  r.declareExchange({ name: 'empty', type: 'fanout' });
  r.bind('d', x('empty'), 'e');
  assert.deepEqual(names(r, 'd', 'e'), []);
  // A missing AE is ignored.
  r.declareExchange({ name: 'd2', type: 'direct', alternateExchange: 'gone' });
  assert.deepEqual(names(r, 'd2', 'k'), []);
});

test('alternate exchanges: chains, cycles, and an AE on a downstream exchange', () => {
  const r = router(['last', 'down']);
  r.declareExchange({ name: 'a1', type: 'direct', alternateExchange: 'a2' });
  r.declareExchange({ name: 'a2', type: 'direct', alternateExchange: 'a3' });
  r.declareExchange({ name: 'a3', type: 'direct', alternateExchange: 'a1' });
  assert.deepEqual(names(r, 'a1', 'k'), [], 'an AE cycle ends');
  r.bind('a3', q('last'), 'k');
  assert.deepEqual(names(r, 'a1', 'k'), ['last']);
  assert.deepEqual(names(r, 'a2', 'k'), ['last']);
  // Self-referencing AE.
  r.declareExchange({ name: 'self', type: 'direct', alternateExchange: 'self' });
  assert.deepEqual(names(r, 'self', 'k'), []);
  // e2e into an exchange whose own AE then applies.
  r.declareExchange({ name: 'top', type: 'fanout' });
  r.declareExchange({ name: 'mid', type: 'direct', alternateExchange: 'downae', internal: true });
  r.declareExchange({ name: 'downae', type: 'fanout', internal: true });
  r.bind('top', x('mid'), '');
  r.bind('downae', q('down'), '');
  assert.deepEqual(names(r, 'top', 'k'), ['down']);
  // An AE already reached through e2e is not routed twice.
  r.bind('top', x('downae'), '');
  assert.deepEqual(r.route('top', 'k', msg).map((d) => d.name), ['down']);
});

test('auto-delete exchanges go when their last binding does, cascading', () => {
  const r = router(['a', 'b']);
  r.declareExchange({ name: 'ad', type: 'fanout', autoDelete: true });
  assert.ok(r.exchange('ad'), 'not deleted before it ever had a binding');
  r.bind('ad', q('a'), '');
  r.bind('ad', q('b'), '');
  assert.deepEqual(r.unbind('ad', q('a'), '').autoDeleted, []);
  assert.deepEqual(r.unbind('ad', q('b'), '').autoDeleted, ['ad']);
  assert.equal(r.exchange('ad'), undefined);

  // up (auto-delete) -> mid (auto-delete) -> queue a: deleting queue a removes mid's last
  // binding, deleting mid removes up's last binding.
  r.declareExchange({ name: 'up', type: 'fanout', autoDelete: true });
  r.declareExchange({ name: 'mid', type: 'fanout', autoDelete: true });
  r.bind('up', x('mid'), '');
  r.bind('mid', q('a'), '');
  assert.deepEqual(r.removeQueue('a'), ['mid', 'up']);
  assert.equal(r.exchange('up'), undefined);
  assert.deepEqual(r.bindings(), []);
});

test('deleting an exchange removes its bindings both ways; if-unused; idempotent; amq.* protected', () => {
  const r = router(['a']);
  r.declareExchange({ name: 'src', type: 'fanout' });
  r.declareExchange({ name: 'dst', type: 'fanout' });
  r.bind('src', x('dst'), '');
  r.bind('dst', q('a'), '');
  assert.throws(() => r.deleteExchange('dst', { ifUnused: true }), code('IN_USE'));
  assert.deepEqual(r.deleteExchange('dst'), ['dst']);
  assert.deepEqual(r.bindingsFrom('src'), []);
  assert.deepEqual(r.bindingsTo(q('a')), []);
  assert.deepEqual(r.deleteExchange('dst'), []);
  assert.throws(() => r.deleteExchange('amq.direct'), code('NOT_ALLOWED'));
  assert.throws(() => r.deleteExchange(''), code('NOT_ALLOWED'));
  // A redeclared exchange of the same name starts with no bindings.
  r.declareExchange({ name: 'dst', type: 'direct' });
  assert.deepEqual(r.bindingsFrom('dst'), []);
});

test('binding listings describe source, destination, key and arguments', () => {
  const r = router(['a']);
  r.bind('amq.topic', q('a'), 'k.#', { z: { type: 'int', value: 1 } });
  assert.deepEqual(
    r.bindings().map((b) => ({ source: b.source, destination: b.destination, routingKey: b.routingKey, arguments: b.arguments })),
    [{ source: 'amq.topic', destination: { kind: 'queue', name: 'a' }, routingKey: 'k.#', arguments: { z: { type: 'int', value: 1 } } }],
  );
});

test('routing a busy exchange allocates little: a million routes in reasonable time', () => {
  const r = router();
  for (let n = 0; n < 100; n++) {
    r.addQueue(`q${n}`);
    r.bind('amq.topic', q(`q${n}`), `orders.${n % 10}.*`);
  }
  const out: { kind: 'queue' | 'exchange' | 'topic'; name: string }[] = [];
  const started = process.hrtime.bigint();
  for (let n = 0; n < 1_000_000; n++) r.route('amq.topic', 'orders.3.created', msg, out);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(out.length, 10);
  assert.ok(ms < 10_000, `took ${ms} ms`);
});
