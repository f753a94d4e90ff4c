/**
 * The query protocol (form parameters in, XML out) through real query-protocol clients:
 * Debian's awscli 2.9 and python3-boto3 1.26. Each skips, saying so, where its client is missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { findPython } from '../../helpers/python.js';
import { startSqsBroker, type SqsBroker } from './helpers.js';

const AWS = '/usr/bin/aws';
const awsMissing = existsSync(AWS) ? false : 'Debian awscli is not installed (apt-get install awscli)';
const py = findPython('boto3');

let b: SqsBroker;
before(async () => {
  b = await startSqsBroker();
});
after(() => b.close());

const env = { ...process.env, AWS_ACCESS_KEY_ID: 'guest', AWS_SECRET_ACCESS_KEY: 'guest', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', HOME: process.env['HOME'] ?? '/tmp' };

function run(cmd: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env, timeout: 60_000 }, (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

const aws = (...args: string[]) => run(AWS, ['--endpoint-url', b.endpoint, '--output', 'json', 'sqs', ...args]);

test('awscli 2.9 (query protocol): queues, messages with attributes (MD5s checked by botocore), errors', { skip: awsMissing }, async () => {
  const created = await aws('create-queue', '--queue-name', 'cli', '--attributes', 'VisibilityTimeout=40', '--tags', 'team=ops');
  assert.equal(created.code, 0, created.stderr);
  const url = (JSON.parse(created.stdout) as { QueueUrl: string }).QueueUrl;
  assert.equal(url, `${b.endpoint}/000000000000/cli`);
  const sent = await aws('send-message', '--queue-url', url, '--message-body', 'from <cli> & co', '--message-attributes', '{"k":{"DataType":"String","StringValue":"v"},"b":{"DataType":"Binary","BinaryValue":"AAEC"}}');
  assert.equal(sent.code, 0, sent.stderr);
  assert.ok((JSON.parse(sent.stdout) as { MD5OfMessageAttributes: string }).MD5OfMessageAttributes);
  const batch = await aws('send-message-batch', '--queue-url', url, '--entries', 'Id=a,MessageBody=one', 'Id=b,MessageBody=two');
  assert.equal(batch.code, 0, batch.stderr);
  assert.deepEqual((JSON.parse(batch.stdout) as { Successful: { Id: string }[] }).Successful.map((s) => s.Id), ['a', 'b']);
  const got = await aws('receive-message', '--queue-url', url, '--max-number-of-messages', '10', '--message-attribute-names', 'All', '--attribute-names', 'All');
  assert.equal(got.code, 0, got.stderr);
  const ms = (JSON.parse(got.stdout) as { Messages: { Body: string; ReceiptHandle: string; Attributes: Record<string, string>; MessageAttributes?: Record<string, { StringValue?: string }> }[] }).Messages;
  assert.deepEqual(ms.map((m) => m.Body), ['from <cli> & co', 'one', 'two']);
  assert.equal(ms[0]!.MessageAttributes!['k']!.StringValue, 'v');
  assert.equal(ms[0]!.Attributes['ApproximateReceiveCount'], '1');
  const del = await aws('delete-message-batch', '--queue-url', url, '--entries', ...ms.map((m, i) => `Id=d${i},ReceiptHandle=${m.ReceiptHandle}`), 'Id=bad,ReceiptHandle=nope');
  const delOut = JSON.parse(del.stdout) as { Successful: unknown[]; Failed: { Id: string; Code: string; SenderFault: boolean }[] };
  assert.equal(delOut.Successful.length, 3);
  assert.deepEqual(delOut.Failed.map((f) => [f.Id, f.Code, f.SenderFault]), [['bad', 'ReceiptHandleIsInvalid', true]]);
  const attrs = await aws('get-queue-attributes', '--queue-url', url, '--attribute-names', 'All');
  const a = (JSON.parse(attrs.stdout) as { Attributes: Record<string, string> }).Attributes;
  assert.equal(a['VisibilityTimeout'], '40');
  assert.equal(a['ApproximateNumberOfMessages'], '0');
  assert.deepEqual(JSON.parse((await aws('list-queue-tags', '--queue-url', url)).stdout), { Tags: { team: 'ops' } });
  assert.deepEqual(JSON.parse((await aws('list-queues', '--queue-name-prefix', 'cl')).stdout), { QueueUrls: [url] });
  const missing = await aws('get-queue-url', '--queue-name', 'nothing');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /AWS\.SimpleQueueService\.NonExistentQueue/);
  const exists = await aws('create-queue', '--queue-name', 'cli', '--attributes', 'VisibilityTimeout=41');
  assert.match(exists.stderr, /QueueAlreadyExists/);
  assert.equal((await aws('delete-queue', '--queue-url', url)).code, 0);
});

test('boto3 1.26 (query protocol): a producer and a consumer', { skip: py === null ? 'python3-boto3 is not installed (apt-get install python3-boto3)' : false }, async () => {
  const script = `
import boto3, sys
sqs = boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='guest', aws_secret_access_key='guest')
url = sqs.create_queue(QueueName='boto', Attributes={'DelaySeconds': '0'})['QueueUrl']
r = sqs.send_message(QueueUrl=url, MessageBody='hi from boto3', MessageAttributes={'n': {'DataType': 'Number', 'StringValue': '7'}})
assert len(r['MessageId']) == 36
msgs = sqs.receive_message(QueueUrl=url, MessageAttributeNames=['All'], AttributeNames=['All'], WaitTimeSeconds=5)['Messages']
m = msgs[0]
print(m['Body'], m['MessageAttributes']['n']['StringValue'], m['Attributes']['SenderId'])
sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m['ReceiptHandle'], VisibilityTimeout=60)
sqs.delete_message(QueueUrl=url, ReceiptHandle=m['ReceiptHandle'])
try:
    sqs.get_queue_url(QueueName='absent')
except sqs.exceptions.QueueDoesNotExist as e:
    print('missing', e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'])
print(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])['Attributes'])
`;
  const r = await run(py!, ['-c', script, b.endpoint]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    'hi from boto3 7 guest',
    'missing AWS.SimpleQueueService.NonExistentQueue 400',
    "{'ApproximateNumberOfMessages': '0', 'ApproximateNumberOfMessagesNotVisible': '0'}",
  ]);
});
