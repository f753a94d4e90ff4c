import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Partitioners, type SASLOptions } from 'kafkajs';
import { ApiVersions } from '../../../../src/protocol/kafka/api/api-versions.js';
import { Metadata } from '../../../../src/protocol/kafka/api/metadata.js';
import { SaslAuthenticate } from '../../../../src/protocol/kafka/api/sasl-authenticate.js';
import { SaslHandshake } from '../../../../src/protocol/kafka/api/sasl-handshake.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { RawClient } from './raw-client.js';
import { startHarness, waitFor, type Harness } from './harness.js';

describe('SASL PLAIN', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ saslRequired: true });
  });
  after(async () => {
    await h.close();
  });

  it('kafkajs authenticates as a Hopper user and produces', async () => {
    const producer = h.kafka({ sasl: { mechanism: 'plain', username: 'guest', password: 'guest' } }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'sasl-t', messages: [{ value: 'x' }] });
    await producer.disconnect();
    assert.equal(h.broker.vhost('/').topic('sasl-t').partition(0).nextOffset, 1);
  });

  it('a wrong password fails and closes the connection', async () => {
    const c = await RawClient.open(h.listener.port);
    c.send(SaslHandshake, 1, { mechanism: 'PLAIN' });
    assert.equal((await c.receive(SaslHandshake, 1)).body.errorCode, 0);
    c.send(SaslAuthenticate, 2, { authBytes: Buffer.from('\u0000guest\u0000nope') });
    assert.equal((await c.receive(SaslAuthenticate, 2)).body.errorCode, KafkaError.SASL_AUTHENTICATION_FAILED);
    await c.waitClosed();
  });

  it('an unknown mechanism is refused with the list of mechanisms', async () => {
    const c = await RawClient.open(h.listener.port);
    c.send(SaslHandshake, 1, { mechanism: 'GSSAPI' });
    const r = await c.receive(SaslHandshake, 1);
    assert.equal(r.body.errorCode, KafkaError.UNSUPPORTED_SASL_MECHANISM);
    assert.deepEqual(r.body.mechanisms, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    c.close();
  });

  it('requests before authentication close the connection; ApiVersions is allowed', async () => {
    const c = await RawClient.open(h.listener.port);
    c.send(ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    const av = await c.receive(ApiVersions, 3);
    assert.equal(av.body.errorCode, 0);
    assert.ok(av.body.apiKeys.some((k) => k.apiKey === 26), 'transaction APIs are advertised');
    c.send(Metadata, 9, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    await c.waitClosed();
  });
});

describe('SASL SCRAM', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ saslRequired: true });
    await h.broker.access.addUser('scram-user', 'p,=ss w\u00f6rd');
    await h.broker.access.setPermissions('scram-user', '/', { configure: '.*', write: '.*', read: '.*' });
  });
  after(async () => {
    await h.close();
  });

  for (const mechanism of ['scram-sha-256', 'scram-sha-512'] as const) {
    it(`kafkajs with ${mechanism} produces and consumes`, async () => {
      const topic = `scram-${mechanism}`;
      const kafka = h.kafka({ sasl: { mechanism, username: 'scram-user', password: 'p,=ss w\u00f6rd' } as SASLOptions });
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `g-${mechanism}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
      await waitFor(() => seen.length >= 2, 15_000, 'two records consumed');
      await consumer.disconnect();
      assert.deepEqual(seen, ['one', 'two']);
    });

    it(`kafkajs with ${mechanism} and a wrong password fails`, async () => {
      const producer = h.kafka({ sasl: { mechanism, username: 'scram-user', password: 'wrong' } as SASLOptions, retry: { retries: 0 } }).producer();
      await assert.rejects(producer.connect(), (e: Error) => /SASL|authentication/i.test(`${e.name} ${e.message}`));
      await producer.disconnect().catch(() => {});
    });
  }

  it('an unknown user gets a server-first message, then fails and the connection closes', async () => {
    const c = await RawClient.open(h.listener.port);
    c.send(SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' });
    assert.equal((await c.receive(SaslHandshake, 1)).body.errorCode, 0);
    c.send(SaslAuthenticate, 2, { authBytes: Buffer.from('n,,n=nobody,r=abcdef') });
    const first = await c.receive(SaslAuthenticate, 2);
    assert.equal(first.body.errorCode, 0);
    assert.match(first.body.authBytes.toString(), /^r=abcdef[^,]+,s=[^,]+,i=4096$/);
    const nonce = first.body.authBytes.toString().split(',')[0]!.slice(2);
    c.send(SaslAuthenticate, 2, { authBytes: Buffer.from(`c=biws,r=${nonce},p=${Buffer.alloc(32).toString('base64')}`) });
    assert.equal((await c.receive(SaslAuthenticate, 2)).body.errorCode, KafkaError.SASL_AUTHENTICATION_FAILED);
    await c.waitClosed();
  });

  it('a malformed client-first message fails and closes', async () => {
    const c = await RawClient.open(h.listener.port);
    c.send(SaslHandshake, 1, { mechanism: 'SCRAM-SHA-512' });
    await c.receive(SaslHandshake, 1);
    c.send(SaslAuthenticate, 2, { authBytes: Buffer.from('p=tls-unique,,n=scram-user,r=abc') });
    assert.equal((await c.receive(SaslAuthenticate, 2)).body.errorCode, KafkaError.SASL_AUTHENTICATION_FAILED);
    await c.waitClosed();
  });
});
