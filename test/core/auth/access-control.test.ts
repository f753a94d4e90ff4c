import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessControl } from '../../../src/core/auth/access-control.js';
import { MemoryUserStore } from '../../../src/core/auth/memory-store.js';
import type { ScryptParams } from '../../../src/core/auth/password.js';
import { isHopperError, type ErrorCode } from '../../../src/core/errors.js';

const fast: ScryptParams = { N: 1024, r: 8, p: 1, keyLengthBytes: 32, saltLengthBytes: 16 };
const code = (c: ErrorCode) => (e: unknown) => isHopperError(e, c);

async function setup(): Promise<AccessControl> {
  const ac = new AccessControl(new MemoryUserStore((v) => v === '/' || v === 'prod'), { scrypt: fast });
  await ac.addUser('alice', 'wonderland', { tags: ['administrator', 'monitoring', 'administrator', ' '] });
  await ac.setPermissions('alice', '/', { configure: '^alice-.*', write: '.*', read: '^orders$|^alice-.*' });
  return ac;
}

test('authenticate: right password passes, anything else fails the same way', async () => {
  const ac = await setup();
  const u = await ac.authenticate('alice', 'wonderland');
  assert.deepEqual(u, { name: 'alice', tags: ['administrator', 'monitoring'], loopbackOnly: false });
  await assert.rejects(ac.authenticate('alice', 'wrong'), code('AUTHENTICATION_FAILED'));
  await assert.rejects(ac.authenticate('bob', 'wonderland'), code('AUTHENTICATION_FAILED'));
  await ac.addUser('svc', null);
  await assert.rejects(ac.authenticate('svc', ''), code('AUTHENTICATION_FAILED'), 'passwordless users cannot log in');
  await ac.changePassword('alice', 'new');
  await assert.rejects(ac.authenticate('alice', 'wonderland'), code('AUTHENTICATION_FAILED'));
  await ac.authenticate('alice', 'new');
});

test('user management errors', async () => {
  const ac = await setup();
  await assert.rejects(ac.addUser('alice', 'x'), code('ALREADY_EXISTS'));
  await assert.rejects(ac.addUser('', 'x'), code('INVALID_NAME'));
  await assert.rejects(ac.changePassword('nobody', 'x'), code('NOT_FOUND'));
  await assert.rejects(ac.setPermissions('nobody', '/', { configure: '', write: '', read: '' }), code('NOT_FOUND'));
  await assert.rejects(ac.setPermissions('alice', 'nope', { configure: '', write: '', read: '' }), code('VHOST_NOT_FOUND'));
  await assert.rejects(ac.setPermissions('alice', '/', { configure: '(a+)+', write: '', read: '' }), code('INVALID_ARGUMENT'));
  await ac.setTags('alice', ['management']);
  assert.equal(ac.hasTag('alice', 'management'), true);
  assert.equal(ac.hasTag('alice', 'administrator'), false);
});

test('check: configure/write/read against RabbitMQ-style patterns, per vhost', async () => {
  const ac = await setup();
  ac.check('alice', '/', 'configure', 'alice-q1');
  assert.throws(() => ac.check('alice', '/', 'configure', 'bob-q1'), code('ACCESS_REFUSED'));
  assert.throws(() => ac.check('alice', '/', 'configure', 'x-alice-q1'), code('ACCESS_REFUSED'));
  ac.check('alice', '/', 'write', 'anything');
  ac.check('alice', '/', 'read', 'orders');
  assert.throws(() => ac.check('alice', '/', 'read', 'orders2'), code('ACCESS_REFUSED'));
  // The default exchange is checked as amq.default.
  ac.check('alice', '/', 'write', '');
  await ac.setPermissions('alice', 'prod', { configure: '', write: 'amq\\.default', read: '' });
  ac.check('alice', 'prod', 'write', '');
  assert.throws(() => ac.check('alice', 'prod', 'write', 'amq.topic'), code('ACCESS_REFUSED'));
  assert.throws(() => ac.check('alice', 'prod', 'configure', ''), code('ACCESS_REFUSED'), "'' matches nothing");
  assert.throws(() => ac.check('alice', 'staging', 'read', 'x'), code('ACCESS_REFUSED'), 'no entry for the vhost');
  assert.throws(() => ac.check('nobody', '/', 'read', 'x'), code('ACCESS_REFUSED'));
});

test('vhost access needs a permission entry; refusal closes the connection (530)', async () => {
  const ac = await setup();
  ac.checkVhostAccess('alice', '/');
  assert.throws(() => ac.checkVhostAccess('alice', 'prod'), (e) => isHopperError(e, 'VHOST_ACCESS_REFUSED') && e.mapping.amqp === 530 && e.mapping.amqpLevel === 'connection');
  await ac.setPermissions('alice', 'prod', { configure: '', write: '', read: '' });
  ac.checkVhostAccess('alice', 'prod');
});

test('changing or clearing permissions takes effect at once (no stale compiled pattern)', async () => {
  const ac = await setup();
  ac.check('alice', '/', 'write', 'x');
  await ac.setPermissions('alice', '/', { configure: '', write: 'y', read: '' });
  assert.throws(() => ac.check('alice', '/', 'write', 'x'), code('ACCESS_REFUSED'));
  ac.check('alice', '/', 'write', 'y');
  await ac.clearPermissions('alice', '/');
  assert.throws(() => ac.check('alice', '/', 'write', 'y'), code('ACCESS_REFUSED'));
  await ac.setPermissions('alice', '/', { configure: '.*', write: '.*', read: '.*' });
  await ac.deleteUser('alice');
  assert.throws(() => ac.check('alice', '/', 'write', 'y'), code('ACCESS_REFUSED'));
  await assert.rejects(ac.authenticate('alice', 'wonderland'), code('AUTHENTICATION_FAILED'));
});

test('a login with outdated hash parameters upgrades the stored hash', async () => {
  const store = new MemoryUserStore();
  const weak = new AccessControl(store, { scrypt: { ...fast, N: 512 } });
  await weak.addUser('carol', 'pw');
  const strong = new AccessControl(store, { scrypt: fast });
  await strong.authenticate('carol', 'pw');
  assert.equal(store.getUser('carol')!.password!.N, 1024);
  await strong.authenticate('carol', 'pw');
});
