import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Partitioners } from 'kafkajs';
import { ApiVersions } from '../../../../src/protocol/kafka/api/api-versions.js';
import { Metadata } from '../../../../src/protocol/kafka/api/metadata.js';
import { SaslAuthenticate } from '../../../../src/protocol/kafka/api/sasl-authenticate.js';
import { SaslHandshake } from '../../../../src/protocol/kafka/api/sasl-handshake.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { RawClient } from './raw-client.js';
import { startHarness, type Harness } from './harness.js';

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
    c.send(SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' });
    const r = await c.receive(SaslHandshake, 1);
    assert.equal(r.body.errorCode, KafkaError.UNSUPPORTED_SASL_MECHANISM);
    assert.deepEqual(r.body.mechanisms, ['PLAIN']);
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
