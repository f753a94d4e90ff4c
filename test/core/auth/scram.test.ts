import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { AccessControl } from '../../../src/core/auth/access-control.js';
import { MemoryUserStore } from '../../../src/core/auth/memory-store.js';
import type { ScryptParams } from '../../../src/core/auth/password.js';
import { deriveScramCredential, ScramError, ScramServer, type ScramCredential, type ScramMechanism } from '../../../src/core/auth/scram.js';

const fast: ScryptParams = { N: 1024, r: 8, p: 1, keyLengthBytes: 32, saltLengthBytes: 16 };
const fakeSecret = Buffer.alloc(32, 7);
const isScram = (e: unknown) => e instanceof ScramError;

// RFC 7677 §3.
const rfc = {
  salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

async function rfcServer(): Promise<ScramServer> {
  const cred = await deriveScramCredential('SCRAM-SHA-256', 'pencil', { salt: Buffer.from(rfc.salt, 'base64'), iterations: 4096 });
  return new ScramServer('SCRAM-SHA-256', { lookup: (u) => (u === 'user' ? cred : undefined), fakeSecret, serverNonce: rfc.serverNonce });
}

/** A minimal SCRAM client, to exercise SHA-512 and wrong passwords. */
function clientProof(m: ScramMechanism, password: string, clientFirstBare: string, serverFirst: string): string {
  const hash = m === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
  const attrs = Object.fromEntries(serverFirst.split(',').map((a) => [a[0], a.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), hash === 'sha256' ? 32 : 64, hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  const storedKey = createHash(hash).update(clientKey).digest();
  const withoutProof = `c=biws,r=${attrs.r}`;
  const sig = createHmac(hash, storedKey).update(`${clientFirstBare},${serverFirst},${withoutProof}`).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]!));
  return `${withoutProof},p=${proof.toString('base64')}`;
}

test('RFC 7677 SCRAM-SHA-256 test vector', async () => {
  const s = await rfcServer();
  assert.equal(s.clientFirst(rfc.clientFirst), rfc.serverFirst);
  const r = s.clientFinal(Buffer.from(rfc.clientFinal));
  assert.deepEqual(r, { serverFinal: rfc.serverFinal, user: 'user' });
  assert.equal(s.done, true);
  assert.throws(() => s.clientFinal(rfc.clientFinal), isScram, 'no replay on a finished exchange');
});

test('stored credentials match the RFC 7677 keys', async () => {
  const cred = await deriveScramCredential('SCRAM-SHA-256', 'pencil', { salt: Buffer.from(rfc.salt, 'base64') });
  assert.equal(cred.iterations, 4096);
  assert.equal(cred.salt, rfc.salt);
  assert.equal(Buffer.from(cred.storedKey, 'base64').length, 32);
  assert.equal(JSON.stringify(cred).includes('pencil'), false);
});

test('wrong proofs fail', async () => {
  const flip = (msg: string) => {
    const i = msg.lastIndexOf('p=') + 2;
    const p = Buffer.from(msg.slice(i), 'base64');
    p[0]! ^= 1;
    return msg.slice(0, i) + p.toString('base64');
  };
  let s = await rfcServer();
  s.clientFirst(rfc.clientFirst);
  assert.throws(() => s.clientFinal(flip(rfc.clientFinal)), /authentication failed/);
  assert.equal(s.done, false);
  assert.throws(() => s.clientFinal(rfc.clientFinal), isScram, 'a failed exchange stays failed');

  s = await rfcServer();
  s.clientFirst(rfc.clientFirst);
  assert.throws(() => s.clientFinal(rfc.clientFinal.replace(/p=.*$/, 'p=AAAA')), /authentication failed/, 'short proof');

  s = await rfcServer();
  const sf = s.clientFirst(rfc.clientFirst);
  assert.throws(() => s.clientFinal(clientProof('SCRAM-SHA-256', 'pencils', 'n=user,r=rOprNGfwEbeRWgbNEkqO', sf)), /authentication failed/);
});

test('malformed and unsupported messages are refused', async () => {
  const cases: [string | Buffer, RegExp][] = [
    ['p=tls-unique,,n=user,r=abc', /channel binding is not supported/],
    ['y,,n=user,r=abc', /only the gs2 header/],
    ['n,a=admin,n=user,r=abc', /only the gs2 header/],
    ['n,,m=ext,n=user,r=abc', /extensions are not supported/],
    ['n,,n=user,r=abc,x=1', /extensions are not supported/],
    ['n,,n=us=er,r=abc', /malformed user name/],
    ['n,,n=,r=abc', /malformed user name/],
    ['n,,r=abc,n=user', /malformed client-first/],
    ['n,,n=user,r=', /malformed nonce/],
    ['n,,n=user', /malformed client-first/],
    [`n,,n=user,r=${'a'.repeat(2000)}`, /too long/],
    ['', /malformed client-first/],
  ];
  for (const [msg, re] of cases) {
    const s = await rfcServer();
    assert.throws(() => s.clientFirst(msg), re, String(msg).slice(0, 40));
  }
  const finals: [string, RegExp][] = [
    [rfc.clientFinal.replace('c=biws', 'c=eSws'), /channel binding mismatch/],
    [rfc.clientFinal.replace('r=rOpr', 'r=xOpr'), /nonce mismatch/],
    [rfc.clientFinal.replace(',p=', ',x=1,p='), /extensions are not supported/],
    [rfc.clientFinal.replace(/,p=.*$/, ''), /malformed client-final/],
    [rfc.clientFinal.replace(/p=.*$/, 'p=!!!'), /malformed proof/],
    [`${rfc.clientFinal}${'A'.repeat(3000)}`, /too long/],
  ];
  for (const [msg, re] of finals) {
    const s = await rfcServer();
    s.clientFirst(rfc.clientFirst);
    assert.throws(() => s.clientFinal(msg), re, msg.slice(0, 60));
  }
  const s = await rfcServer();
  assert.throws(() => s.clientFinal(rfc.clientFinal), /unexpected client-final/);
});

test('the client-final nonce of librdkafka < 2.6.1 (client nonce repeated) is accepted; others are not', async () => {
  const cred = await deriveScramCredential('SCRAM-SHA-256', 'pw');
  const server = () => new ScramServer('SCRAM-SHA-256', { lookup: () => cred, fakeSecret, serverNonce: 'SRV' });
  // As clientProof, but with the nonce the client sends back chosen here.
  const sign = (rSent: string) => {
    const s = server();
    const sf = s.clientFirst('n,,n=u,r=CLI');
    const salted = pbkdf2Sync('pw', Buffer.from(cred.salt, 'base64'), 4096, 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=biws,r=${rSent}`;
    const sig = createHmac('sha256', storedKey).update(`n=u,r=CLI,${sf},${withoutProof}`).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]!)).toString('base64');
    return () => s.clientFinal(`${withoutProof},p=${proof}`);
  };
  assert.equal(sign('CLISRV')().user, 'u');
  assert.equal(sign('CLICLISRV')().user, 'u', 'librdkafka < 2.6.1');
  assert.throws(sign('CLI'), /nonce mismatch/);
  assert.throws(sign('XCLISRV'), /nonce mismatch/);
  assert.throws(sign('CLICLICLISRV'), /nonce mismatch/);
});

test('user names are unescaped (=2C, =3D)', async () => {
  const cred = await deriveScramCredential('SCRAM-SHA-512', 'pw');
  const seen: string[] = [];
  const s = new ScramServer('SCRAM-SHA-512', { lookup: (u) => (seen.push(u), u === 'a,b=c' ? cred : undefined), fakeSecret });
  const bare = 'n=a=2Cb=3Dc,r=nonce1';
  const sf = s.clientFirst(`n,,${bare}`);
  assert.deepEqual(seen, ['a,b=c']);
  assert.match(sf, /^r=nonce1[^,]+,s=[^,]+,i=4096$/);
  assert.equal(s.clientFinal(clientProof('SCRAM-SHA-512', 'pw', bare, sf)).user, 'a,b=c');
});

test('unknown users get a full exchange with a stable fake salt and fail at the proof', async () => {
  const lookup = (): ScramCredential | undefined => undefined;
  const s1 = new ScramServer('SCRAM-SHA-256', { lookup, fakeSecret });
  const s2 = new ScramServer('SCRAM-SHA-256', { lookup, fakeSecret });
  const sf1 = s1.clientFirst('n,,n=ghost,r=abc');
  const sf2 = s2.clientFirst('n,,n=ghost,r=abc');
  assert.equal(sf1.split(',')[1], sf2.split(',')[1], 'same salt on every try');
  assert.match(sf1, /,i=4096$/);
  assert.throws(() => s1.clientFinal(clientProof('SCRAM-SHA-256', 'anything', 'n=ghost,r=abc', sf1)), /authentication failed/);
});

test('AccessControl stores SCRAM credentials with the password and drops them with it', async () => {
  const ac = new AccessControl(new MemoryUserStore(), { scrypt: fast });
  await ac.addUser('alice', 'wonderland');
  const u = ac.user('alice')!;
  for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    const c = u.scram?.[m];
    assert.ok(c, m);
    assert.equal(c.iterations, 4096);
    assert.ok(Buffer.from(c.salt, 'base64').length >= 16);
  }
  assert.equal(JSON.stringify(u).includes('wonderland'), false);

  const login = (m: ScramMechanism, password: string) => {
    const s = ac.scramServer(m);
    const bare = `n=alice,r=${randomBytes(9).toString('base64')}`;
    const sf = s.clientFirst(`n,,${bare}`);
    return s.clientFinal(clientProof(m, password, bare, sf)).user;
  };
  assert.equal(login('SCRAM-SHA-256', 'wonderland'), 'alice');
  assert.equal(login('SCRAM-SHA-512', 'wonderland'), 'alice');
  await ac.changePassword('alice', 'looking-glass');
  assert.throws(() => login('SCRAM-SHA-512', 'wonderland'), isScram);
  assert.equal(login('SCRAM-SHA-512', 'looking-glass'), 'alice');
  await ac.changePassword('alice', null);
  assert.equal(ac.user('alice')!.scram, undefined);
  assert.throws(() => login('SCRAM-SHA-256', 'looking-glass'), isScram);
  assert.deepEqual(ac.authenticatedUser('alice'), { name: 'alice', tags: [], loopbackOnly: false });
});
