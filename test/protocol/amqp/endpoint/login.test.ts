/**
 * Logins as AMQP clients see them: returning users, wrong passwords and unknown users refused
 * alike, a password change ending the fast path, the refusal RabbitMQ sends (connection.close
 * 403 only to clients with authentication_failure_close), and failures from one address not
 * holding up the same user elsewhere. Other client machines are played by other loopback source
 * addresses (all of 127.0.0.0/8 is loopback on Linux).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import amqp from 'amqplib';
import type { FieldTable } from '../../../../src/protocol/amqp/codec/field-table.js';
import { PROTOCOL_HEADER } from '../../../../src/protocol/amqp/codec/frame.js';
import { RawClient, startBroker, type TestBroker } from './helpers.js';

let b: TestBroker;
before(async () => {
  b = await startBroker();
  await b.broker.access.addUser('carol', 'first-password');
  await b.broker.access.setPermissions('carol', '/', { configure: '.*', write: '.*', read: '.*' });
});
after(async () => {
  await b.stop();
});

const url = (user: string, password: string) => `amqp://${user}:${password}@127.0.0.1:${b.listener.port}`;

/** amqplib passes its socket options to net.connect, but its types omit localAddress. */
const from = (localAddress: string | undefined) => (localAddress ? { localAddress } : {}) as Parameters<typeof amqp.connect>[1];

/** Opens a connection and a channel, then closes; rejects with amqplib's error if refused. */
async function login(user: string, password: string, localAddress?: string): Promise<void> {
  const c = await amqp.connect(url(user, password), from(localAddress));
  c.on('error', () => undefined);
  await c.createChannel();
  await c.close();
}

/** The error a refused login gives, with the user name masked. */
async function refusal(user: string, password: string, localAddress: string): Promise<string> {
  try {
    await login(user, password, localAddress);
  } catch (e) {
    return String((e as Error).message).replaceAll(user, 'USER');
  }
  assert.fail(`login of ${user} succeeded`);
}

test('a returning user logs in; a wrong password and an unknown user are refused the same way (403)', async () => {
  await login('carol', 'first-password');
  const slow = b.broker.access.slots.completed;
  await login('carol', 'first-password');
  await login('carol', 'first-password');
  assert.equal(b.broker.access.slots.completed, slow, 'a returning user costs no slow hash');
  const wrong = await refusal('carol', 'not-it', '127.0.1.1');
  const unknown = await refusal('nobody-here', 'not-it', '127.0.1.2');
  assert.match(wrong, /ACCESS[-_]REFUSED|403/);
  assert.equal(wrong, unknown);
});

test('a password change ends the fast path: the old password is refused, the new one works', async () => {
  await b.broker.access.addUser('dave', 'old-secret');
  await b.broker.access.setPermissions('dave', '/', { configure: '.*', write: '.*', read: '.*' });
  await login('dave', 'old-secret');
  await login('dave', 'old-secret');
  await b.broker.access.changePassword('dave', 'new-secret');
  assert.match(await refusal('dave', 'old-secret', '127.0.1.3'), /ACCESS[-_]REFUSED|403/);
  await login('dave', 'new-secret');
  await login('dave', 'new-secret');
});

/** Runs start / start-ok with `password` and the given client properties. */
async function rawLogin(password: string, capabilities: boolean, localAddress: string): Promise<RawClient> {
  const raw = await RawClient.connect(b.listener.port, localAddress);
  raw.write(PROTOCOL_HEADER as Buffer);
  await raw.method('connection.start');
  const clientProperties: FieldTable = capabilities ? { capabilities: { type: 'table' as const, value: { authentication_failure_close: { type: 'bool' as const, value: true } } } } : {};
  raw.send(0, { method: 'connection.start-ok', clientProperties, mechanism: 'PLAIN', response: Buffer.from(`\u0000guest\u0000${password}`), locale: 'en_US' });
  return raw;
}

test('a refused login: connection.close 403 with authentication_failure_close, else the socket just closes', async () => {
  const withCap = await rawLogin('wrong', true, '127.0.1.4');
  const close = await withCap.method('connection.close');
  const m = close.method as { replyCode: number; replyText: string };
  assert.equal(m.replyCode, 403);
  assert.equal(m.replyText, 'ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.');
  await withCap.waitClosed();

  const without = await rawLogin('wrong', false, '127.0.1.5');
  await without.waitClosed();
  assert.equal(without.commands.filter((c) => c.method.method !== 'connection.start').length, 0, 'nothing but connection.start was sent');

  const good = await rawLogin('guest', false, '127.0.1.6');
  await good.method('connection.tune');
  good.close();
});

test("failures from one address hold up that address's logins, not the same user's from another address", async () => {
  const other = await startBroker({ broker: { auth: { loginThrottle: { failureDelayMs: 60_000 } } } });
  try {
    const port = other.listener.port;
    const attacker = '127.0.2.1';
    await assert.rejects(amqp.connect(`amqp://guest:wrong@127.0.0.1:${port}`, from(attacker)), /ACCESS[-_]REFUSED|403/);
    // The next login from that address waits out the delay, even with the right password...
    const held = await RawClient.connect(port, attacker);
    held.write(PROTOCOL_HEADER as Buffer);
    await held.method('connection.start');
    held.send(0, { method: 'connection.start-ok', clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\u0000guest\u0000guest'), locale: 'en_US' });
    // ...while the same user logs in from elsewhere, repeatedly.
    for (let i = 0; i < 3; i++) {
      const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`, from('127.0.2.2'));
      await c.createChannel();
      await c.close();
    }
    assert.equal(held.commands.some((c) => c.method.method === 'connection.tune'), false, 'the held login is still waiting');
    held.close();
  } finally {
    await other.stop();
  }
});
