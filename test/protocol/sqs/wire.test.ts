/** The wire protocols as bytes: JSON and XML error shapes, unknown actions, hostile requests and slow clients. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startSqsBroker, type SqsBroker } from './helpers.js';

let b: SqsBroker;
before(async () => {
  // Raw, unsigned HTTP: the wire shapes with verification off (signatures: test/protocol/sqs/signed.test.ts).
  b = await startSqsBroker({ 'sqs.verifySignatures': 'false' });
});
after(() => b.close());

async function post(headers: Record<string, string>, body: string | Buffer): Promise<{ status: number; headers: Headers; text: string }> {
  const r = await fetch(b.endpoint + '/', { method: 'POST', headers, body });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

const json = (action: string, body: unknown) => post({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` }, JSON.stringify(body));
const form = (params: Record<string, string>) => post({ 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ Version: '2012-11-05', ...params }).toString());

test('JSON errors: __type in the sqs namespace, message, and x-amzn-query-error', async () => {
  const r = await json('GetQueueUrl', { QueueName: 'none' });
  assert.equal(r.status, 400);
  assert.deepEqual(JSON.parse(r.text), { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
  assert.equal(r.headers.get('x-amzn-query-error'), 'AWS.SimpleQueueService.NonExistentQueue;Sender');
  assert.equal(r.headers.get('content-type'), 'application/x-amz-json-1.0');
  const missing = await json('CreateQueue', {});
  assert.equal(JSON.parse(missing.text).__type, 'com.amazonaws.sqs#MissingParameter');
  const unknown = await json('FlyToTheMoon', {});
  assert.equal(unknown.status, 400);
  assert.equal(unknown.headers.get('x-amzn-query-error'), 'InvalidAction;Sender');
  const notServed = await json('AddPermission', {});
  assert.equal(notServed.headers.get('x-amzn-query-error'), 'AWS.SimpleQueueService.UnsupportedOperation;Sender');
  const bad = await post({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, '{"not json');
  assert.equal(bad.status, 400);
  const wrongTypes = await json('SendMessage', { QueueUrl: 5, MessageBody: ['x'] });
  assert.equal(wrongTypes.status, 400);
});

test('query protocol: XML results in the 2012-11-05 namespace, ErrorResponse for errors', async () => {
  const created = await form({ Action: 'CreateQueue', QueueName: 'xml', 'Attribute.1.Name': 'DelaySeconds', 'Attribute.1.Value': '0', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
  assert.equal(created.status, 200);
  assert.match(created.text, new RegExp(`^<\\?xml version="1.0"\\?><CreateQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><CreateQueueResult><QueueUrl>http://127.0.0.1:${b.port}/000000000000/xml</QueueUrl></CreateQueueResult><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></CreateQueueResponse>$`));
  const url = `${b.endpoint}/000000000000/xml`;
  const sent = await form({ Action: 'SendMessage', QueueUrl: url, MessageBody: 'a<b>&c', 'MessageAttribute.1.Name': 'n', 'MessageAttribute.1.Value.DataType': 'Number', 'MessageAttribute.1.Value.StringValue': '1' });
  assert.match(sent.text, /<SendMessageResult><MessageId>[0-9a-f-]{36}<\/MessageId><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><MD5OfMessageAttributes>[0-9a-f]{32}<\/MD5OfMessageAttributes><\/SendMessageResult>/);
  const got = await form({ Action: 'ReceiveMessage', QueueUrl: url, 'AttributeName.1': 'SenderId', 'MessageAttributeName.1': 'All' });
  assert.match(got.text, /<Message><MessageId>.*<\/MessageId><ReceiptHandle>.*<\/ReceiptHandle><MD5OfBody>.*<\/MD5OfBody><Body>a&lt;b&gt;&amp;c<\/Body><Attribute><Name>SenderId<\/Name><Value>guest<\/Value><\/Attribute><MessageAttribute><Name>n<\/Name><Value><DataType>Number<\/DataType><StringValue>1<\/StringValue><\/Value><\/MessageAttribute><MD5OfMessageAttributes>[0-9a-f]{32}<\/MD5OfMessageAttributes><\/Message>/);
  const deleted = await form({ Action: 'DeleteQueue', QueueUrl: url });
  assert.match(deleted.text, /^<\?xml version="1.0"\?><DeleteQueueResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><ResponseMetadata><RequestId>/);
  const err = await form({ Action: 'GetQueueUrl', QueueName: 'gone' });
  assert.equal(err.status, 400);
  assert.match(err.text, /^<\?xml version="1.0"\?><ErrorResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code><Message>The specified queue does not exist.<\/Message><Detail\/><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/);
  const noAction = await form({});
  assert.match(noAction.text, /<Code>MissingParameter<\/Code>/);
  const badAction = await form({ Action: 'Nope' });
  assert.match(badAction.text, /<Code>InvalidAction<\/Code>/);
});

test('limits: an oversized body is refused and the connection closed; too many headers; malformed requests do not hurt the broker', async () => {
  const big = await post({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, Buffer.alloc(2 * 1024 * 1024, 0x20));
  assert.equal(big.status, 413);
  const many: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' };
  for (let i = 0; i < 200; i++) many[`x-h${i}`] = 'v';
  // node drops headers past maxHeadersCount: the request still works with the first 100.
  assert.equal((await post(many, '{}')).status, 200);
  const huge = await fetch(b.endpoint + '/', { method: 'POST', headers: { 'x-amz-target': 'AmazonSQS.ListQueues', 'x-big': 'a'.repeat(64 * 1024) }, body: '{}' }).then((r) => r.status, () => 'closed');
  assert.ok(huge === 431 || huge === 400 || huge === 'closed', String(huge));
  const garbage = await rawExchange('GARBAGE\r\n\r\n');
  assert.match(garbage, /^HTTP\/1.1 400/);
  assert.equal((await json('ListQueues', {})).status, 200);
});

test('a slow client (headers trickling in) delays no other client', async () => {
  const s = connect(b.port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.write('POST / HTTP/1.1\r\nHost: x\r\n');
  // Were requests served one connection at a time, these would wait for the slow one's headersTimeout.
  for (let i = 0; i < 5; i++) assert.equal((await json('ListQueues', {})).status, 200);
  s.destroy();
});

function rawExchange(text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(b.port, '127.0.0.1');
    let out = '';
    s.on('data', (c) => (out += c.toString()));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    s.write(text);
  });
}
