/** Queue actions through @aws-sdk/client-sqs v3 (AWS JSON 1.0), with AWS's errors. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, ListQueueTagsCommand,
  PurgeQueueCommand, SendMessageCommand, SetQueueAttributesCommand, TagQueueCommand, UntagQueueCommand, ListDeadLetterSourceQueuesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { rejection, startSqsBroker, type SqsBroker } from './helpers.js';

let b: SqsBroker;
let c: SQSClient;
before(async () => {
  b = await startSqsBroker();
  c = b.client();
});
after(() => b.close());

async function expectError(p: Promise<unknown>, name: string, code: string, status: number): Promise<Error> {
  const e = await rejection(p);
  assert.equal(e.name, name, e.message);
  assert.equal(e.Code, code);
  assert.equal(e.$metadata?.httpStatusCode, status);
  return e;
}

test('CreateQueue: URL from the Host header, attributes and tags; identical re-create ok, a different one QueueAlreadyExists', async () => {
  const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '45', DelaySeconds: '2' }, tags: { team: 'a' } }));
  assert.equal(QueueUrl, `http://127.0.0.1:${b.port}/000000000000/orders`);
  const again = await c.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '45' } }));
  assert.equal(again.QueueUrl, QueueUrl);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '46' } })), 'QueueNameExists', 'QueueAlreadyExists', 400);
  const attrs = (await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout', 'DelaySeconds', 'QueueArn'] }))).Attributes;
  assert.deepEqual(attrs, { VisibilityTimeout: '45', DelaySeconds: '2', QueueArn: 'arn:aws:sqs:us-east-1:000000000000:orders' });
  assert.deepEqual((await c.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: 'a' });
});

test('CreateQueue refuses bad names, unknown attributes and bad values', async () => {
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'bad name' })), 'InvalidParameterValue', 'InvalidParameterValue', 400);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'x'.repeat(81) })), 'InvalidParameterValue', 'InvalidParameterValue', 400);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'q1', Attributes: { Colour: 'red' } as never })), 'InvalidAttributeName', 'InvalidAttributeName', 400);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'q1', Attributes: { VisibilityTimeout: '43201' } })), 'InvalidAttributeValue', 'InvalidAttributeValue', 400);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'q1', Attributes: { DelaySeconds: '901' } })), 'InvalidAttributeValue', 'InvalidAttributeValue', 400);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'q1', Attributes: { MaximumMessageSize: '1023' } })), 'InvalidAttributeValue', 'InvalidAttributeValue', 400);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'q1', Attributes: { MessageRetentionPeriod: '59' } })), 'InvalidAttributeValue', 'InvalidAttributeValue', 400);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'q1', Attributes: { ContentBasedDeduplication: 'true' } })), 'InvalidAttributeName', 'InvalidAttributeName', 400);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'q1.fifo' })), 'InvalidParameterValue', 'InvalidParameterValue', 400);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'q1', Attributes: { FifoQueue: 'true' } })), 'InvalidAttributeName', 'InvalidAttributeName', 400);
});

test('GetQueueUrl and an unknown queue: QueueDoesNotExist / AWS.SimpleQueueService.NonExistentQueue', async () => {
  await c.send(new CreateQueueCommand({ QueueName: 'lookup' }));
  assert.equal((await c.send(new GetQueueUrlCommand({ QueueName: 'lookup' }))).QueueUrl, `${b.endpoint}/000000000000/lookup`);
  await expectError(c.send(new GetQueueUrlCommand({ QueueName: 'nothing' })), 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 400);
  await expectError(c.send(new SendMessageCommand({ QueueUrl: `${b.endpoint}/000000000000/nothing`, MessageBody: 'x' })), 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 400);
});

test('ListQueues: prefix, MaxResults and NextToken', async () => {
  for (const n of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) await c.send(new CreateQueueCommand({ QueueName: n }));
  const all = await c.send(new ListQueuesCommand({ QueueNamePrefix: 'page-' }));
  assert.deepEqual(all.QueueUrls, ['a', 'b', 'c', 'd', 'e'].map((x) => `${b.endpoint}/000000000000/page-${x}`));
  assert.equal(all.NextToken, undefined);
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const r = await c.send(new ListQueuesCommand({ QueueNamePrefix: 'page-', MaxResults: 2, NextToken: token }));
    seen.push(...(r.QueueUrls ?? []));
    token = r.NextToken;
  } while (token !== undefined);
  assert.deepEqual(seen, all.QueueUrls);
  assert.equal((await c.send(new ListQueuesCommand({ QueueNamePrefix: 'zzz' }))).QueueUrls, undefined);
  await expectError(c.send(new ListQueuesCommand({ MaxResults: 1001 })), 'InvalidParameterValue', 'InvalidParameterValue', 400);
});

test('GetQueueAttributes All: every attribute of a standard queue; counts; unknown names refused', async () => {
  const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'attrs' }));
  await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'one' }));
  await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 60 }));
  const a = (await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes as Record<string, string>;
  for (const k of ['VisibilityTimeout', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed', 'CreatedTimestamp', 'LastModifiedTimestamp', 'QueueArn', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'SqsManagedSseEnabled']) {
    assert.ok(a[k] !== undefined, `${k} missing`);
  }
  assert.equal(a['FifoQueue'], undefined);
  assert.deepEqual([a['VisibilityTimeout'], a['MaximumMessageSize'], a['MessageRetentionPeriod'], a['ApproximateNumberOfMessages'], a['ApproximateNumberOfMessagesDelayed']], ['30', '1048576', '345600', '1', '1']);
  assert.ok(Math.abs(Number(a['CreatedTimestamp']) - Date.now() / 1000) < 60);
  await expectError(c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Colour' as never] })), 'InvalidAttributeName', 'InvalidAttributeName', 400);
});

test('SetQueueAttributes changes settings and LastModifiedTimestamp; FIFO settings on a standard queue are unknown', async () => {
  const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'settable' }));
  await c.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '5', ReceiveMessageWaitTimeSeconds: '3', MessageRetentionPeriod: '120', MaximumMessageSize: '2048', Policy: '{"Version":"2012-10-17"}' } }));
  const a = (await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes as Record<string, string>;
  assert.deepEqual([a['VisibilityTimeout'], a['ReceiveMessageWaitTimeSeconds'], a['MessageRetentionPeriod'], a['MaximumMessageSize'], a['Policy']], ['5', '3', '120', '2048', '{"Version":"2012-10-17"}']);
  await expectError(c.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { ContentBasedDeduplication: 'true' } })), 'InvalidAttributeName', 'InvalidAttributeName', 400);
  await expectError(c.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { ReceiveMessageWaitTimeSeconds: '21' } })), 'InvalidAttributeValue', 'InvalidAttributeValue', 400);
  await expectError(c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(2049) })), 'InvalidParameterValue', 'InvalidParameterValue', 400);
});

test('DeleteQueue: gone at once; the name is QueueDeletedRecently for 60 s', async () => {
  const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'doomed' }));
  await c.send(new DeleteQueueCommand({ QueueUrl }));
  await expectError(c.send(new GetQueueUrlCommand({ QueueName: 'doomed' })), 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 400);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'doomed' })), 'QueueDeletedRecently', 'AWS.SimpleQueueService.QueueDeletedRecently', 400);
  await expectError(c.send(new DeleteQueueCommand({ QueueUrl })), 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 400);
});

test('TagQueue, UntagQueue, ListQueueTags', async () => {
  const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'tagged' }));
  assert.equal((await c.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, undefined);
  await c.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'test', owner: 'me' } }));
  await c.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'prod' } }));
  assert.deepEqual((await c.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { env: 'prod', owner: 'me' });
  await c.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['owner'] }));
  assert.deepEqual((await c.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { env: 'prod' });
});

test('PurgeQueue empties the queue; a second within 60 s is PurgeQueueInProgress (403)', async () => {
  const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'purged' }));
  for (let i = 0; i < 3; i++) await c.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
  await c.send(new PurgeQueueCommand({ QueueUrl }));
  const a = (await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!;
  assert.equal(a['ApproximateNumberOfMessages'], '0');
  await expectError(c.send(new PurgeQueueCommand({ QueueUrl })), 'PurgeQueueInProgress', 'AWS.SimpleQueueService.PurgeQueueInProgress', 403);
});

test('RedrivePolicy needs an existing target of the same kind that allows the source; ListDeadLetterSourceQueues', async () => {
  const dlq = (await c.send(new CreateQueueCommand({ QueueName: 'dead', Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: ['arn:aws:sqs:us-east-1:000000000000:src-ok'] }) } }))).QueueUrl!;
  const policy = (target: string) => JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${target}`, maxReceiveCount: 3 });
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'src-x', Attributes: { RedrivePolicy: policy('missing') } })), 'InvalidParameterValue', 'InvalidParameterValue', 400);
  await expectError(c.send(new CreateQueueCommand({ QueueName: 'src-denied', Attributes: { RedrivePolicy: policy('dead') } })), 'InvalidParameterValue', 'InvalidParameterValue', 400);
  const src = (await c.send(new CreateQueueCommand({ QueueName: 'src-ok', Attributes: { RedrivePolicy: policy('dead') } }))).QueueUrl!;
  const a = (await c.send(new GetQueueAttributesCommand({ QueueUrl: src, AttributeNames: ['RedrivePolicy'] }))).Attributes!;
  assert.deepEqual(JSON.parse(a['RedrivePolicy']!), { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dead', maxReceiveCount: 3 });
  assert.deepEqual((await c.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls, [src]);
  await c.send(new SetQueueAttributesCommand({ QueueUrl: src, Attributes: { RedrivePolicy: '' } }));
  assert.deepEqual((await c.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls ?? [], []);
});

test('queues are kept per region: another region does not see them', async () => {
  await c.send(new CreateQueueCommand({ QueueName: 'regional' }));
  const eu = b.client('eu-west-1');
  await expectError(eu.send(new GetQueueUrlCommand({ QueueName: 'regional' })), 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 400);
  const { QueueUrl } = await eu.send(new CreateQueueCommand({ QueueName: 'regional', Attributes: { VisibilityTimeout: '7' } }));
  const a = (await eu.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn', 'VisibilityTimeout'] }))).Attributes!;
  assert.deepEqual(a, { QueueArn: 'arn:aws:sqs:eu-west-1:000000000000:regional', VisibilityTimeout: '7' });
  assert.equal((await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }))).Attributes!['VisibilityTimeout'], '30');
});

test('sqs settings: default localhost:9324, env HOPPER_SQS_PORT/HOST/VERIFY_SIGNATURES, flag sqs.port', async () => {
  const { loadConfig } = await import('../../../src/server/config.js');
  const d = loadConfig();
  assert.deepEqual([d.sqs.host, d.sqs.port, d.sqs.verifySignatures, d.sqs.maxRequestBytes], ['localhost', 9324, true, 1_048_576 + 512 * 1024]);
  const e = loadConfig({ env: { HOPPER_SQS_PORT: '9325', HOPPER_SQS_HOST: '0.0.0.0', HOPPER_SQS_VERIFY_SIGNATURES: 'false' }, flags: { 'sqs.port': '-1' } });
  assert.deepEqual([e.sqs.host, e.sqs.port, e.sqs.verifySignatures], ['0.0.0.0', -1, false]);
  assert.throws(() => loadConfig({ env: { HOPPER_SQS_PORT: 'x' } }), /sqs\.port must be an integer/);
  assert.throws(() => loadConfig({ flags: { 'sqs.maxRequestBytes': '1000' } }), /sqs\.maxRequestBytes/);
  assert.match(b.server.banner(), /sqs\s+http:\/\/127\.0\.0\.1:\d+/);
});
