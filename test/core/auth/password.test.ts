import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, needsRehash, verifyPassword, type ScryptParams } from '../../../src/core/auth/password.js';

const fast: ScryptParams = { N: 1024, r: 8, p: 1, keyLengthBytes: 32, saltLengthBytes: 16 };

test('a hash verifies its password and no other', async () => {
  const h = await hashPassword('s3cret', fast);
  assert.equal(h.algorithm, 'scrypt');
  assert.deepEqual([h.N, h.r, h.p], [1024, 8, 1]);
  assert.equal(Buffer.from(h.hash, 'base64').length, 32);
  assert.equal(await verifyPassword('s3cret', h), true);
  assert.equal(await verifyPassword('s3cret ', h), false);
  assert.equal(await verifyPassword('', h), false);
  assert.equal(await verifyPassword('pässwörd', await hashPassword('pässwörd', fast)), true);
});

test('salts differ, so equal passwords give different hashes', async () => {
  const [a, b] = await Promise.all([hashPassword('same', fast), hashPassword('same', fast)]);
  assert.notEqual(a.salt, b.salt);
  assert.notEqual(a.hash, b.hash);
});

test('stored parameters are used to verify, and a change of defaults asks for a rehash', async () => {
  const old = await hashPassword('pw', { ...fast, N: 512, keyLengthBytes: 24 });
  assert.equal(await verifyPassword('pw', old), true);
  assert.equal(needsRehash(old, fast), true);
  assert.equal(needsRehash(await hashPassword('pw', fast), fast), false);
});

test('out-of-range or tampered records never verify', async () => {
  const h = await hashPassword('pw', fast);
  assert.equal(await verifyPassword('pw', { ...h, N: 1 << 24 }), false, 'N too large to spend on');
  assert.equal(await verifyPassword('pw', { ...h, N: 1000 }), false, 'N not a power of two');
  assert.equal(await verifyPassword('pw', { ...h, r: 0 }), false);
  assert.equal(await verifyPassword('pw', { ...h, hash: Buffer.alloc(8).toString('base64') }), false, 'short hash');
  assert.equal(await verifyPassword('pw', { ...h, algorithm: 'md5' as 'scrypt' }), false);
  const flipped = Buffer.from(h.hash, 'base64');
  flipped[0]! ^= 1;
  assert.equal(await verifyPassword('pw', { ...h, hash: flipped.toString('base64') }), false);
});

test('very long passwords are refused before hashing', async () => {
  await assert.rejects(hashPassword('x'.repeat(5000), fast), RangeError);
  const h = await hashPassword('pw', fast);
  assert.equal(await verifyPassword('x'.repeat(5000), h), false);
});
