import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalogue } from '../../../src/core/catalogue/catalogue.js';
import { restoreRouter } from '../../../src/core/catalogue/restore.js';
import { Router } from '../../../src/core/exchange/router.js';
import type { Destination } from '../../../src/core/exchange/destination.js';
import { makeMessage } from '../../../src/core/message.js';

const fast = { N: 1024, r: 8, p: 1, keyLengthBytes: 32, saltLengthBytes: 16 };

test('a router rebuilt from the catalogue routes as the original did, durable parts only', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hopper-restore-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'catalogue.json');
  const c = await Catalogue.open(path, { scrypt: fast });
  const live = new Router('/');

  // What a vhost layer does: change the router, then record durable changes.
  const declare = async (name: string, type: string, durable: boolean, more: { alternateExchange?: string; internal?: boolean } = {}) => {
    const { exchange } = live.declareExchange({ name, type, durable, ...more });
    await c.putExchange({ vhost: '/', ...exchange });
  };
  const queue = async (name: string, durable: boolean) => {
    live.addQueue(name);
    await c.putQueue({ vhost: '/', name, durable, autoDelete: false, arguments: {} });
  };
  const bind = async (source: string, destination: Destination, routingKey: string) => {
    live.bind(source, destination, routingKey);
    await c.putBinding({ vhost: '/', source, destination, routingKey, arguments: {} });
  };
  await declare('front', 'topic', true, { alternateExchange: 'unrouted' });
  await declare('unrouted', 'fanout', true, { internal: true });
  await declare('scratch', 'fanout', false);
  await queue('orders', true);
  await queue('lost', true);
  await queue('tmp', false);
  await bind('front', { kind: 'queue', name: 'orders' }, 'order.#');
  await bind('front', { kind: 'exchange', name: 'amq.fanout' }, 'audit.*');
  await bind('amq.fanout', { kind: 'queue', name: 'orders' }, '');
  await bind('unrouted', { kind: 'queue', name: 'lost' }, '');
  await bind('front', { kind: 'queue', name: 'tmp' }, 'order.#');
  await bind('scratch', { kind: 'queue', name: 'orders' }, '');
  await c.close();

  const r = restoreRouter(await Catalogue.open(path, { scrypt: fast }), '/');
  const route = (router: Router, x: string, key: string) => router.route(x, key, makeMessage('m')).map((d) => d.name).sort();
  assert.deepEqual(route(live, 'front', 'order.new'), ['orders', 'tmp']);
  assert.deepEqual(route(r, 'front', 'order.new'), ['orders']);
  assert.deepEqual(route(r, 'front', 'audit.x'), ['orders']);
  assert.deepEqual(route(r, 'front', 'other'), ['lost']);
  assert.equal(r.exchange('scratch'), undefined);
  assert.equal(r.exchange('unrouted')?.internal, true);
  assert.equal(r.hasQueue('tmp'), false);
});
