/**
 * AccessControl's login path: the in-memory fast path for returning users, one slow hash for
 * every other case (wrong password, unknown user, passwordless user), the per-address failure
 * count, bounded hashing, and SCRAM's answer to unknown users.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { AccessControl } from '../../../src/core/auth/access-control.js';
import { HashSlots } from '../../../src/core/auth/hash-slots.js';
import { MemoryUserStore } from '../../../src/core/auth/memory-store.js';
import { hashPassword, type ScryptParams } from '../../../src/core/auth/password.js';
import { ScramError } from '../../../src/core/auth/scram.js';
import { isHopperError } from '../../../src/core/errors.js';

const fast: ScryptParams = { N: 1024, r: 8, p: 1, keyLengthBytes: 32, saltLengthBytes: 16 };
const refused = (e: unknown) => isHopperError(e, 'AUTHENTICATION_FAILED');

async function setup(options: ConstructorParameters<typeof AccessControl>[1] = {}): Promise<AccessControl> {
  const ac = new AccessControl(new MemoryUserStore(), { scrypt: fast, ...options });
  await ac.addUser('alice', 'wonderland');
  return ac;
}

/** How many slow hashes `f` ran. */
async function slowHashes(ac: AccessControl, f: () => Promise<unknown>): Promise<number> {
  const before = ac.slots.completed;
  await f().catch(() => undefined);
  return ac.slots.completed - before;
}

test('a returning user is checked without a slow hash; the first login, wrong passwords and unknown users cost one each', async () => {
  const ac = await setup();
  await ac.addUser('svc', null);
  assert.equal(await slowHashes(ac, () => ac.authenticate('alice', 'wonderland')), 1, 'first login');
  assert.equal(await slowHashes(ac, () => ac.authenticate('alice', 'wonderland')), 0, 'returning user');
  assert.equal(await slowHashes(ac, () => ac.authenticate('alice', 'wonderland')), 0, 'returning user');
  assert.equal(await slowHashes(ac, () => ac.authenticate('alice', 'wrong')), 1, 'wrong password');
  assert.equal(await slowHashes(ac, () => ac.authenticate('nobody', 'wrong')), 1, 'unknown user');
  assert.equal(await slowHashes(ac, () => ac.authenticate('svc', '')), 1, 'passwordless user');
  // The refusals cannot be told apart.
  const messages = await Promise.all(
    [['alice', 'wrong'], ['nobody', 'wrong']].map(([u, p]) => ac.authenticate(u!, p!).then(() => 'accepted', (e: Error) => e.message.replace(u!, 'USER'))),
  );
  assert.equal(messages[0], messages[1]);
  await assert.rejects(ac.authenticate('alice', 'wrong'), refused);
});

test('a password change invalidates the fast path: the old password is refused, the new one accepted', async () => {
  const ac = await setup();
  await ac.authenticate('alice', 'wonderland');
  assert.equal(await slowHashes(ac, () => ac.authenticate('alice', 'wonderland')), 0);
  await ac.changePassword('alice', 'looking-glass');
  await assert.rejects(ac.authenticate('alice', 'wonderland'), refused);
  assert.equal(await slowHashes(ac, () => ac.authenticate('alice', 'looking-glass')), 1, 'the new password is checked slowly once');
  assert.equal(await slowHashes(ac, () => ac.authenticate('alice', 'looking-glass')), 0);
  await assert.rejects(ac.authenticate('alice', 'wonderland'), refused);
  // Removing the password (or the user) ends fast logins too.
  await ac.changePassword('alice', null);
  await assert.rejects(ac.authenticate('alice', 'looking-glass'), refused);
  await ac.changePassword('alice', 'again');
  await ac.authenticate('alice', 'again');
  await ac.deleteUser('alice');
  await assert.rejects(ac.authenticate('alice', 'again'), refused);
  await ac.addUser('alice', 'other');
  await assert.rejects(ac.authenticate('alice', 'again'), refused, 'a re-created user does not inherit the old fast path');
});

test('a hash made with old parameters is rehashed at login, and the user stays on the fast path', async () => {
  const store = new MemoryUserStore();
  const ac = new AccessControl(store, { scrypt: fast });
  await store.putUser({ name: 'old', password: await hashPassword('pw', { ...fast, N: 512 }), tags: [], loopbackOnly: false });
  await ac.authenticate('old', 'pw');
  assert.equal(store.getUser('old')!.password!.N, fast.N);
  assert.equal(await slowHashes(ac, () => ac.authenticate('old', 'pw')), 0);
});

test('failed logins are counted per client address; successes and in-process logins are not', async () => {
  const ac = await setup({ loginThrottle: { failureDelayMs: 1 } });
  await assert.rejects(ac.authenticate('alice', 'wrong', { peerAddress: '192.0.2.1' }), refused);
  await assert.rejects(ac.authenticate('nobody', 'x', { peerAddress: '192.0.2.1' }), refused);
  await ac.authenticate('alice', 'wonderland', { peerAddress: '192.0.2.2' });
  await assert.rejects(ac.authenticate('alice', 'wrong'), refused);
  assert.equal(ac.throttle.failures('192.0.2.1'), 2);
  assert.equal(ac.throttle.failures('192.0.2.2'), 0);
  // The failures of one address do not stop the same user elsewhere.
  await ac.authenticate('alice', 'wonderland', { peerAddress: '192.0.2.3' });
});

test('slow hashes run at most concurrentHashesMax at once, in arrival order', async () => {
  const slots = new HashSlots(2);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const job = (i: number) => async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 5));
    order.push(i);
    running--;
    return i;
  };
  const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => slots.run(job(i))));
  assert.deepEqual(results, [0, 1, 2, 3, 4, 5]);
  assert.equal(most, 2);
  assert.deepEqual(order.slice(0, 2).sort(), [0, 1]);
  assert.equal(slots.completed, 6);
  assert.equal(slots.waiting, 0);
  // A failing hash frees its slot too.
  await assert.rejects(slots.run(async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await slots.run(async () => 'next'), 'next');
  assert.throws(() => new HashSlots(0), RangeError);
});

/** The server-first message of a SCRAM-SHA-256 exchange for `user`. */
function serverFirst(ac: AccessControl, user: string): { salt: string; iterations: number } {
  const s = ac.scramServer('SCRAM-SHA-256').clientFirst(`n,,n=${user},r=clientnonce`);
  const m = /^r=clientnonce[^,]+,s=([^,]+),i=(\d+)$/.exec(s);
  assert.ok(m, s);
  return { salt: m[1]!, iterations: Number(m[2]) };
}

test('SCRAM: an unknown user gets a salt stable per name and the iteration count real users have', async () => {
  const ac = await setup({ scramIterations: 8192 });
  const real = serverFirst(ac, 'alice');
  const ghost1 = serverFirst(ac, 'ghost');
  const ghost2 = serverFirst(ac, 'ghost');
  const other = serverFirst(ac, 'other-ghost');
  assert.equal(real.iterations, 8192);
  assert.equal(ghost1.iterations, 8192, 'the fake iteration count is the configured one');
  assert.equal(ghost1.salt, ghost2.salt, 'the fake salt is deterministic per name');
  assert.notEqual(ghost1.salt, other.salt);
  assert.equal(Buffer.from(ghost1.salt, 'base64').length, Buffer.from(real.salt, 'base64').length);
});

/** A full client side of SCRAM-SHA-256 (RFC 5802) for `password`. */
function clientFinal(serverFirstMsg: string, clientFirstBare: string, password: string): string {
  const [r, s, i] = serverFirstMsg.split(',').map((x) => x.slice(2)) as [string, string, string];
  const salted = pbkdf2Sync(password, Buffer.from(s, 'base64'), Number(i), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=biws,r=${r}`;
  const sig = createHmac('sha256', storedKey).update(`${clientFirstBare},${serverFirstMsg},${withoutProof}`).digest();
  const proof = Buffer.from(clientKey.map((b, k) => b ^ sig[k]!));
  return `${withoutProof},p=${proof.toString('base64')}`;
}

test('SCRAM: a failed proof counts as a failed login of the address, a good one does not', async () => {
  const ac = await setup({ loginThrottle: { failureDelayMs: 1 } });
  const login = async (user: string, password: string) => {
    const server = ac.scramServer('SCRAM-SHA-256');
    const first = server.clientFirst(`n,,n=${user},r=abc`);
    return ac.scramFinal(server, clientFinal(first, `n=${user},r=abc`, password), { peerAddress: '198.51.100.7' });
  };
  assert.equal((await login('alice', 'wonderland')).user, 'alice');
  assert.equal(ac.throttle.failures('198.51.100.7'), 0);
  await assert.rejects(login('alice', 'wrong'), ScramError);
  await assert.rejects(login('ghost', 'wrong'), ScramError);
  assert.equal(ac.throttle.failures('198.51.100.7'), 2);
});
