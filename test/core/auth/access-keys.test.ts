import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AccessControl } from '../../../src/core/auth/access-control.js';
import { accessKeysPerUserMax } from '../../../src/core/auth/access-keys.js';
import { MemoryUserStore } from '../../../src/core/auth/memory-store.js';
import type { ScryptParams } from '../../../src/core/auth/password.js';
import { Broker } from '../../../src/core/broker/broker.js';
import { decodeCatalogue, encodeCatalogue } from '../../../src/core/catalogue/codec.js';
import { isHopperError, type ErrorCode } from '../../../src/core/errors.js';
import { paths } from '../../../src/core/paths.js';
import { tempDir } from '../../helpers/tmp.js';

const fast: ScryptParams = { N: 1024, r: 8, p: 1, keyLengthBytes: 32, saltLengthBytes: 16 };
const code = (c: ErrorCode) => (e: unknown) => isHopperError(e, c);

async function setup(): Promise<AccessControl> {
  const ac = new AccessControl(new MemoryUserStore(), { scrypt: fast });
  await ac.addUser('alice', 'wonderland');
  await ac.addUser('bob', 'builder');
  return ac;
}

test('addAccessKey makes an AWS-shaped random key pair, returned once; listings never show the secret', async () => {
  const ac = await setup();
  const k = await ac.addAccessKey('alice');
  assert.match(k.accessKeyId, /^HKIA[A-Z2-7]{16}$/);
  assert.match(k.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
  assert.equal(k.accountId, '000000000000');
  const k2 = await ac.addAccessKey('alice', { accountId: '123456789012' });
  assert.notEqual(k2.accessKeyId, k.accessKeyId);
  assert.notEqual(k2.secretAccessKey, k.secretAccessKey);
  const listed = ac.listAccessKeys('alice');
  // Oldest first; two keys made in the same millisecond are ordered by id.
  const byId = (a: string[], b: string[]) => (a[0]! < b[0]! ? -1 : 1);
  assert.deepEqual(listed.map((x) => [x.accessKeyId, x.user, x.accountId]).sort(byId), [
    [k.accessKeyId, 'alice', '000000000000'],
    [k2.accessKeyId, 'alice', '123456789012'],
  ].sort(byId));
  assert.equal(JSON.stringify(listed).includes(k.secretAccessKey), false, 'no secret in a listing');
  assert.deepEqual(ac.listAccessKeys('bob'), []);
  assert.equal(ac.listAccessKeys().length, 2);
  // The verifier's lookup has the secret.
  assert.equal(ac.accessKey(k.accessKeyId)?.secretAccessKey, k.secretAccessKey);
  assert.equal(ac.accessKey(k.accessKeyId)?.user, 'alice');
});

test('explicit ids and secrets (importing keys), and what is refused', async () => {
  const ac = await setup();
  await ac.addAccessKey('bob', { accessKeyId: 'test', secretAccessKey: 'test' });
  assert.equal(ac.accessKey('test')?.user, 'bob');
  await assert.rejects(ac.addAccessKey('alice', { accessKeyId: 'test' }), code('ALREADY_EXISTS'));
  await assert.rejects(ac.addAccessKey('nobody'), code('NOT_FOUND'));
  for (const accessKeyId of ['', 'a/b', 'a b', 'a,b', 'a=b', 'x'.repeat(129), 'é']) {
    await assert.rejects(ac.addAccessKey('alice', { accessKeyId }), code('INVALID_ARGUMENT'), JSON.stringify(accessKeyId));
  }
  for (const secretAccessKey of ['', 'has space', 'x'.repeat(129), 'tab\t', 'é']) {
    await assert.rejects(ac.addAccessKey('alice', { secretAccessKey }), code('INVALID_ARGUMENT'));
  }
  for (const accountId of ['', '12345678901', '1234567890123', 'abcdefghijkl']) {
    await assert.rejects(ac.addAccessKey('alice', { accountId }), code('INVALID_ARGUMENT'));
  }
  // A refused secret is not echoed back in the error.
  await assert.rejects(ac.addAccessKey('alice', { secretAccessKey: 'sekrit value' }), (e) => !(e as Error).message.includes('sekrit'));
});

test('removeAccessKey; deleting a user deletes its keys; keys per user are bounded', async () => {
  const ac = await setup();
  const k = await ac.addAccessKey('alice');
  await ac.removeAccessKey(k.accessKeyId);
  assert.equal(ac.accessKey(k.accessKeyId), undefined);
  await assert.rejects(ac.removeAccessKey(k.accessKeyId), code('NOT_FOUND'));
  for (let i = 0; i < accessKeysPerUserMax; i++) await ac.addAccessKey('alice');
  await assert.rejects(ac.addAccessKey('alice'), code('RESOURCE_LIMIT'));
  await ac.addAccessKey('bob');
  await ac.deleteUser('alice');
  assert.deepEqual(ac.listAccessKeys().map((x) => x.user), ['bob']);
});

test('access keys are durable: they survive a broker restart, removals and user deletion too', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  let broker = await Broker.open({ dataDir: dir });
  // The default key of a fresh broker: guest/guest, for the loopback-only guest user.
  assert.deepEqual(broker.access.listAccessKeys().map((k) => [k.accessKeyId, k.user, k.accountId]), [['guest', 'guest', '000000000000']]);
  assert.equal(broker.access.accessKey('guest')?.secretAccessKey, 'guest');
  assert.equal(broker.access.user('guest')?.loopbackOnly, true);
  await broker.access.addUser('svc', null);
  const kept = await broker.access.addAccessKey('svc', { accountId: '111122223333' });
  const removed = await broker.access.addAccessKey('svc');
  await broker.access.removeAccessKey(removed.accessKeyId);
  await broker.close();

  const file = decodeCatalogue(await readFile(paths.catalogue(dir)));
  assert.deepEqual(file.snapshot.accessKeys?.map((k) => k.accessKeyId).sort(), ['guest', kept.accessKeyId].sort());

  broker = await Broker.open({ dataDir: dir });
  const back = broker.access.accessKey(kept.accessKeyId);
  assert.deepEqual(back && { ...back, createdAtMs: 0 }, { ...kept, user: 'svc', createdAtMs: 0 });
  assert.equal(broker.access.accessKey(removed.accessKeyId), undefined);
  assert.equal(broker.access.accessKey('guest')?.user, 'guest');
  await broker.access.deleteUser('guest');
  await broker.close();

  broker = await Broker.open({ dataDir: dir });
  assert.deepEqual(broker.access.listAccessKeys().map((k) => k.accessKeyId), [kept.accessKeyId]);
  await broker.close();
});

test('no default key without the default user; a catalogue written before access keys still loads', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const broker = await Broker.open({ dataDir: join(dir, 'a'), defaultUser: null });
  assert.deepEqual(broker.access.listAccessKeys(), []);
  await broker.close();

  const old = decodeCatalogue(encodeCatalogue({ vhosts: [], exchanges: [], queues: [], topics: [], bindings: [], policies: [], users: [], permissions: [] }, 1));
  assert.equal(old.snapshot.accessKeys, undefined);
});
