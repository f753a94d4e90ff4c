// authenticateSqsRequest against a real broker's access keys (the default guest key, keys made
// through broker.access), its loopback rule, and the SQS action → Hopper permission table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AccessControl } from '../../../../src/core/auth/access-control.js';
import { MemoryUserStore } from '../../../../src/core/auth/memory-store.js';
import { Broker } from '../../../../src/core/broker/broker.js';
import { authenticateSqsRequest } from '../../../../src/protocol/sqs/auth/authenticate.js';
import { checkSqsAccess, requiredPermissions, sqsActionPermission } from '../../../../src/protocol/sqs/auth/permissions.js';
import type { SigV4Request } from '../../../../src/protocol/sqs/auth/verify.js';
import { tempDir } from '../../../helpers/tmp.js';

async function sign(accessKeyId: string, secretAccessKey: string, region = 'us-east-1'): Promise<SigV4Request> {
  const s = new SignatureV4({ credentials: { accessKeyId, secretAccessKey }, region, service: 'sqs', sha256: Sha256, applyChecksum: false });
  const h = (await s.sign(
    new HttpRequest({ method: 'POST', protocol: 'http:', hostname: 'localhost', port: 9324, path: '/', headers: { host: 'localhost:9324', 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' }),
  )) as HttpRequest;
  return { method: h.method, url: h.path, headers: h.headers as Record<string, string>, body: Buffer.from('{}') };
}

test('the default guest/guest key works from loopback only; keys made through broker.access work; removed keys stop', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const broker = await Broker.open({ dataDir: dir });
  t.after(() => broker.close());
  const guest = await sign('guest', 'guest', 'eu-central-1');
  for (const peerAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1', undefined]) {
    const r = authenticateSqsRequest(broker.access, guest, { nowMs: Date.now(), peerAddress });
    assert.equal(r.ok, true, String(peerAddress));
    assert.deepEqual(r.ok && [r.user, r.accountId, r.region, r.principal], ['guest', '000000000000', 'eu-central-1', { name: 'guest', tags: ['administrator'], loopbackOnly: true }]);
  }
  const remote = authenticateSqsRequest(broker.access, guest, { nowMs: Date.now(), peerAddress: '192.0.2.7' });
  assert.deepEqual(!remote.ok && [remote.code, remote.status], ['AccessDenied', 403]);
  assert.equal(authenticateSqsRequest(broker.access, await sign('guest', 'wrong'), { nowMs: Date.now() }).ok, false);

  await broker.access.addUser('app', 'pw');
  const key = await broker.access.addAccessKey('app', { accountId: '210987654321' });
  const req = await sign(key.accessKeyId, key.secretAccessKey);
  const r = authenticateSqsRequest(broker.access, req, { nowMs: Date.now(), peerAddress: '192.0.2.7' });
  assert.deepEqual(r.ok && [r.user, r.accountId, r.principal.loopbackOnly], ['app', '210987654321', false], 'not loopback-only: any address');
  await broker.access.removeAccessKey(key.accessKeyId);
  const gone = authenticateSqsRequest(broker.access, req, { nowMs: Date.now() });
  assert.equal(!gone.ok && gone.code, 'InvalidClientTokenId');
});

test('permissions: each SQS action needs the Hopper permission of its RabbitMQ counterpart', async () => {
  const ac = new AccessControl(new MemoryUserStore(), { scrypt: { N: 1024, r: 8, p: 1, keyLengthBytes: 32, saltLengthBytes: 16 } });
  await ac.addUser('u', null);
  await ac.addUser('stranger', null);
  await ac.setPermissions('u', '/', { configure: '^cfg-', write: '^w-|^dlq-', read: '^r-|^cfg-' });
  const url = 'http://localhost:9324/000000000000/q';
  const check = (action: string, queue?: string, extra: object = {}) => {
    const f = checkSqsAccess(ac, 'u', '/', { action, ...(queue === undefined ? {} : { queue }), ...extra }, url);
    return f === null ? 'ok' : `${f.code} ${f.status}`;
  };
  for (const a of ['CreateQueue', 'DeleteQueue', 'SetQueueAttributes', 'TagQueue', 'UntagQueue', 'AddPermission', 'RemovePermission']) {
    assert.equal(check(a, 'cfg-a'), 'ok', a);
    assert.equal(check(a, 'w-a'), 'AccessDenied 403', a);
  }
  for (const a of ['SendMessage', 'SendMessageBatch']) {
    assert.equal(check(a, 'w-a'), 'ok', a);
    assert.equal(check(a, 'r-a'), 'AccessDenied 403', a);
  }
  for (const a of ['ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch', 'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch', 'PurgeQueue']) {
    assert.equal(check(a, 'r-a'), 'ok', a);
    assert.equal(check(a, 'w-a'), 'AccessDenied 403', a);
  }
  for (const a of ['GetQueueUrl', 'GetQueueAttributes', 'ListQueueTags', 'ListDeadLetterSourceQueues', 'ListQueues', 'ListMessageMoveTasks']) {
    assert.equal(check(a, 'anything'), 'ok', a);
  }
  // A redrive policy also needs write on the DLQ and read on the queue.
  assert.equal(check('CreateQueue', 'cfg-a', { deadLetterQueue: 'dlq-a' }), 'ok');
  assert.equal(check('SetQueueAttributes', 'cfg-a', { deadLetterQueue: 'r-a' }), 'AccessDenied 403');
  // Moving messages: read on the source, write on each destination.
  assert.equal(check('StartMessageMoveTask', 'r-dlq', { moveDestinations: ['w-a'] }), 'ok');
  assert.equal(check('StartMessageMoveTask', 'r-dlq', { moveDestinations: ['w-a', 'cfg-b'] }), 'AccessDenied 403');
  // Fail closed: an action the table does not know, and a user without access to the vhost.
  assert.equal(check('DoSomethingNew', 'cfg-a'), 'AccessDenied 403');
  assert.equal(checkSqsAccess(ac, 'stranger', '/', { action: 'ListQueues' }, 'http://localhost:9324/')?.message, 'Access to the resource http://localhost:9324/ is denied.');
  assert.deepEqual(requiredPermissions({ action: 'SendMessage', queue: 'q' }), [{ permission: 'write', resource: 'q' }]);
  assert.equal(Object.keys(sqsActionPermission).length, 23, 'every action of issue 13');
});
