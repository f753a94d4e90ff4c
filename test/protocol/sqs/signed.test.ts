/**
 * The SQS endpoint with signature verification on (the default): @aws-sdk/client-sqs signing
 * with Hopper access keys, AWS's errors for unsigned and badly signed requests, and Hopper's
 * permissions applied per action.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateQueueCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { rejection, startSqsBroker, type SqsBroker } from './helpers.js';

let b: SqsBroker;
before(async () => {
  b = await startSqsBroker();
});
after(() => b.close());

function client(accessKeyId: string, secretAccessKey: string, region = 'us-east-1'): SQSClient {
  return new SQSClient({ endpoint: b.endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

test('verification is on by default: an unsigned request is MissingAuthenticationToken, nothing is done', async () => {
  const r = await fetch(b.endpoint + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.CreateQueue' },
    body: JSON.stringify({ QueueName: 'unsigned' }),
  });
  assert.equal(r.status, 403);
  assert.match(r.headers.get('x-amzn-query-error') ?? '', /^MissingAuthenticationToken;Sender$/);
  assert.equal(b.server.broker.vhost('/').hasQueue('unsigned'), false);
});

test('a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId (AWS SDK v3)', async () => {
  const wrong = client('guest', 'not-the-secret');
  const e1 = await rejection(wrong.send(new ListQueuesCommand({})));
  assert.equal(e1.name, 'SignatureDoesNotMatch');
  assert.equal(e1.$metadata?.httpStatusCode, 403);
  const unknown = client('HKIANOSUCHKEY0000000', 'whatever');
  const e2 = await rejection(unknown.send(new ListQueuesCommand({})));
  assert.equal(e2.name, 'InvalidClientTokenId');
  wrong.destroy();
  unknown.destroy();
});

test("a key acts as its user, with that user's permissions: read-only may receive, not create or send", async () => {
  const access = b.server.broker.access;
  await access.addUser('reader', 'pw');
  await access.setPermissions('reader', '/', { configure: '', write: '', read: '.*' });
  const key = await access.addAccessKey('reader');
  const owner = b.client();
  const { QueueUrl } = await owner.send(new CreateQueueCommand({ QueueName: 'perm-q' }));
  await owner.send(new SendMessageCommand({ QueueUrl, MessageBody: 'for the reader' }));

  const reader = client(key.accessKeyId, key.secretAccessKey);
  const denied = await rejection(reader.send(new CreateQueueCommand({ QueueName: 'reader-q' })));
  assert.equal(denied.name, 'AccessDenied');
  assert.equal(denied.$metadata?.httpStatusCode, 403);
  assert.equal(b.server.broker.vhost('/').hasQueue('reader-q'), false);
  assert.equal((await rejection(reader.send(new SendMessageCommand({ QueueUrl, MessageBody: 'no' })))).name, 'AccessDenied');
  const got = await reader.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  assert.deepEqual(got.Messages?.map((m) => m.Body), ['for the reader']);

  // A removed key stops working at once.
  await access.removeAccessKey(key.accessKeyId);
  assert.equal((await rejection(reader.send(new ListQueuesCommand({})))).name, 'InvalidClientTokenId');
  reader.destroy();
});

test("another region is its own vhost, made by the account's first CreateQueue there and owned by its user", async () => {
  const west = b.client('us-west-2');
  await west.send(new CreateQueueCommand({ QueueName: 'west-q' }));
  assert.ok(b.server.broker.vhostNames().includes('sqs/000000000000/us-west-2'));
  assert.deepEqual(b.server.broker.access.permissions('guest', 'sqs/000000000000/us-west-2')?.configure, '.*');
  const urls = (await west.send(new ListQueuesCommand({ QueueNamePrefix: 'west' }))).QueueUrls ?? [];
  assert.equal(urls.length, 1);
  assert.deepEqual((await b.client().send(new ListQueuesCommand({ QueueNamePrefix: 'west' }))).QueueUrls ?? [], [], 'not in us-east-1');
});
