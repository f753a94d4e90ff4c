import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../../../src/core/exchange/router.js';
import { makeMessage } from '../../../src/core/message.js';

const msg = makeMessage('x');
const q = (name: string) => ({ kind: 'queue', name }) as const;
const names = (r: Router, x: string, key: string) => r.route(x, key, msg).map((d) => d.name).sort();

test('direct routes by exact key, to every queue bound with it', () => {
  const r = new Router('/');
  for (const n of ['a', 'b', 'c']) r.addQueue(n);
  r.bind('amq.direct', q('a'), 'k1');
  r.bind('amq.direct', q('b'), 'k1');
  r.bind('amq.direct', q('c'), 'k2');
  assert.deepEqual(names(r, 'amq.direct', 'k1'), ['a', 'b']);
  assert.deepEqual(names(r, 'amq.direct', 'k2'), ['c']);
  assert.deepEqual(names(r, 'amq.direct', 'K1'), []);
  assert.deepEqual(names(r, 'amq.direct', ''), []);
});

test('direct: two bindings to one queue (same key, different args) route once and unbind separately', () => {
  const r = new Router('/');
  r.addQueue('a');
  r.bind('amq.direct', q('a'), 'k', {});
  r.bind('amq.direct', q('a'), 'k', { tag: { type: 'string', value: 'x' } });
  assert.deepEqual(names(r, 'amq.direct', 'k'), ['a']);
  r.unbind('amq.direct', q('a'), 'k', {});
  assert.deepEqual(names(r, 'amq.direct', 'k'), ['a']);
  r.unbind('amq.direct', q('a'), 'k', { tag: { type: 'string', value: 'x' } });
  assert.deepEqual(names(r, 'amq.direct', 'k'), []);
});

test('fanout ignores keys and reaches every bound queue once', () => {
  const r = new Router('/');
  for (const n of ['a', 'b']) r.addQueue(n);
  r.bind('amq.fanout', q('a'), 'x');
  r.bind('amq.fanout', q('a'), 'y');
  r.bind('amq.fanout', q('b'), '');
  assert.deepEqual(names(r, 'amq.fanout', 'anything'), ['a', 'b']);
  r.unbind('amq.fanout', q('a'), 'x');
  assert.deepEqual(names(r, 'amq.fanout', ''), ['a', 'b']);
  r.unbind('amq.fanout', q('a'), 'y');
  assert.deepEqual(names(r, 'amq.fanout', ''), ['b']);
});

test('the default exchange routes to the queue named by the key', () => {
  const r = new Router('/');
  r.addQueue('orders');
  assert.deepEqual(names(r, '', 'orders'), ['orders']);
  assert.deepEqual(names(r, '', 'nope'), []);
  r.removeQueue('orders');
  assert.deepEqual(names(r, '', 'orders'), []);
});

test('routes to topics as well as queues', () => {
  const r = new Router('/');
  r.addTopic('events');
  r.addQueue('audit');
  r.bind('amq.topic', { kind: 'topic', name: 'events' }, 'order.*');
  r.bind('amq.topic', q('audit'), '#');
  const got = r.route('amq.topic', 'order.created', msg).map((d) => `${d.kind}:${d.name}`).sort();
  assert.deepEqual(got, ['queue:audit', 'topic:events']);
  r.removeTopic('events');
  assert.deepEqual(r.route('amq.topic', 'order.created', msg), [{ kind: 'queue', name: 'audit' }]);
});

test('route reuses the caller\'s array', () => {
  const r = new Router('/');
  r.addQueue('a');
  r.bind('amq.fanout', q('a'), '');
  const out = [{ kind: 'queue', name: 'stale' } as const, { kind: 'queue', name: 'stale2' } as const];
  const got = r.route('amq.fanout', '', msg, out);
  assert.equal(got, out);
  assert.deepEqual(out, [{ kind: 'queue', name: 'a' }]);
});
