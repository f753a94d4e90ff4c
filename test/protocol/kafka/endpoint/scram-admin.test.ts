/**
 * DescribeUserScramCredentials / AlterUserScramCredentials: an administrator sets a user's SCRAM
 * credentials from a salted password the way Kafka's admin clients send it, and kafkajs then logs
 * in with SCRAM as that user; describing shows mechanisms and iterations only; deleting the
 * credential ends those logins; Kafka's checks; and only an administrator may change credentials.
 */
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Partitioners, type SASLOptions } from 'kafkajs';
import { AlterUserScramCredentials } from '../../../../src/protocol/kafka/api/alter-user-scram-credentials.js';
import { DescribeUserScramCredentials } from '../../../../src/protocol/kafka/api/describe-user-scram-credentials.js';
import { SaslAuthenticate } from '../../../../src/protocol/kafka/api/sasl-authenticate.js';
import { SaslHandshake } from '../../../../src/protocol/kafka/api/sasl-handshake.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { RawClient } from './raw-client.js';
import { startHarness, type Harness } from './harness.js';

/** A raw connection logged in with SASL PLAIN. */
async function loginPlain(port: number, user: string, password: string): Promise<RawClient> {
  const c = await RawClient.open(port);
  c.send(SaslHandshake, 1, { mechanism: 'PLAIN' });
  assert.equal((await c.receive(SaslHandshake, 1)).body.errorCode, 0);
  c.send(SaslAuthenticate, 2, { authBytes: Buffer.from(`\u0000${user}\u0000${password}`) });
  assert.equal((await c.receive(SaslAuthenticate, 2)).body.errorCode, 0);
  return c;
}

/** What Kafka's admin clients send: a random salt and PBKDF2(password, salt, iterations). */
function upsertion(name: string, mechanism: 1 | 2, password: string, iterations = 4096) {
  const salt = randomBytes(24);
  const [hash, len] = mechanism === 1 ? ['sha256', 32] as const : ['sha512', 64] as const;
  return { name, mechanism, iterations, salt, saltedPassword: pbkdf2Sync(password, salt, iterations, len, hash) };
}

describe('SCRAM credentials through Kafka\'s admin APIs', () => {
  let h: Harness;
  let admin: RawClient;
  before(async () => {
    h = await startHarness({ saslRequired: true });
    admin = await loginPlain(h.listener.port, 'guest', 'guest');
  });
  after(async () => {
    admin.close();
    await h.close();
  });

  const alter = async (c: RawClient, body: { deletions?: { name: string; mechanism: number }[]; upsertions?: ReturnType<typeof upsertion>[] }) => {
    c.send(AlterUserScramCredentials, 0, { deletions: body.deletions ?? [], upsertions: body.upsertions ?? [] });
    return (await c.receive(AlterUserScramCredentials, 0)).body.results;
  };
  const describeUsers = async (c: RawClient, users: string[] | null) => {
    c.send(DescribeUserScramCredentials, 0, { users: users === null ? null : users.map((name) => ({ name })) });
    return (await c.receive(DescribeUserScramCredentials, 0)).body;
  };
  const kafkajsLogin = (mechanism: 'scram-sha-256' | 'scram-sha-512', username: string, password: string) =>
    h.kafka({ sasl: { mechanism, username, password } as SASLOptions, retry: { retries: 0 } });

  it('an administrator creates a user with SCRAM-SHA-256 and -512 credentials; kafkajs logs in with them', async () => {
    const results = await alter(admin, { upsertions: [upsertion('alice', 1, 'alice-secret'), upsertion('alice', 2, 'alice-secret', 8192)] });
    assert.deepEqual(results, [{ user: 'alice', errorCode: 0, errorMessage: null }]);
    const alice = h.broker.access.user('alice')!;
    assert.equal(alice.password, null, 'no password: SCRAM only');
    assert.deepEqual(Object.keys(alice.scram!).sort(), ['SCRAM-SHA-256', 'SCRAM-SHA-512']);
    for (const mechanism of ['scram-sha-256', 'scram-sha-512'] as const) {
      const producer = kafkajsLogin(mechanism, 'alice', 'alice-secret').producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic: 'scram-admin', messages: [{ value: mechanism }] });
      await producer.disconnect();
    }
    assert.equal(h.broker.vhost('/').topic('scram-admin').partition(0).nextOffset, 2);

    const d = await describeUsers(admin, ['alice']);
    assert.deepEqual(d.results, [{ user: 'alice', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 4096 }, { mechanism: 2, iterations: 8192 }] }]);
    const all = await describeUsers(admin, null);
    assert.ok(all.results.some((r) => r.user === 'guest'), 'guest got SCRAM credentials when its password was set');
  });

  it('a changed credential replaces the old one; a deleted one ends those logins', async () => {
    await alter(admin, { upsertions: [upsertion('alice', 1, 'new-secret')] });
    const ok = kafkajsLogin('scram-sha-256', 'alice', 'new-secret').producer();
    await ok.connect();
    await ok.disconnect();
    const old = kafkajsLogin('scram-sha-256', 'alice', 'alice-secret').producer();
    await assert.rejects(old.connect());
    await old.disconnect().catch(() => undefined);

    assert.deepEqual(await alter(admin, { deletions: [{ name: 'alice', mechanism: 1 }] }), [{ user: 'alice', errorCode: 0, errorMessage: null }]);
    const gone = kafkajsLogin('scram-sha-256', 'alice', 'new-secret').producer();
    await assert.rejects(gone.connect());
    await gone.disconnect().catch(() => undefined);
    assert.deepEqual((await describeUsers(admin, ['alice'])).results[0]!.credentialInfos, [{ mechanism: 2, iterations: 8192 }]);
  });

  it('Kafka\'s checks: mechanism, iterations, duplicates, unknown credentials', async () => {
    const r = await alter(admin, {
      upsertions: [{ ...upsertion('bob', 1, 'x'), mechanism: 3 as 1 }, upsertion('carol', 1, 'x', 1000), upsertion('dave', 1, 'x'), upsertion('dave', 1, 'y')],
      deletions: [{ name: 'erin', mechanism: 1 }],
    });
    assert.deepEqual(r.map((x) => [x.user, x.errorCode, x.errorMessage]), [
      ['erin', KafkaError.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'],
      ['bob', KafkaError.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'],
      ['carol', KafkaError.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'],
      ['dave', KafkaError.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request'],
    ]);
    for (const u of ['bob', 'carol', 'dave', 'erin']) assert.equal(h.broker.access.user(u), undefined);
    const d = await describeUsers(admin, ['nobody', 'alice', 'alice']);
    assert.deepEqual(d.results.map((x) => [x.user, x.errorCode]), [['nobody', KafkaError.RESOURCE_NOT_FOUND], ['alice', KafkaError.DUPLICATE_RESOURCE]]);
  });

  it('only a user with the administrator tag may change credentials', async () => {
    await h.broker.access.addUser('plain-user', 'pw');
    await h.broker.access.setPermissions('plain-user', '/', { configure: '.*', write: '.*', read: '.*' });
    const c = await loginPlain(h.listener.port, 'plain-user', 'pw');
    try {
      assert.equal((await alter(c, { upsertions: [upsertion('guest', 1, 'taken-over')] }))[0]!.errorCode, KafkaError.CLUSTER_AUTHORIZATION_FAILED);
      assert.equal((await describeUsers(c, null)).errorCode, KafkaError.CLUSTER_AUTHORIZATION_FAILED);
    } finally {
      c.close();
    }
  });
});

describe('SCRAM credentials on a listener without SASL', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('an unauthenticated connection may list users but never change credentials', async () => {
    const c = await RawClient.open(h.listener.port);
    try {
      c.send(AlterUserScramCredentials, 0, { deletions: [], upsertions: [upsertion('guest', 1, 'taken-over')] });
      assert.equal((await c.receive(AlterUserScramCredentials, 0)).body.results[0]!.errorCode, KafkaError.CLUSTER_AUTHORIZATION_FAILED);
      c.send(DescribeUserScramCredentials, 0, { users: null });
      assert.equal((await c.receive(DescribeUserScramCredentials, 0)).body.errorCode, 0);
    } finally {
      c.close();
    }
  });
});
