/**
 * SASL PLAIN logins with kafkajs: returning users take the fast path, a wrong password and an
 * unknown user fail alike, a password change ends the fast path, and failures are counted per
 * client address (other loopback source addresses stand for other machines).
 */
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { SASLOptions } from 'kafkajs';
import { startHarness, type Harness } from './harness.js';

describe('SASL PLAIN logins', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ saslRequired: true });
    await h.broker.access.addUser('erin', 'first');
    await h.broker.access.setPermissions('erin', '/', { configure: '.*', write: '.*', read: '.*' });
  });
  after(async () => {
    await h.close();
  });

  /** kafkajs admin connect (ApiVersions, SaslHandshake, SaslAuthenticate, Metadata) as `username`. */
  async function connect(username: string, password: string, localAddress = '127.0.0.1'): Promise<void> {
    const admin = h
      .kafka({
        sasl: { mechanism: 'plain', username, password } as SASLOptions,
        retry: { retries: 0 },
        socketFactory: ({ host, port, onConnect }) => netConnect({ host, port, localAddress }, onConnect),
      })
      .admin();
    try {
      await admin.connect();
      await admin.listTopics();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async function refusal(username: string, password: string, localAddress: string): Promise<string> {
    try {
      await connect(username, password, localAddress);
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message.replaceAll(username, 'USER')}`;
    }
    assert.fail(`login of ${username} succeeded`);
  }

  it('a returning user logs in without a slow hash; wrong password and unknown user fail the same way', async () => {
    await connect('erin', 'first');
    const slow = h.broker.access.slots.completed;
    await connect('erin', 'first');
    await connect('erin', 'first');
    assert.equal(h.broker.access.slots.completed, slow);
    const wrong = await refusal('erin', 'nope', '127.0.3.1');
    const unknown = await refusal('nobody-here', 'nope', '127.0.3.2');
    assert.match(wrong, /SASL|authentication/i);
    assert.equal(wrong, unknown);
  });

  it('a password change ends the fast path: the old password is refused', async () => {
    await connect('erin', 'first');
    await h.broker.access.changePassword('erin', 'second');
    assert.match(await refusal('erin', 'first', '127.0.3.3'), /SASL|authentication/i);
    await connect('erin', 'second');
  });

  it('failures are counted for the client address', async () => {
    await refusal('erin', 'nope', '127.0.3.4');
    await refusal('nobody-here', 'nope', '127.0.3.4');
    assert.equal(h.broker.access.throttle.failures('127.0.3.4'), 2);
    assert.equal(h.broker.access.throttle.failures('127.0.0.1'), 0);
  });
});
